using System.Text.Json;
using NotebookHelpers.Cam;
using NotebookHelpers.Cli.Commands;
using NotebookHelpers.Core;
using NotebookHelpers.Imaging;
using NotebookHelpers.Models;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Cli.Commands;

/// <summary>
/// <c>nbh explain</c> as a user runs it, with random (seeded) weights. One test rebuilds the command's VGG16 from the
/// same seed, so it shares libtorch's generator with no other test and runs alone (which also keeps the processes
/// from competing for the two cores).
/// </summary>
[Collection(nameof(GlobalRandomState))]
public sealed class ExplainCommandTests : IDisposable
{
    readonly TempFolder temp = new();
    readonly string image;

    public ExplainCommandTests()
    {
        // A 240×180 picture of diagonal stripes and a bright square, so the maps have something to find.
        image = temp.File("picture.png");
        var y = arange(180, dtype: float32).view(1, 180, 1);
        var x = arange(240, dtype: float32).view(1, 1, 240);
        var stripes = ((x + y) / 12).sin().mul(0.5).add(0.5).expand(3, 180, 240).clone();
        stripes[.., 40..100, 60..140] = tensor(1f);
        ImageIO.SaveRgb(stripes, image);
    }

    public void Dispose() => temp.Dispose();

    static ProcessRun Nbh(params string[] args) => ProcessRun.Start(TestPaths.Nbh, ["explain", .. args],
        environment: new Dictionary<string, string> { ["NBH_DEVICE"] = "cpu" });

    /// <summary>The exit code, the text, and neither a .NET stack trace nor a parameter suffix.</summary>
    static void AssertRefused(ProcessRun run, int exitCode, string text)
    {
        Assert.True(run.ExitCode == exitCode, $"exit {run.ExitCode}, expected {exitCode}:\n{run.Output}");
        Assert.Contains(text, run.Output);
        Assert.DoesNotContain("   at ", run.Output);
        Assert.DoesNotContain("(Parameter '", run.Output);
    }

    /// <summary>Width, height, bit depth and colour type from a PNG's IHDR chunk (colour type 0 is grey, 2 RGB).</summary>
    static (int Width, int Height, int BitDepth, int ColourType) PngHeader(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)),
            System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)), bytes[24], bytes[25]);
    }

    [Fact]
    public void Json_has_the_five_keys_and_raw_is_the_librarys_grad_cam_map_of_the_resized_image()
    {
        var (overlay, raw) = (temp.File("overlay.png"), temp.File("raw.png"));
        var run = Nbh("--model", "vgg16", "--image", image, "--json", "--out", overlay, "--raw", raw);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("warning: vgg16 has random weights", run.Output); // on standard error: stdout is the JSON alone
        using var json = JsonDocument.Parse(run.StandardOutput); // throws if anything but one JSON value was printed
        var root = json.RootElement;
        Assert.Equal(["predicted_class", "target_class", "score", "method", "layer"], root.EnumerateObject().Select(p => p.Name));
        Assert.True(root.GetProperty("predicted_class").TryGetInt32(out var predicted));
        Assert.True(root.GetProperty("target_class").TryGetInt32(out var target));
        Assert.Equal(predicted, target);
        var score = root.GetProperty("score").GetDouble();
        Assert.InRange(score, 0, 1);
        Assert.Equal("grad-cam", root.GetProperty("method").GetString());
        Assert.Equal("features.29", root.GetProperty("layer").GetString());
        Assert.Equal((224, 224, 8, 0), PngHeader(raw));
        Assert.Equal((224, 224, 8, 2), PngHeader(overlay));

        // The same network (torchvision's initialisation from the command's seed) on the same input, in this process.
        TorchRuntime.Seed(ExplainCommand.RandomWeightsSeed);
        using var model = Backbones.Create(BackboneKind.Vgg16);
        using var picture = ImageIO.LoadRgb(image);
        using var input = ImageTransforms.NormalizeImageNet(ImageTransforms.Resize(picture, 224, 224)).unsqueeze(0);
        using (no_grad())
        {
            var probabilities = nn.functional.softmax(model.call(input), 1)[0];
            Assert.Equal(predicted, (int)probabilities.argmax().item<long>());
            Assert.Equal(probabilities[predicted].item<float>(), score, 1e-5);
        }
        var map = new GradCam(model, "features.29").Maps(input, CamTarget.Class(predicted))[0];
        var written = ImageIO.LoadGray(raw)[0];
        var difference = (written - map).abs().max().item<float>();
        Assert.True(difference <= 1f / 255, $"the raw PNG is {difference * 255:F2}/255 away from the library's map");
    }

    /// <summary>Two files of the user's, for --force to replace.</summary>
    (string Overlay, string Raw) UsersFiles()
    {
        var (overlay, raw) = (temp.File("overlay.png"), temp.File("raw.png"));
        File.WriteAllText(overlay, "the user's own words\n");
        File.WriteAllText(raw, "the user's own words\n");
        return (overlay, raw);
    }

    // ResNet-50 is a quarter of VGG16's work. Score-CAM itself scores 2048 masked copies of the image at layer4 (minutes
    // on a CPU): the library's ScoreCamTests test it, and here Faster Score-CAM runs the same code on 10 channels.

    [Theory]
    [InlineData("faster-score-cam", "layer4")]
    [InlineData("guided-bp", null)]
    public void Each_method_prints_its_json_and_writes_both_pictures_over_the_users_files_with_force(string method, string? layer)
    {
        var (overlay, raw) = UsersFiles();
        var run = Nbh("--model", "resnet50", "--image", image, "--method", method, "--class", "7", "--json", "--out", overlay, "--raw", raw, "--force");

        Assert.True(run.ExitCode == 0, run.Output);
        using var json = JsonDocument.Parse(run.StandardOutput);
        Assert.Equal(7, json.RootElement.GetProperty("target_class").GetInt32());
        Assert.Equal(method, json.RootElement.GetProperty("method").GetString());
        Assert.Equal(layer, json.RootElement.GetProperty("layer").GetString());
        Assert.Equal((224, 224, 8, 2), PngHeader(overlay));
        Assert.Equal((224, 224, 8, 0), PngHeader(raw));
    }

    [Fact]
    public void Without_json_a_short_summary_names_the_classes_and_the_files()
    {
        var (overlay, raw) = UsersFiles();
        var run = Nbh("--model", "resnet50", "--image", image, "--method", "grad-cam++", "--out", overlay, "--raw", raw, "--force");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Matches(@"^resnet50 \(random weights\), grad-cam\+\+ at layer4: class \d+ \(.+\), p = [\d.E+-]+; predicted \d+ \(.+\)\.", run.StandardOutput);
        Assert.Contains($"overlay: {overlay}", run.StandardOutput);
        Assert.Contains($"raw map: {raw}", run.StandardOutput);
        Assert.Equal((224, 224, 8, 0), PngHeader(raw));
    }

    [Fact]
    public void An_unknown_layer_lists_the_models_layers_in_one_line()
    {
        var run = Nbh("--model", "vgg16", "--image", image, "--layer", "features.99");
        AssertRefused(run, 2, "--layer features.99: No layer 'features.99' in VGG. Layers: features, avgpool, classifier, features.0,");
        Assert.Contains("features.29, features.30, classifier.0", run.Output);
        Assert.Single(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.StartsWith("--layer", StringComparison.Ordinal));
    }

    [Fact]
    public void A_class_outside_0_to_K_minus_1_is_a_usage_error()
    {
        AssertRefused(Nbh("--model", "resnet50", "--image", image, "--class", "1000"), 2, "--class 1000: resnet50 has 1000 classes; give 0 to 999.");
        AssertRefused(Nbh("--model", "resnet50", "--image", image, "--class", "-1"), 2, "--class -1: a class is 0 or more");
    }

    [Fact]
    public void A_missing_or_truncated_image_is_refused_naming_the_file()
    {
        AssertRefused(Nbh("--model", "vgg16", "--image", temp.File("none.png")), 2, $"--image: there is no file {temp.File("none.png")}.");
        var whole = File.ReadAllBytes(image);
        var cut = temp.File("cut.png");
        File.WriteAllBytes(cut, whole[..(whole.Length / 2)]); // cut inside its pixel data
        var run = Nbh("--model", "vgg16", "--image", cut);
        AssertRefused(run, 1, cut);
        Assert.Contains("truncated", run.Output);
        Assert.DoesNotContain("random weights", run.Output); // refused before the network was built
    }

    [Fact]
    public void Existing_out_and_raw_files_are_never_overwritten_without_force()
    {
        var mine = temp.File("mine.png");
        File.WriteAllText(mine, "the user's own words\n");
        var picture = File.ReadAllBytes(image);
        AssertRefused(Nbh("--model", "vgg16", "--image", image, "--out", mine), 2, $"--out: {mine} already exists; choose another name, or add --force to overwrite it.");
        AssertRefused(Nbh("--model", "vgg16", "--image", image, "--raw", mine), 2, $"--raw: {mine} already exists");
        AssertRefused(Nbh("--model", "vgg16", "--image", image, "--raw", temp.File("map.jpg")), 2, "--raw");
        AssertRefused(Nbh("--model", "vgg16", "--image", image, "--out", image, "--force"), 2, $"--out {image} is the --image itself");
        Assert.Equal("the user's own words\n", File.ReadAllText(mine));
        Assert.False(File.Exists(temp.File("map.jpg")));
        Assert.Equal(picture, File.ReadAllBytes(image));
    }

    [Fact]
    public void Unknown_methods_and_models_and_a_layer_for_guided_bp_are_usage_errors()
    {
        AssertRefused(Nbh("--model", "vgg16", "--image", image, "--method", "lime"), 2, "'lime'");
        AssertRefused(Nbh("--model", "alexnet", "--image", image), 2, "Unknown model 'alexnet'");
        AssertRefused(Nbh("--model", "vgg16", "--image", image, "--method", "guided-bp", "--layer", "features.3"), 2, "guided-bp explains the input, not a layer");
    }

    [Fact]
    public void A_trained_defect_classifier_folder_is_explained_at_layer2_in_its_own_size()
    {
        var folder = temp.File("classifier");
        var train = ProcessRun.Start(TestPaths.Nbh, ["train", "defect-classifier", "--profile", "smoke", "--epochs", "1", "--out", folder],
            environment: new Dictionary<string, string> { ["NBH_DEVICE"] = "cpu" });
        Assert.True(train.ExitCode == 0, train.Output);
        var raw = temp.File("defect-raw.png");
        var run = Nbh("--model", folder, "--image", image, "--method", "faster-score-cam", "--class", "1", "--json", "--raw", raw);
        Assert.True(run.ExitCode == 0, run.Output);
        using var json = JsonDocument.Parse(run.StandardOutput);
        Assert.Equal("layer2", json.RootElement.GetProperty("layer").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("target_class").GetInt32());
        Assert.InRange(json.RootElement.GetProperty("predicted_class").GetInt32(), 0, 1);
        Assert.Equal((64, 64, 8, 0), PngHeader(raw)); // the smoke classifier's 64×64, one grey channel
        AssertRefused(Nbh("--model", folder, "--image", image, "--class", "2"), 2, "--class 2: defect classifier has 2 classes");
    }
}
