using NotebookHelpers.Data;
using NotebookHelpers.Tests.Imaging;

namespace NotebookHelpers.Tests.Data;

public sealed class FilePairingTests : IDisposable
{
    private readonly TempFolder folder = new();

    public FilePairingTests()
    {
        foreach (var name in new[] { "images/COCO_2.jpg", "images/COCO_1.jpg", "images/COCO_3.jpg", "images/notes.txt",
                     "maps/COCO_1.png", "maps/COCO_2.png", "maps/COCO_9.png" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(folder.File(name))!);
            File.WriteAllText(folder.File(name), "");
        }
    }

    public void Dispose() => folder.Dispose();

    private Dictionary<string, string> Folders => new() { ["image"] = folder.File("images"), ["map"] = folder.File("maps") };

    [Fact]
    public void Files_pair_by_stem_across_extensions_in_stem_order()
    {
        var pairing = FilePairing.ByStem(Folders);

        Assert.Equal(["COCO_1", "COCO_2"], pairing.Samples.Select(sample => sample.Stem));
        Assert.Equal(folder.File("images", "COCO_1.jpg"), pairing.Samples[0].Files["image"]);
        Assert.Equal(folder.File("maps", "COCO_1.png"), pairing.Samples[0].Files["map"]);
    }

    [Fact]
    public void Files_without_a_partner_are_reported_and_other_file_types_ignored()
    {
        var pairing = FilePairing.ByStem(Folders);

        Assert.Equal([folder.File("images", "COCO_3.jpg"), folder.File("maps", "COCO_9.png")], pairing.Unmatched);
        Assert.Equal("2 samples paired; 2 files without a partner in every folder (COCO_3.jpg, COCO_9.png).",
            pairing.Summary());
        Assert.EndsWith("(COCO_3.jpg, ...).", pairing.Summary(examples: 1));
    }

    [Fact]
    public void A_stem_twice_in_one_folder_is_ambiguous_and_pairs_nothing()
    {
        File.WriteAllText(folder.File("maps", "COCO_2.jpg"), "");

        var pairing = FilePairing.ByStem(Folders);

        Assert.Equal(["COCO_1"], pairing.Samples.Select(sample => sample.Stem));
        Assert.Contains(folder.File("maps", "COCO_2.jpg"), pairing.Unmatched);
        Assert.Contains(folder.File("maps", "COCO_2.png"), pairing.Unmatched);
        Assert.Contains(folder.File("images", "COCO_2.jpg"), pairing.Unmatched);
    }

    [Fact]
    public void A_missing_folder_is_named()
    {
        var folders = new Dictionary<string, string> { ["image"] = folder.File("absent") };

        var error = Assert.Throws<DirectoryNotFoundException>(() => FilePairing.ByStem(folders));

        Assert.Contains(folder.File("absent"), error.Message);
    }
}
