using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using NotebookHelpers.Papers.SalGan;
using NotebookHelpers.Tests.Data;

namespace NotebookHelpers.Tests.Papers.SalGan;

public class SaliconFixationsTests
{
    static string Fixture(string name) => TestPaths.Fixture("Data", name);

    [Fact]
    public void Fixations_of_every_observer_become_zero_based_row_column_pixels()
    {
        var file = SaliconFixations.Read(Fixture("salicon-like.mat"));
        Assert.Equal((4, 6), (file.Height, file.Width));
        // Observer 1 fixated (x=1,y=1) and (x=6,y=4); observer 2 (x=3,y=2). Rows are y-1, columns x-1.
        Assert.Equal([(0, 0), (3, 5), (1, 2)], file.Fixations);
        var map = file.ToMap();
        Assert.Equal([4L, 6], map.shape);
        Assert.Equal(3, map.sum().item<long>());
        Assert.Equal(1, map[3, 5].item<byte>());
    }

    [Fact]
    public void A_folder_converts_to_png_fixation_maps_and_a_bad_file_is_named_and_skipped()
    {
        using var folder = new TempFolder();
        var mats = Directory.CreateDirectory(folder.File("mat")).FullName;
        File.Copy(Fixture("salicon-like.mat"), Path.Combine(mats, "COCO_val2014_000000000042.mat"));
        File.WriteAllText(Path.Combine(mats, "broken.mat"), new string('x', 300));
        var log = new StringWriter();

        var (converted, skipped) = SaliconFixations.ConvertFolder(mats, folder.File("png"), log);

        Assert.Equal((1, 1), (converted, skipped));
        Assert.Contains("broken.mat", log.ToString());
        var map = ImageIO.LoadGray(folder.File("png", "COCO_val2014_000000000042.png"));
        Assert.Equal(3, (map > 0.5).sum().item<long>());
    }
}
