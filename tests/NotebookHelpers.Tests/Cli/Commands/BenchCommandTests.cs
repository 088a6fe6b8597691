using System.Text.Json;
using NotebookHelpers.Imaging;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Cli.Commands;

/// <summary><c>nbh bench cam</c> as a user runs it: what it prints, and its refusals (before any network is built).</summary>
[Collection(nameof(GlobalRandomState))]
public sealed class BenchCommandTests : IDisposable
{
    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    static ProcessRun Nbh(params string[] args) => ProcessRun.Start(TestPaths.Nbh, ["bench", "cam", .. args],
        environment: new Dictionary<string, string> { ["NBH_DEVICE"] = "cpu" });

    [Fact]
    public void Json_gives_each_chosen_methods_median_and_the_maps_are_written()
    {
        var image = temp.File("picture.png");
        ImageIO.SaveRgb(rand(3, 40, 50), image);
        var maps = temp.File("maps");
        var run = Nbh("--image", image, "--methods", "grad-cam,faster-score-cam-3", "--repeats", "1", "--json", "--maps-out", maps);
        Assert.True(run.ExitCode == 0, run.Output);
        using var json = JsonDocument.Parse(run.StandardOutput);
        var ms = json.RootElement.GetProperty("ms");
        Assert.Equal(["grad-cam", "faster-score-cam-3"], ms.EnumerateObject().Select(p => p.Name));
        Assert.All(ms.EnumerateObject(), p => Assert.True(p.Value.GetDouble() > 0));
        Assert.Equal("features.29", json.RootElement.GetProperty("layer").GetString());
        foreach (var method in new[] { "grad-cam", "faster-score-cam-3" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(maps, $"torchsharp-{method}.f32"));
            Assert.Equal(224 * 224 * sizeof(float), bytes.Length);
            var values = new float[224 * 224];
            Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
            Assert.InRange(values.Min(), 0f, 0f); // a CAM is min-max normalised: its minimum is 0
            Assert.InRange(values.Max(), 0f, 1f);
        }
    }

    [Theory]
    [InlineData("--methods", "grad-cam,fastest-cam", "--methods fastest-cam: give some of")]
    [InlineData("--repeats", "0", "--repeats 0: give 1 to 100.")]
    [InlineData("--batch", "0", "--batch 0: give at least 1")]
    public void Bad_options_get_one_line(string option, string value, string message)
    {
        var run = Nbh(option, value);
        Assert.True(run.ExitCode == 2, run.Output);
        Assert.Contains(message, run.Output);
        Assert.DoesNotContain("   at ", run.Output);
    }

    [Fact]
    public void Image_and_input_together_are_refused()
    {
        var run = Nbh("--image", "a.png", "--input", "b.pth");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--image and --input: give one of them.", run.Output);
    }
}
