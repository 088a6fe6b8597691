using System.Text.Json;
using NotebookHelpers.Imaging;
using NotebookHelpers.Models;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Cli.Commands;

/// <summary>`nbh weights check` and `nbh classify` as a user runs them, on checkpoints the test writes.</summary>
[Collection(NotebookProcesses.Name)]
public sealed class WeightsCommandsTests(ResNetCheckpoint files) : IClassFixture<ResNetCheckpoint>
{
    readonly TempFolder folder = files.Folder;
    readonly string weights = files.Weights;
    readonly string image = files.Image;

    [Fact]
    public void Check_says_a_fitting_file_fits_and_names_the_key_of_one_that_does_not()
    {
        var fits = ProcessRun.Start(TestPaths.Nbh, ["weights", "check", "--model", "resnet50", weights]);
        Assert.Equal(0, fits.ExitCode);
        Assert.Contains("fits resnet50: 320 tensors", fits.Output);

        var vgg = ProcessRun.Start(TestPaths.Nbh, ["weights", "check", "--model", "vgg16", weights]);
        Assert.Equal(1, vgg.ExitCode);
        // Hundreds of keys differ: the command names the backbone the file fits and shows only the first problems.
        Assert.Contains("it is a resnet50 checkpoint; check it with --model resnet50.", vgg.Output);
        Assert.Contains("key 'features.0.weight' is in the model but not in the file", vgg.Output);
        Assert.Matches(@"\.\.\. and \d+ more", vgg.Output);
        Assert.True(vgg.Output.Split('\n').Length < 20, vgg.Output);
    }

    [Fact]
    public void Classify_json_prints_exactly_one_object_with_the_top_classes()
    {
        var run = ProcessRun.Start(TestPaths.Nbh, ["classify", "--model", "resnet50", "--weights", weights, "--image", image, "--top", "3", "--json"]);

        Assert.True(run.ExitCode == 0, run.Output);
        using var json = JsonDocument.Parse(run.StandardOutput); // throws if there is anything but one JSON value
        var root = json.RootElement;
        Assert.Equal(["model", "top"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("resnet50", root.GetProperty("model").GetString());
        var top = root.GetProperty("top").EnumerateArray().ToList();
        Assert.Equal(3, top.Count);
        Assert.All(top, t => Assert.Equal(["index", "name", "probability"], t.EnumerateObject().Select(p => p.Name)));
        var probabilities = top.Select(t => t.GetProperty("probability").GetDouble()).ToList();
        Assert.Equal(probabilities.OrderDescending(), probabilities);
        Assert.Equal(ImageNetClassifier.Classes[top[0].GetProperty("index").GetInt32()], top[0].GetProperty("name").GetString());
    }

    [Fact]
    public void Classify_errors_name_what_is_wrong()
    {
        var missing = ProcessRun.Start(TestPaths.Nbh, ["classify", "--model", "resnet50", "--weights", folder.File("none.pth"), "--image", image]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains($"--weights: there is no file {folder.File("none.pth")}.", missing.Output);
        Assert.Contains("data-scripts/weights.sh", missing.Output);

        var unknown = ProcessRun.Start(TestPaths.Nbh, ["classify", "--model", "alexnet", "--weights", weights, "--image", image]);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("Unknown model 'alexnet'. Use one of: vgg16, vgg16_bn, vgg19, resnet50.", unknown.Output);

        var wrongModel = ProcessRun.Start(TestPaths.Nbh, ["classify", "--model", "vgg19", "--weights", weights, "--image", image]);
        Assert.Equal(1, wrongModel.ExitCode);
        Assert.Contains("does not fit vgg19", wrongModel.Output);
    }
}

/// <summary>One ResNet-50 checkpoint and one image, written once for all the command tests.</summary>
public sealed class ResNetCheckpoint : IDisposable
{
    public ResNetCheckpoint()
    {
        manual_seed(5);
        using var model = Backbones.Create(BackboneKind.ResNet50);
        Weights = Folder.File("resnet50-test.pth");
        model.save_py(Weights);
        Image = Folder.File("image.png");
        ImageIO.SaveRgb(rand(3, 180, 240), Image);
    }

    public TempFolder Folder { get; } = new();
    public string Weights { get; }
    public string Image { get; }

    public void Dispose() => Folder.Dispose();
}
