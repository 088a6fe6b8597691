using NotebookHelpers.Imaging;
using NotebookHelpers.Metrics;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Metrics;

/// <summary><see cref="ImageQualityEvaluation"/> on folders of PNGs the tests write.</summary>
public sealed class ImageQualityEvaluationTests : IDisposable
{
    readonly TempFolder temp = new();

    string References => temp.File("reference");
    string Tests => temp.File("test");

    public ImageQualityEvaluationTests()
    {
        Directory.CreateDirectory(References);
        Directory.CreateDirectory(Tests);
    }

    public void Dispose() => temp.Dispose();

    void Write(string folder, string name, Tensor image) => ImageIO.SaveRgb(image, Path.Combine(folder, name));

    /// <summary>
    /// "a": the test image 4 levels above its reference (PSNR 20·log10(255/4), L1 4); "b": a noisy random pair, whose
    /// scores come from <see cref="ImageQuality.Score"/>.
    /// </summary>
    ImageQualityScores WriteTwoPairs()
    {
        Write(References, "a.png", QualityImages.Constant(16, 20, 60));
        Write(Tests, "a.png", QualityImages.Constant(16, 20, 64));
        var (reference, test) = QualityImages.Noisy(24, 18, seed: 20);
        Write(References, "b.png", reference);
        Write(Tests, "b.png", test);
        return ImageQuality.Score(reference, test);
    }

    [Fact]
    public void The_result_is_the_mean_over_the_pairs_of_each_pairs_scores()
    {
        var b = WriteTwoPairs();
        var c1 = Math.Pow(0.01 * 255, 2);
        var ssimA = (2.0 * 60 * 64 + c1) / (60 * 60 + 64 * 64 + c1);

        var result = ImageQualityEvaluation.EvaluateFolders(References, Tests, CPU);

        Assert.Equal(2, result.Count);
        Assert.Equal((20 * Math.Log10(255 / 4.0) + b.Psnr) / 2, result.Psnr, 1e-12);
        Assert.Equal((ssimA + b.Ssim) / 2, result.Ssim, 1e-12);
        Assert.Equal((4 + b.L1) / 2, result.L1, 1e-12);
    }

    [Fact]
    public void Every_problem_is_one_line_naming_its_file_and_there_is_no_result()
    {
        WriteTwoPairs();
        Write(References, "lonely-reference.png", QualityImages.Constant(12, 12, 1));
        Write(Tests, "lonely-test.png", QualityImages.Constant(12, 12, 1));
        Write(References, "wide.png", QualityImages.Constant(12, 16, 1));
        Write(Tests, "wide.png", QualityImages.Constant(12, 15, 1));
        Write(References, "cut.png", QualityImages.Constant(12, 12, 1));
        var whole = File.ReadAllBytes(Path.Combine(References, "cut.png"));
        File.WriteAllBytes(Path.Combine(Tests, "cut.png"), whole[..(whole.Length / 2)]);
        Write(References, "tiny.png", QualityImages.Constant(8, 30, 1));
        Write(Tests, "tiny.png", QualityImages.Constant(8, 30, 1));
        Write(Tests, "photo.jpg", QualityImages.Constant(12, 12, 1));

        var complete = ImageQualityEvaluation.TryEvaluateFolders(References, Tests, out var result, out var problems, CPU);

        Assert.False(complete);
        Assert.Null(result);
        string[] expected =
        [
            $"{Path.Combine(Tests, "photo.jpg")}: a JPEG",
            $"{Path.Combine(References, "lonely-reference.png")}: no test image 'lonely-reference.png' in {Tests}",
            $"{Path.Combine(Tests, "lonely-test.png")}: no reference image 'lonely-test.png' in {References}",
            $"'{Path.Combine(Tests, "cut.png")}' is truncated",
            $"{Path.Combine(References, "tiny.png")}: 30×8 pixels, smaller than SSIM's 11×11 window",
            $"{Path.Combine(Tests, "wide.png")}: 15×12 pixels, but its reference {Path.Combine(References, "wide.png")} is 16×12",
        ];
        Assert.Equal(expected.Length, problems.Count);
        for (var i = 0; i < expected.Length; i++)
            Assert.StartsWith(expected[i], problems[i]);
        Assert.All(problems, problem => Assert.DoesNotContain('\n', problem));

        var thrown = Assert.Throws<InvalidDataException>(() => ImageQualityEvaluation.EvaluateFolders(References, Tests, CPU));
        Assert.Equal($"{problems[0]} (and 5 more problem(s))", thrown.Message);
    }

    [Fact]
    public void Two_files_of_one_stem_are_a_problem_and_one_problem_is_the_whole_message()
    {
        WriteTwoPairs();
        Write(Tests, "b.PNG", QualityImages.Constant(24, 18, 0));

        var thrown = Assert.Throws<InvalidDataException>(() => ImageQualityEvaluation.EvaluateFolders(References, Tests, CPU));

        Assert.Equal($"{Path.Combine(Tests, "b.PNG")}: b.PNG and b.png share one name stem; keep one.", thrown.Message);
    }

    [Fact]
    public void Folders_without_a_pair_are_a_problem_and_a_missing_folder_is_named()
    {
        var none = ImageQualityEvaluation.TryEvaluateFolders(References, Tests, out _, out var problems, CPU);
        Assert.False(none);
        Assert.Contains("no PNG images", Assert.Single(problems));

        var missing = Assert.Throws<DirectoryNotFoundException>(() => ImageQualityEvaluation.EvaluateFolders(temp.File("nowhere"), Tests, CPU));
        Assert.Contains(temp.File("nowhere"), missing.Message);
    }
}
