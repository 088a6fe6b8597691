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

    static TestMatFiles.Struct Gaze(TestMatFiles.Doubles fixations) => new(("fixations", fixations));

    static string Salicon(string path, TestMatFiles.Doubles resolution, TestMatFiles.Doubles fixations) =>
        TestMatFiles.Write(path, ("resolution", resolution), ("gaze", Gaze(fixations)));

    [Fact]
    public void A_file_written_here_reads_back_the_resolution_and_fixations_it_holds()
    {
        using var folder = new TempFolder();
        var file = SaliconFixations.Read(Salicon(folder.File("a.mat"), new(1, 2, 4, 6), new(2, 2, 1, 1, 6, 4)));
        Assert.Equal((4, 6), (file.Height, file.Width));
        Assert.Equal([(0, 0), (3, 5)], file.Fixations);
    }

    [Fact]
    public void Every_broken_file_is_named_with_its_fault_and_the_good_files_around_it_are_converted()
    {
        using var folder = new TempFolder();
        var mats = Directory.CreateDirectory(folder.File("mat")).FullName;
        string Mat(string name) => Path.Combine(mats, name + ".mat");
        TestMatFiles.Doubles Pair(double a, double b) => new(1, 2, a, b);
        var fixation = new TestMatFiles.Doubles(1, 2, 2, 3);

        File.Copy(Fixture("salicon-like.mat"), Mat("a-good"));
        var compressed = File.ReadAllBytes(Fixture("salicon-like.mat"));
        File.WriteAllBytes(Mat("b-truncated-compressed"), compressed[..(compressed.Length * 2 / 3)]);
        var plain = File.ReadAllBytes(Fixture("salicon-like-uncompressed.mat"));
        File.WriteAllBytes(Mat("c-truncated-uncompressed"), plain[..(plain.Length * 2 / 3)]);
        TestMatFiles.Write(Mat("d-one-value"), ("resolution", new TestMatFiles.Doubles(1, 1, 480)), ("gaze", Gaze(fixation)));
        Salicon(Mat("e-one-column"), Pair(480, 640), new(3, 1, 1, 2, 3));
        Salicon(Mat("f-zero"), Pair(0, 640), fixation);
        Salicon(Mat("g-negative"), Pair(-480, 640), fixation);
        Salicon(Mat("h-huge"), Pair(100_000, 100_000), fixation);
        // MATLAB v4: a 20-byte header (MOPT 0, 1 row, 1 column, real, a name of 2 bytes), the name, one double.
        File.WriteAllBytes(Mat("i-v4"), [.. new[] { 0, 1, 1, 0, 2 }.SelectMany(BitConverter.GetBytes), (byte)'x', 0, .. BitConverter.GetBytes(1.0)]);
        Salicon(Mat("z-good"), Pair(8, 8), fixation);
        var log = new StringWriter();

        var (converted, skipped) = SaliconFixations.ConvertFolder(mats, folder.File("png"), log);

        Assert.Equal((2, 8), (converted, skipped));
        Assert.True(File.Exists(folder.File("png", "a-good.png")) && File.Exists(folder.File("png", "z-good.png")));
        var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string Line(string name) => Assert.Single(lines, l => l.Contains(name + ".mat"));
        Assert.Contains("truncated", Line("b-truncated-compressed"));
        Assert.Contains("truncated", Line("c-truncated-uncompressed"));
        Assert.Contains("'resolution' holds 1 value(s), not [height width]", Line("d-one-value"));
        Assert.Contains("'fixations' is 3x1, not N rows of [x y]", Line("e-one-column"));
        Assert.Contains("not two positive whole numbers", Line("f-zero"));
        Assert.Contains("not two positive whole numbers", Line("g-negative"));
        Assert.Contains("above the limit of", Line("h-huge"));
        Assert.Contains("MATLAB v4 MAT-file", Line("i-v4"));
        Assert.All(lines, l => Assert.DoesNotContain("   at ", l));
    }
}
