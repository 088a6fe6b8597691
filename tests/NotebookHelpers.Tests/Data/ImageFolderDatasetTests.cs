using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using NotebookHelpers.Tests.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Data;

public sealed class ImageFolderDatasetTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly FolderRole[] roles;

    /// <summary>images/a..c.png are good, images/d.png is random bytes; every image has a mask.</summary>
    public ImageFolderDatasetTests()
    {
        roles = [
            new("image", folder.File("images"), ImageKind.Rgb),
            new("mask", folder.File("masks"), ImageKind.ClassIds),
        ];
        var stems = new[] { "a", "b", "c", "d" };
        for (var i = 0; i < stems.Length; i++)
        {
            ImageIO.SaveRgb(torch.full([3, 4, 6], i / 10f), folder.File("images", $"{stems[i]}.png"));
            ImageIO.SaveClassIds(torch.full([4, 6], i, ScalarType.Int64), folder.File("masks", $"{stems[i]}.png"));
        }
        File.WriteAllBytes(folder.File("images", "d.png"), Enumerable.Range(0, 300).Select(i => (byte)(i * 91 + 7)).ToArray());
    }

    public void Dispose() => folder.Dispose();

    [Fact]
    public void A_corrupt_file_among_good_ones_is_skipped_and_named_in_the_log()
    {
        var log = new StringWriter();

        var dataset = ImageFolderDataset.FromFolders(roles, log: log);

        Assert.Equal(3, dataset.Count);
        Assert.Equal(1, dataset.SkippedCount);
        Assert.Equal(folder.File("images", "d.png"), dataset.Skipped[0].Path);
        Assert.Contains(folder.File("images", "d.png"), log.ToString());
        Assert.Equal(["a", "b", "c"], dataset.Samples.Select(sample => sample.Stem));
    }

    [Fact]
    public void Each_role_is_decoded_by_its_kind()
    {
        var dataset = ImageFolderDataset.FromFolders(roles, log: TextWriter.Null);

        var sample = dataset.GetTensor(2);

        Assert.Equal(ScalarType.Float32, sample["image"].dtype);
        Assert.Equal([3L, 4, 6], sample["image"].shape);
        Assert.Equal(MathF.Round(0.2f * 255) / 255, sample["image"].mean().item<float>(), 1e-6f);
        Assert.True(Tensors.Identical(torch.full([4, 6], 2L, ScalarType.Int64), sample["mask"]));
    }

    [Fact]
    public void The_transform_sees_every_decoded_role()
    {
        var dataset = ImageFolderDataset.FromFolders(roles, log: TextWriter.Null,
            transform: sample => new()
            {
                ["image"] = ImageTransforms.Crop(sample["image"], 0, 0, 2, 2),
                ["mask"] = ImageTransforms.Crop(sample["mask"], 0, 0, 2, 2),
            });

        var sample = dataset.GetTensor(0);

        Assert.Equal([3L, 2, 2], sample["image"].shape);
        Assert.Equal([2L, 2], sample["mask"].shape);
    }

    [Fact]
    public void A_DataLoader_stacks_samples_into_batches()
    {
        using var dataset = ImageFolderDataset.FromFolders(roles, log: TextWriter.Null);
        using var loader = DataLoaders.Create(dataset, batchSize: 2);

        var shapes = loader.Select(batch => (Image: batch["image"].shape, Mask: batch["mask"].shape)).ToList();

        Assert.Equal([2L, 3, 4, 6], shapes[0].Image);
        Assert.Equal([2L, 4, 6], shapes[0].Mask);
        Assert.Equal([1L, 3, 4, 6], shapes[1].Image);
        Assert.Equal([1L, 4, 6], shapes[1].Mask);
    }

    [Fact]
    public void A_role_without_a_kind_is_refused()
    {
        var sample = new PairedSample("a", new Dictionary<string, string> { ["depth"] = folder.File("images", "a.png") });

        var error = Assert.Throws<ArgumentException>(
            () => new ImageFolderDataset([sample], new Dictionary<string, ImageKind>(), log: TextWriter.Null));

        Assert.Contains("'depth'", error.Message);
    }
}
