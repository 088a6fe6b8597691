using System.Text.Json;
using NotebookHelpers.Imaging;
using NotebookHelpers.Tests.Metrics;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Cli.Commands;

/// <summary><c>nbh eval quality</c> on small folders of RGB PNGs the tests write.</summary>
[Collection(NotebookProcesses.Name)]
public sealed class QualityCommandsTests : IDisposable
{
    readonly TempFolder temp = new();

    string References => temp.File("reference");
    string Tests => temp.File("test");

    public QualityCommandsTests()
    {
        Directory.CreateDirectory(References);
        Directory.CreateDirectory(Tests);
    }

    public void Dispose() => temp.Dispose();

    static ProcessRun Nbh(string[] args, Dictionary<string, string>? environment = null)
    {
        var variables = new Dictionary<string, string>(environment ?? []) { ["NBH_DEVICE"] = "cpu" };
        return ProcessRun.Start(TestPaths.Nbh, ["eval", "quality", .. args], environment: variables);
    }

    static void AssertNoTrace(ProcessRun run)
    {
        Assert.DoesNotContain("   at ", run.Output);
        Assert.DoesNotContain("(Parameter '", run.Output);
    }

    string[] Folders => ["--reference", References, "--test", Tests];

    void Write(string folder, string name, Tensor image) => ImageIO.SaveRgb(image, Path.Combine(folder, name));

    /// <summary>
    /// Two constant pairs: "a" 100 against 102 levels, "b" 30 against 40. Per pair PSNR = 20·log10(255/d), L1 = d and,
    /// as constant images have no variance, SSIM = (2ab + C1)/(a² + b² + C1).
    /// </summary>
    void WriteConstantPairs()
    {
        Write(References, "a.png", QualityImages.Constant(12, 14, 100));
        Write(Tests, "a.png", QualityImages.Constant(12, 14, 102));
        Write(References, "b.png", QualityImages.Constant(20, 11, 30));
        Write(Tests, "b.png", QualityImages.Constant(20, 11, 40));
    }

    static double ConstantSsim(double a, double b)
    {
        var c1 = Math.Pow(0.01 * 255, 2);
        return (2 * a * b + c1) / (a * a + b * b + c1);
    }

    [Fact]
    public void Json_prints_one_object_with_psnr_ssim_l1_and_count_of_the_hand_computed_values()
    {
        WriteConstantPairs();

        var run = Nbh([.. Folders, "--json"]);

        Assert.True(run.ExitCode == 0, run.Output);
        using var json = JsonDocument.Parse(run.StandardOutput); // throws if anything but one JSON value was printed
        var root = json.RootElement;
        Assert.Equal(["PSNR", "SSIM", "L1", "count"], root.EnumerateObject().Select(property => property.Name));
        Assert.Equal(2, root.GetProperty("count").GetInt32());
        Assert.Equal((20 * Math.Log10(255 / 2.0) + 20 * Math.Log10(255 / 10.0)) / 2, root.GetProperty("PSNR").GetDouble(), 1e-12);
        Assert.Equal((ConstantSsim(100, 102) + ConstantSsim(30, 40)) / 2, root.GetProperty("SSIM").GetDouble(), 1e-12);
        Assert.Equal(6.0, root.GetProperty("L1").GetDouble(), 1e-12);
    }

    [Fact]
    public void The_table_lists_the_three_means_and_the_count()
    {
        WriteConstantPairs();

        var run = Nbh(Folders);

        Assert.True(run.ExitCode == 0, run.Output);
        foreach (var text in new[] { "PSNR (dB) ↑", "SSIM ↑", "L1 ↓", "images", "35.12", "6.00" })
            Assert.Contains(text, run.Output);
    }

    [Fact]
    public void File_problems_are_one_line_each_exit_1_and_print_no_score()
    {
        WriteConstantPairs();
        Write(References, "lonely.png", QualityImages.Constant(12, 12, 1));
        Write(References, "wide.png", QualityImages.Constant(12, 16, 1));
        Write(Tests, "wide.png", QualityImages.Constant(13, 16, 1));
        Write(References, "cut.png", QualityImages.Constant(12, 12, 1));
        var whole = File.ReadAllBytes(Path.Combine(References, "cut.png"));
        File.WriteAllBytes(Path.Combine(Tests, "cut.png"), whole[..(whole.Length / 2)]);

        var run = Nbh([.. Folders, "--json"]);

        Assert.Equal(1, run.ExitCode);
        AssertNoTrace(run);
        Assert.Equal("", run.StandardOutput);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith($"{Path.Combine(References, "lonely.png")}: no test image 'lonely.png' in {Tests}", lines[0]);
        Assert.StartsWith($"'{Path.Combine(Tests, "cut.png")}' is truncated", lines[1]);
        Assert.StartsWith($"{Path.Combine(Tests, "wide.png")}: 16×13 pixels, but its reference {Path.Combine(References, "wide.png")} is 16×12", lines[2]);
        Assert.StartsWith("3 problem(s), so no scores", lines[3]);
    }

    [Fact]
    public void An_image_above_the_pixel_limit_is_named_and_exits_1()
    {
        WriteConstantPairs();

        var run = Nbh([.. Folders, "--json"], new() { ["NBH_MAX_PIXELS"] = "200" });

        Assert.Equal(1, run.ExitCode);
        AssertNoTrace(run);
        Assert.Equal("", run.StandardOutput);
        Assert.Contains($"'{Path.Combine(References, "b.png")}' is 11×20 pixels, above the limit of 200 pixels", run.Output);
        Assert.Contains($"'{Path.Combine(Tests, "b.png")}' is 11×20 pixels", run.Output);
        Assert.DoesNotContain("a.png", run.Output); // 14×12 = 168 pixels is within the limit
    }

    [Fact]
    public void Usage_errors_exit_2_with_one_line_naming_the_option()
    {
        var file = temp.File("reference", "x.png");
        Write(References, "x.png", QualityImages.Constant(12, 12, 1));
        var cases = new (string[] Args, string Text)[]
        {
            (["--test", Tests], "Give --reference DIR (nbh eval quality --reference DIR --test DIR)."),
            (["--reference", References], "Give --test DIR"),
            ([], "Give --reference DIR and --test DIR"),
            (["--reference", temp.File("nowhere"), "--test", Tests], "--reference: there is no folder " + temp.File("nowhere")),
            (["--reference", References, "--test", file], $"--test {file} is a file; give a folder."),
            ([.. Folders, "--bogus"], "Unknown argument(s): --bogus"),
        };
        foreach (var (args, text) in cases)
        {
            var run = Nbh(args);
            Assert.True(run.ExitCode == 2, $"{string.Join(' ', args)}: exit {run.ExitCode}\n{run.Output}");
            Assert.Contains(text, run.Output);
            AssertNoTrace(run);
            Assert.Single(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
    }
}
