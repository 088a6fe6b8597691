using System.Text.Json;
using NotebookHelpers.Imaging;
using NotebookHelpers.Papers.Glcic;
using NotebookHelpers.Tests.Imaging;
using NotebookHelpers.Tests.Papers.Glcic;
using NotebookHelpers.Training;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Cli.Papers;

/// <summary>One smoke run of <c>nbh train glcic</c> (6 iterations: phase 1, then joint), shared by the tests that need a checkpoint.</summary>
public sealed class TrainedGlcic : IDisposable
{
    public static readonly string[] Arguments = ["train", "glcic", "--profile", "smoke", "--iterations", "6", "--checkpoint-every", "2"];

    public TrainedGlcic()
    {
        var run = ProcessRun.Start(TestPaths.Nbh, [.. Arguments, "--out", Run]);
        if (run.ExitCode != 0) throw new InvalidOperationException(run.Output);
        Output = run.Output;
    }

    public TempFolder Folder { get; } = new();
    public string Run => Folder.File("run");
    /// <summary>Everything the run printed.</summary>
    public string Output { get; }

    public void Dispose() => Folder.Dispose();
}

/// <summary>GLCIC from the command line: <c>train glcic</c> (refused, resumed, bad options) and <c>complete</c> (good and hostile input).</summary>
[Collection(NotebookProcesses.Name)]
public sealed class GlcicCommandsTests(TrainedGlcic trained) : IClassFixture<TrainedGlcic>, IDisposable
{
    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    static ProcessRun Nbh(params string[] args) => ProcessRun.Start(TestPaths.Nbh, args);

    /// <summary>The exit code, one line that holds <paramref name="text"/>, and no .NET stack trace.</summary>
    static void AssertRefused(ProcessRun run, int exitCode, string text)
    {
        Assert.True(run.ExitCode == exitCode, $"exit {run.ExitCode}, expected {exitCode}:\n{run.Output}");
        Assert.Single(run.Output.Trim().Split('\n'));
        Assert.Contains(text, run.Output);
        Assert.DoesNotContain("   at ", run.Output);
    }

    /// <summary>A 50×70 photo (no multiple of 4) and a mask of its size with a 20×25 hole at rows 10–29, columns 20–44.</summary>
    (string Image, string Mask) WriteImageAndMask()
    {
        var image = temp.File("photo.png");
        ImageIO.SaveRgb(PhotoFolderTests.Noise(50, 70, 3), image);
        var mask = temp.File("mask.png");
        using var hole = zeros(50, 70);
        hole[10..30, 20..45] = 1;
        ImageIO.SaveGray(hole, mask);
        return (image, mask);
    }

    [Fact]
    public void Training_writes_the_log_the_scores_and_a_checkpoint_and_reports_the_mean_colour_fill()
    {
        var output = trained.Output;
        Assert.Contains("T_C 5, T_D 0, T_train 6, batch 16", output); // 200/20/240 rescaled to 6
        Assert.Contains("mean colour", output);
        Assert.Contains("Seam L1", output);
        Assert.DoesNotContain("   at ", output);
        Assert.True(File.Exists(Path.Combine(trained.Run, "metrics.csv")));
        Assert.Equal(6, Checkpoint.FindLatest(trained.Run)!.Step);
        Assert.True(Directory.Exists(Path.Combine(trained.Run, "step-000000004")), "no checkpoint every 2 iterations");

        using var scores = JsonDocument.Parse(File.ReadAllText(Path.Combine(trained.Run, "scores.json")));
        var root = scores.RootElement;
        Assert.Equal(["variant", "evaluated", "images", "scores", "seam_L1"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Paper", root.GetProperty("variant").GetString());
        Assert.Equal(64, root.GetProperty("images").GetInt32());
        Assert.Equal(["mean colour", "fast marching + Poisson, no network", "GLCIC (raw)", "GLCIC (blended)"],
            root.GetProperty("scores").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["PSNR", "SSIM", "L1", "hole PSNR", "hole SSIM", "hole L1"],
            root.GetProperty("scores").GetProperty("mean colour").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["raw", "blended"], root.GetProperty("seam_L1").EnumerateObject().Select(p => p.Name));
        // Blending meets the surrounding pixels at the hole's edge: the seam error falls.
        var seam = root.GetProperty("seam_L1");
        Assert.True(seam.GetProperty("blended").GetDouble() < seam.GetProperty("raw").GetDouble(), seam.ToString());
    }

    [Fact]
    public void A_second_run_into_the_same_folder_is_refused_in_one_line_naming_resume()
    {
        var before = File.ReadAllText(Path.Combine(trained.Run, "scores.json"));
        AssertRefused(Nbh([.. TrainedGlcic.Arguments, "--out", trained.Run]), 2, "--resume");
        Assert.Equal(before, File.ReadAllText(Path.Combine(trained.Run, "scores.json")));
    }

    [Fact]
    public void A_resumed_run_continues_from_its_newest_checkpoint_to_the_weights_of_the_uninterrupted_one()
    {
        // The run as a kill after the step-4 checkpoint leaves it: without step 6, and with the later log rows still there.
        var copy = temp.File("resumed");
        foreach (var file in Directory.GetFiles(trained.Run, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(trained.Run, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        Directory.Delete(Path.Combine(copy, "step-000000006"), recursive: true);
        File.Delete(Path.Combine(copy, "scores.json"));

        var resumed = Nbh([.. TrainedGlcic.Arguments, "--out", copy, "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.StartsWith($"resumed at step 4, epoch 0, from {Path.Combine(copy, "step-000000004")}", resumed.StandardOutput);

        foreach (var file in new[] { "completion.model.bin", "discriminator.model.bin", "completion.optimizer.bin", "discriminator.optimizer.bin" })
            Assert.True(File.ReadAllBytes(Path.Combine(trained.Run, "step-000000006", file)).AsSpan()
                .SequenceEqual(File.ReadAllBytes(Path.Combine(copy, "step-000000006", file))), $"{file} differs");
        Assert.Equal(File.ReadAllText(Path.Combine(trained.Run, "scores.json")), File.ReadAllText(Path.Combine(copy, "scores.json")));
        var steps = MetricsLog.LoadCsv(Path.Combine(copy, "metrics.csv")).Series("hole_mse").Steps;
        Assert.Equal([1L, 2, 3, 4, 5, 6], steps); // each step once
    }

    [Theory]
    [InlineData("--variant", "fancy", "--variant fancy: give paper or article.")]
    [InlineData("--iterations", "0", "--iterations 0: give a whole number from 1 to 10000000.")]
    [InlineData("--checkpoint-every", "0", "--checkpoint-every 0: give a number of iterations of at least 1.")]
    public void Training_refuses_a_bad_option_in_one_line_before_it_starts(string option, string value, string expected)
    {
        var run = Nbh("train", "glcic", "--profile", "smoke", option, value, "--out", temp.File("run"));
        AssertRefused(run, 2, expected);
        Assert.False(Directory.Exists(temp.File("run")));
    }

    [Fact]
    public void Complete_writes_an_image_of_the_inputs_size_that_keeps_every_pixel_outside_the_hole()
    {
        var (image, mask) = WriteImageAndMask();
        var output = temp.File("out", "completed.png");
        var run = Nbh("complete", "--checkpoint", trained.Run, "--image", image, "--mask", mask, "--out", output);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Completed 500 pixels, blended", run.Output);
        Assert.Contains("step 6", run.Output);

        using var input = ImageIO.LoadRgb(image);
        using var completed = ImageIO.LoadRgb(output);
        Assert.Equal([3L, 50, 70], completed.shape);
        using var hole = GlcicRun.ReadMask(mask, 50, 70);
        using var outside = (hole == 0).expand_as(input);
        Assert.True(Tensors.Identical(completed.masked_select(outside), input.masked_select(outside)));
        using var inside = (hole == 1).expand_as(input);
        Assert.False(Tensors.Identical(completed.masked_select(inside), input.masked_select(inside)));

        // An existing --out is kept unless --force.
        File.WriteAllText(output, "the user's own words\n");
        AssertRefused(Nbh("complete", "--checkpoint", trained.Run, "--image", image, "--mask", mask, "--out", output), 2, "--force");
        Assert.Equal("the user's own words\n", File.ReadAllText(output));
        var forced = Nbh("complete", "--checkpoint", trained.Run, "--image", image, "--mask", mask, "--out", output, "--force", "--no-blend");
        Assert.True(forced.ExitCode == 0, forced.Output);
        using var raw = ImageIO.LoadRgb(output);
        Assert.Equal([3L, 50, 70], raw.shape);
        Assert.True(Tensors.Identical(raw.masked_select(outside), input.masked_select(outside)));
        Assert.False(Tensors.Identical(raw, completed)); // without blending the hole differs
    }

    [Fact]
    public void Complete_refuses_a_mask_of_another_size_naming_it()
    {
        var (image, _) = WriteImageAndMask();
        var mask = temp.File("small-mask.png");
        ImageIO.SaveGray(HoleMasks.Rectangle(40, new PixelBox(10, 10, 20, 20)), mask);
        var output = temp.File("out.png");
        AssertRefused(Nbh("complete", "--checkpoint", trained.Run, "--image", image, "--mask", mask, "--out", output), 1, $"{mask} is 40×40 but the image is 70×50");
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Complete_refuses_a_truncated_image_naming_it()
    {
        var (image, mask) = WriteImageAndMask();
        var bytes = File.ReadAllBytes(image);
        File.WriteAllBytes(image, bytes[..(bytes.Length / 2)]);
        var output = temp.File("out.png");
        AssertRefused(Nbh("complete", "--checkpoint", trained.Run, "--image", image, "--mask", mask, "--out", output), 1, $"'{image}' is truncated");
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Complete_refuses_an_output_that_is_not_a_png_and_a_checkpoint_folder_that_is_missing_or_empty()
    {
        var (image, mask) = WriteImageAndMask();
        AssertRefused(Nbh("complete", "--checkpoint", trained.Run, "--image", image, "--mask", mask, "--out", temp.File("out.jpg")), 2,
            "give a .png file");
        AssertRefused(Nbh("complete", "--checkpoint", temp.File("nowhere"), "--image", image, "--mask", mask, "--out", temp.File("out.png")), 2,
            $"--checkpoint: there is no folder {temp.File("nowhere")}");
        Directory.CreateDirectory(temp.File("empty"));
        AssertRefused(Nbh("complete", "--checkpoint", temp.File("empty"), "--image", image, "--mask", mask, "--out", temp.File("out.png")), 2,
            "nbh train glcic --out DIR");
        AssertRefused(Nbh("complete", "--checkpoint", trained.Run, "--image", temp.File("absent.png"), "--mask", mask, "--out", temp.File("out.png")), 2,
            $"--image: there is no file {temp.File("absent.png")}");
        Assert.False(File.Exists(temp.File("out.png")));
        Assert.False(File.Exists(temp.File("out.jpg")));
    }
}
