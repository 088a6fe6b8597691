using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using NotebookHelpers.Cam;
using NotebookHelpers.Core;
using NotebookHelpers.Imaging;
using NotebookHelpers.Models;
using NotebookHelpers.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Cli.Commands;

/// <summary>
/// <c>nbh explain</c>: why a classifier gives an image the class it gives, as a CAM (Grad-CAM, Grad-CAM++, Score-CAM,
/// Faster Score-CAM) or a guided gradient, written as an overlay and as the raw map.
/// </summary>
/// <remarks>
/// The image is resized straight to 224 × 224 (bilinear, antialiased, no 256-then-crop, so the map covers the whole
/// picture) and normalised with the ImageNet mean and standard deviation as torchvision's models expect. The target
/// is the predicted class unless <c>--class</c> names one; gradient methods explain its logit, Score-CAM its softmax
/// score. <c>--raw</c> is the map itself at 224 × 224, one 8-bit grey channel, value = round(255 · map); for
/// guided-bp, whose result is an RGB gradient, it is the mean over the channels of the displayable gradient
/// (<see cref="GuidedBackprop.Displayable"/>), and <c>--out</c> is that displayable gradient rather than an overlay.
/// </remarks>
public static class ExplainCommand
{
    const int InputSize = 224;
    const string WeightsHint = "torchvision's checkpoints download with data-scripts/weights.sh.";
    const string GuidedBackpropagation = "guided-bp";

    /// <summary>Random weights are seeded, so two runs without <c>--weights</c> explain the same network.</summary>
    public const int RandomWeightsSeed = 0;

    /// <summary>JSON as a reader types it: <c>"grad-cam++"</c>, not <c>"grad-cam\u002B\u002B"</c> (stdout is no HTML page).</summary>
    static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    static readonly string[] Methods = ["grad-cam", "grad-cam++", "score-cam", "faster-score-cam", GuidedBackpropagation];

    /// <summary>The layer a CAM explains by default: the last convolution's ReLU (VGG) or the last stage (ResNet).</summary>
    internal static readonly Dictionary<BackboneKind, string> DefaultLayers = new()
    {
        [BackboneKind.Vgg16] = "features.29", // the ReLU after conv5_3
        [BackboneKind.Vgg19] = "features.35", // the ReLU after conv5_4
        [BackboneKind.ResNet50] = "layer4",
    };

    /// <summary>What <c>--model</c> named: the network in evaluation mode, its class names, and its default layer.</summary>
    sealed record ExplainedModel(string Name, nn.Module<Tensor, Tensor> Network, IReadOnlyList<string> ClassNames, string DefaultLayer, bool RandomWeights, int InputSize = InputSize)
        : IDisposable
    {
        public void Dispose() => Network.Dispose();
    }

    /// <summary>What one explanation found: the classes, the target's probability, and the two pictures (on the CPU).</summary>
    sealed record Explanation(int PredictedClass, int TargetClass, double Score, string? Layer, Tensor Display, Tensor Raw);

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = $"The architecture: {string.Join(", ", DefaultLayers.Keys.Select(k => k.Name()))}; or the folder `nbh train defect-classifier` wrote (its newest checkpoint).", Required = true };
        var weights = new Option<string?>("--weights") { Description = "A torchvision ImageNet checkpoint for the model; without it the weights are random (seeded)." };
        var image = new Option<string>("--image") { Description = "A PNG or JPEG image.", Required = true };
        var method = new Option<string>("--method") { Description = "How to explain.", DefaultValueFactory = _ => "grad-cam" };
        method.AcceptOnlyFromAmong(Methods);
        var layer = new Option<string?>("--layer") { Description = "The module path of the layer a CAM explains (features.29 for vgg16, features.35 for vgg19, layer4 for resnet50)." };
        var targetClass = new Option<int?>("--class") { Description = "The class to explain, 0 to K-1; the predicted class by default." };
        var output = new Option<string?>("--out") { Description = "Write the heatmap over the 224×224 image here (PNG); for guided-bp the guided gradient." };
        var raw = new Option<string?>("--raw") { Description = "Write the map itself here: 224×224, 8-bit grey PNG, value = round(255 · map)." };
        var json = new Option<bool>("--json") { Description = "Print exactly one JSON object and nothing else on standard output." };
        var force = new Option<bool>("--force") { Description = "Overwrite the --out and --raw files if they exist." };
        var command = new Command("explain", "Explain an image's class with a CAM or guided backpropagation: an overlay, the raw map, and the class explained.")
        {
            model, weights, image, method, layer, targetClass, output, raw, json, force,
        };
        command.SetAction(parse =>
        {
            var chosen = parse.GetValue(method)!;
            var classIndex = parse.GetValue(targetClass);
            if (classIndex < 0) throw new UsageException($"--class {classIndex}: a class is 0 or more; leave --class out to explain the predicted class.");
            var layerPath = parse.GetValue(layer);
            if (layerPath is not null && chosen == GuidedBackpropagation)
                throw new UsageException("--layer: guided-bp explains the input, not a layer; leave --layer out.");
            var imageFile = CliInput.ExistingFile(parse.GetValue(image)!, "--image");
            var weightsFile = parse.GetValue(weights) is { } w ? CliInput.ExistingFile(w, "--weights", WeightsHint) : null;
            var (outFile, rawFile) = OutputFiles(parse.GetValue(output), parse.GetValue(raw), imageFile, parse.GetValue(force));

            // The image first: a bad one fails in milliseconds, not after the network is built.
            using var loaded = ImageIO.LoadRgb(imageFile);
            using var explained = ResolveModel(parse.GetValue(model)!, weightsFile);
            using var picture = ImageTransforms.Resize(loaded, explained.InputSize, explained.InputSize);
            if (classIndex >= explained.ClassNames.Count)
                throw new UsageException($"--class {classIndex}: {explained.Name} has {explained.ClassNames.Count} classes; give 0 to {explained.ClassNames.Count - 1}.");
            var cam = chosen == GuidedBackpropagation ? null : Cam(chosen, explained.Network, layerPath ?? explained.DefaultLayer);
            if (explained.RandomWeights)
                Console.Error.WriteLine($"warning: {explained.Name} has random weights (seed {RandomWeightsSeed}): the map explains an untrained network. " +
                                        "Give --weights FILE for torchvision's ImageNet weights (data-scripts/weights.sh downloads them).");

            var result = Explain(explained.Network, picture, cam, classIndex);
            if (outFile is not null) ImageIO.SaveRgb(result.Display, outFile);
            if (rawFile is not null) ImageIO.SaveGray(result.Raw, rawFile);
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    predicted_class = result.PredictedClass,
                    target_class = result.TargetClass,
                    score = result.Score,
                    method = chosen,
                    layer = result.Layer,
                }, Json));
            else
                WriteSummary(explained, chosen, result, outFile, rawFile);
            return 0;
        });
        return command;
    }

    /// <summary>The architectures <c>explain</c> knows a default layer for; any other name is a usage error.</summary>
    internal static BackboneKind Architecture(string name)
    {
        var kind = Backbones.Parse(name);
        return DefaultLayers.ContainsKey(kind)
            ? kind
            : throw new UsageException($"--model {name}: explain knows {string.Join(", ", DefaultLayers.Keys.Select(k => k.Name()))}.");
    }

    /// <summary>
    /// The one place that turns <c>--model</c> into a network: today the name of a built-in ImageNet architecture, with
    /// torchvision's checkpoint or seeded random weights. Another kind of model (a trained classifier's checkpoint
    /// folder, with its own class names and default layer) is one more case here, returning its own
    /// <see cref="ExplainedModel"/>; nothing else in the command changes.
    /// </summary>
    static ExplainedModel ResolveModel(string model, string? weightsFile)
    {
        if (Directory.Exists(model)) return DefectClassifierFolder(model, weightsFile);
        var kind = Architecture(model);
        if (weightsFile is null) TorchRuntime.Seed(RandomWeightsSeed);
        var network = Backbones.Create(kind);
        try
        {
            if (weightsFile is not null) PretrainedWeights.Load(network, weightsFile, kind);
            network.to(TorchRuntime.Device);
            return new ExplainedModel(kind.Name(), network, ImageNetClassifier.Classes, DefaultLayers[kind], RandomWeights: weightsFile is null);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A defect classifier trained by <c>nbh train defect-classifier</c>: the newest checkpoint of the folder, explained
    /// at <c>layer2</c> (the article's layer), at the size it was trained at (a 64×64 smoke classifier sees a 64×64 image).
    /// </summary>
    static ExplainedModel DefectClassifierFolder(string folder, string? weightsFile)
    {
        if (weightsFile is not null) throw new UsageException($"--weights: {folder} is a trained classifier's folder, which holds its own weights; leave --weights out.");
        var (network, config, checkpoint) = NotebookHelpers.Papers.ScoreCam.DefectClassifierRun.LoadNetwork(folder, TorchRuntime.Device);
        Console.Error.WriteLine($"Using the checkpoint {RepoPaths.Display(checkpoint.Folder)} (step {checkpoint.Step}, trained on {config.Data} at {config.Training.InputSize}×{config.Training.InputSize}).");
        return new ExplainedModel("defect classifier", network, ["defect-free", "defect"], NotebookHelpers.Papers.ScoreCam.DefectClassifier.TargetLayer,
            RandomWeights: false, config.Training.InputSize);
    }

    /// <summary>The two output files, checked before any work; neither may be the other or the image itself, not even with --force.</summary>
    static (string? Out, string? Raw) OutputFiles(string? output, string? raw, string imageFile, bool force)
    {
        var outFile = output is null ? null : CliInput.OutputPng(output, "--out", force);
        var rawFile = raw is null ? null : CliInput.OutputPng(raw, "--raw", force);
        if (outFile is not null && outFile == rawFile)
            throw new UsageException($"--out and --raw are both {outFile}; give two files.");
        foreach (var (option, file) in new[] { ("--out", outFile), ("--raw", rawFile) })
            if (file == imageFile) throw new UsageException($"{option} {file} is the --image itself; choose another name.");
        return (outFile, rawFile);
    }

    /// <summary>
    /// The target (the prediction unless <paramref name="classIndex"/>), its probability, and the map: of
    /// <paramref name="cam"/>, or guided backpropagation's when it is null.
    /// </summary>
    static Explanation Explain(nn.Module<Tensor, Tensor> network, Tensor picture, CamBase? cam, int? classIndex)
    {
        using var scope = NewDisposeScope();
        var input = ImageTransforms.NormalizeImageNet(picture).unsqueeze(0).to(TorchRuntime.Device);
        Tensor probabilities;
        using (no_grad())
            probabilities = nn.functional.softmax(network.call(input), 1)[0].to(float64).cpu();
        var predicted = (int)probabilities.argmax().item<long>();
        var target = classIndex ?? predicted;
        var score = probabilities[target].item<double>();
        if (cam is null)
        {
            var display = GuidedBackprop.Displayable(new GuidedBackprop(network).Gradients(input, CamTarget.Class(target)))[0].cpu();
            return new Explanation(predicted, target, score, null, display.MoveToOuterDisposeScope(), display.mean([0], keepdim: true).MoveToOuterDisposeScope());
        }
        var map = cam.Maps(input, CamTarget.Class(target)).cpu();
        var overlay = Overlay.Heatmap(picture, map);
        return new Explanation(predicted, target, score, cam.TargetLayerPath, overlay.MoveToOuterDisposeScope(), map.MoveToOuterDisposeScope());
    }

    static CamBase Cam(string method, nn.Module<Tensor, Tensor> network, string layer)
    {
        try
        {
            return method switch
            {
                "grad-cam" => new GradCam(network, layer),
                "grad-cam++" => new GradCamPlusPlus(network, layer),
                "score-cam" => new ScoreCam(network, layer),
                "faster-score-cam" => new FasterScoreCam(network, layer),
                _ => throw new UsageException($"--method {method}: use one of {string.Join(", ", Methods)}."),
            };
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--layer {layer}: {ErrorBoundary.OneLine(e)}");
        }
    }

    static void WriteSummary(ExplainedModel explained, string method, Explanation result, string? outFile, string? rawFile)
    {
        string Named(int c) => $"{c} ({explained.ClassNames[c]})";
        var at = result.Layer is null ? "" : $" at {result.Layer}";
        Console.WriteLine($"{explained.Name}{(explained.RandomWeights ? " (random weights)" : "")}, {method}{at}: " +
                          $"class {Named(result.TargetClass)}, p = {result.Score.ToString("G4", CultureInfo.InvariantCulture)}; predicted {Named(result.PredictedClass)}.");
        foreach (var (what, file) in new[] { ("overlay", outFile), ("raw map", rawFile) })
            if (file is not null) Console.WriteLine($"{what}: {file}");
    }
}
