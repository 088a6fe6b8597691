using System.Globalization;
using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using NotebookHelpers.Papers.ScoreCam;
using NotebookHelpers.Tests.Imaging;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.ScoreCam;

/// <summary>A tiny DAGM 2007 class laid out as data-scripts/dagm.sh lays the release out, with small grey PNGs.</summary>
public static class FakeDagm
{
    /// <summary>
    /// Writes <c>Class{k}/1.png ..</c> (<paramref name="clean"/> images) and <c>Class{k}_def/1.png ..</c> with one
    /// labels.txt line per defect image, an ellipse about the middle of each 16×16 image; returns the labels' path.
    /// </summary>
    public static string Write(string root, int k, int clean, int defects, int size = 16)
    {
        var (cleanFolder, defectFolder) = (Dagm2007.CleanFolder(root, k), Dagm2007.DefectFolder(root, k));
        Directory.CreateDirectory(cleanFolder);
        Directory.CreateDirectory(defectFolder);
        var generator = new Generator((ulong)k);
        for (int n = 1; n <= clean; n++) ImageIO.SaveGray(rand([size, size], generator: generator), Path.Combine(cleanFolder, $"{n}.png"));
        for (int n = 1; n <= defects; n++) ImageIO.SaveGray(rand([size, size], generator: generator), Path.Combine(defectFolder, $"{n}.png"));
        var labels = Path.Combine(defectFolder, Dagm2007.LabelsFile);
        File.WriteAllLines(labels, Enumerable.Range(1, defects).Select(n =>
            string.Create(CultureInfo.InvariantCulture, $"{n}\t{3 + n % 3}\t2\t{0.1 * n:F1}\t{size / 2}\t{size / 2 - 1}")));
        return labels;
    }
}

public class Dagm2007Tests
{
    [Fact]
    public void A_labels_line_is_number_semi_major_semi_minor_angle_x_y_separated_by_tabs_or_spaces()
    {
        using var folder = new TempFolder();
        var path = folder.File("labels.txt");
        File.WriteAllText(path, "1\t46.5\t12.25\t0.785398\t200\t310.5\n\n2 30  8 -1.5 12 480\n");
        var labels = Dagm2007.ReadLabels(path);
        Assert.Equal([1, 2], labels.Keys.Order());
        Assert.Equal(new DefectEllipse(CenterX: 200, CenterY: 310.5, SemiMajor: 46.5, SemiMinor: 12.25, Angle: 0.785398), labels[1]);
        Assert.Equal(new DefectEllipse(12, 480, 30, 8, -1.5), labels[2]);
    }

    [Theory]
    [InlineData("3\t12.5\tabc\t0\t5\t5", "'3\t12.5\tabc\t0\t5\t5'")]
    [InlineData("3\t12.5\t4\t0\t5", "expected six numbers")]
    [InlineData("3.5\t12.5\t4\t0\t5\t5", "expected six numbers")]
    [InlineData("3\t12.5\t0\t0\t5\t5", "expected six numbers")]
    [InlineData("1\t12.5\t4\t0\t5\t5", "image 1 is labelled a second time")]
    public void A_labels_line_that_does_not_parse_is_named_by_file_and_line(string line, string expected)
    {
        using var folder = new TempFolder();
        var path = folder.File("labels.txt");
        File.WriteAllText(path, $"1\t10\t5\t0\t8\t8\n2\t10\t5\t0\t8\t8\n{line}\n");
        var error = Assert.Throws<InvalidDataException>(() => Dagm2007.ReadLabels(path));
        Assert.Contains($"{path}, line 3", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Contains(Dagm2007.Script, error.Message);
    }

    [Fact]
    public void A_class_loads_as_grey_images_in_three_channels_with_labels_and_the_masks_of_its_ellipses()
    {
        using var folder = new TempFolder();
        FakeDagm.Write(folder.Path, 2, clean: 4, defects: 3);
        // Leading zeros and an upper-case extension, as some copies name the files.
        File.Move(Dagm2007.CleanFolder(folder.Path, 2) + "/4.png", Dagm2007.CleanFolder(folder.Path, 2) + "/0004.PNG");
        var log = new StringWriter();
        var samples = Dagm2007.Samples(2, folder.Path, log);

        Assert.Equal([0L, 0, 0, 0, 1, 1, 1], samples.Select(s => s.Label));
        Assert.Equal([1, 2, 3, 4, 1, 2, 3], samples.Select(s => s.Number));
        Assert.All(samples.Take(4), s => Assert.Null(s.Ellipse));
        Assert.Equal(new DefectEllipse(8, 7, 5, 2, 0.2), samples[5].Ellipse); // line "2\t5\t2\t0.2\t8\t7"
        Assert.Contains("the release has 1000 and 150", log.ToString());

        using var split = Dagm2007.Load(samples, 8);
        Assert.Equal([7L, 3, 8, 8], split.Images.shape);
        Assert.True(Tensors.Identical(split.Images[.., 0], split.Images[.., 2]));
        Assert.InRange(split.Images.min().item<float>(), 0f, 1f);
        Assert.InRange(split.Images.max().item<float>(), 0f, 1f);
        Assert.Equal(samples.Select(s => s.Label), split.Labels.data<long>().ToArray());
        Assert.Equal(3, split.DefectCount);
        Assert.False(split.Masks[..4].any().item<bool>());
        for (int i = 4; i < 7; i++)
            Assert.True(Tensors.Identical(split.Masks[i], samples[i].Ellipse!.Mask(16, 16, 8, 8)), $"mask {i}");
        // Each image resized as torchvision resizes (bilinear, antialiased), not cropped or padded.
        using var original = ImageIO.LoadGray(samples[0].Path);
        using var resized = ImageTransforms.Resize(original, 8, 8);
        Assert.True(Tensors.Identical(split.Images[0, 0], resized[0]));
    }

    [Fact]
    public void A_defect_image_without_a_label_line_is_named()
    {
        using var folder = new TempFolder();
        FakeDagm.Write(folder.Path, 1, clean: 2, defects: 2);
        var extra = Path.Combine(Dagm2007.DefectFolder(folder.Path, 1), "3.png");
        File.Copy(Path.Combine(Dagm2007.DefectFolder(folder.Path, 1), "1.png"), extra);
        var error = Assert.Throws<InvalidDataException>(() => Dagm2007.Samples(1, folder.Path, TextWriter.Null));
        Assert.Contains(extra, error.Message);
        Assert.Contains("labels.txt", error.Message);
        Assert.Contains(Dagm2007.Script, error.Message);
    }

    [Fact]
    public void A_truncated_image_is_named_when_the_class_loads()
    {
        using var folder = new TempFolder();
        FakeDagm.Write(folder.Path, 1, clean: 2, defects: 1);
        var cut = Path.Combine(Dagm2007.CleanFolder(folder.Path, 1), "2.png");
        var bytes = File.ReadAllBytes(cut);
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        var samples = Dagm2007.Samples(1, folder.Path, TextWriter.Null);
        var error = Assert.Throws<InvalidDataException>(() => Dagm2007.Load(samples, 8));
        Assert.Contains(cut, error.Message);
        Assert.Contains(Dagm2007.Script, error.Message);
    }

    [Fact]
    public void A_missing_class_folder_or_labels_file_says_to_run_the_download_script()
    {
        using var folder = new TempFolder();
        var missingFolder = Assert.Throws<DirectoryNotFoundException>(() => Dagm2007.Samples(3, folder.Path, TextWriter.Null));
        Assert.Contains(Dagm2007.CleanFolder(folder.Path, 3), missingFolder.Message);
        Assert.Contains("data-scripts/dagm.sh", missingFolder.Message);
        Assert.False(Dagm2007.Exists(3, folder.Path));

        var labels = FakeDagm.Write(folder.Path, 3, clean: 1, defects: 1);
        Assert.True(Dagm2007.Exists(3, folder.Path));
        File.Delete(labels);
        var missingLabels = Assert.Throws<FileNotFoundException>(() => Dagm2007.Samples(3, folder.Path, TextWriter.Null));
        Assert.Contains(labels, missingLabels.Message);

        Assert.Throws<DatasetNotFoundException>(() => Dagm2007.Samples(1, folder.File("nowhere"), TextWriter.Null));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dagm2007.Samples(7, folder.Path, TextWriter.Null));
    }

    [Fact]
    public void The_split_holds_out_a_fifth_of_each_label_the_same_way_every_time()
    {
        // The release's sizes: 1000 defect-free and 150 defect images, 200 and 30 of them held out.
        var samples = Enumerable.Range(1, 1000).Select(n => new DagmSample($"Class1/{n}.png", n, 0, null))
            .Concat(Enumerable.Range(1, 150).Select(n => new DagmSample($"Class1_def/{n}.png", n, 1, new DefectEllipse(9, 9, 4, 2, 0))))
            .ToList();
        var (train, test) = Dagm2007.Split(samples);
        Assert.Equal((800, 120), (train.Count(s => s.Label == 0), train.Count(s => s.Label == 1)));
        Assert.Equal((200, 30), (test.Count(s => s.Label == 0), test.Count(s => s.Label == 1)));
        Assert.Empty(train.Select(s => s.Path).Intersect(test.Select(s => s.Path)));
        Assert.Equal(samples.Select(s => s.Path).Order(), train.Concat(test).Select(s => s.Path).Order());

        var again = Dagm2007.Split(samples);
        Assert.Equal(test.Select(s => s.Path), again.Test.Select(s => s.Path));
        Assert.NotEqual(test.Select(s => s.Path), Dagm2007.Split(samples, seed: 112).Test.Select(s => s.Path));
    }

    [Fact]
    public void Doctor_lists_DAGM_2007_with_its_download_script()
    {
        var dagm = Assert.Single(DatasetCatalog.All, d => d.Name == Dagm2007.Name);
        Assert.Equal(Dagm2007.Info, dagm);
        Assert.Equal("data-scripts/dagm.sh", dagm.Script);
        Assert.True(File.Exists(Path.Combine(TestPaths.RepoRoot, dagm.Script)));
    }
}
