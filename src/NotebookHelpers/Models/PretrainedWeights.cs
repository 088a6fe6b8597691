using System.Security.Cryptography;
using System.Text.RegularExpressions;
using NotebookHelpers.Core;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace NotebookHelpers.Models;

/// <summary>A torchvision checkpoint the papers start from: the model, the file name torchvision publishes, who uses it.</summary>
public sealed record WeightsFile(BackboneKind Model, string FileName, string Size, string UsedBy);

/// <summary>A checkpoint that cannot be loaded; the message names the file, the key or hash at fault, and what to do.</summary>
public sealed class WeightsLoadException(string message) : Exception(message);

/// <summary>What a check of a checkpoint against a model found: nothing (it loads) or the problems, one line each.</summary>
public sealed record WeightsReport(string File, BackboneKind? Model, int Tensors, string? NamedHash, string? ActualHash, IReadOnlyList<string> Problems)
{
    public bool Fits => Problems.Count == 0;
}

/// <summary>
/// torchvision's ImageNet checkpoints: where they live (<c>weights/</c>, or <c>NBH_WEIGHTS_DIR</c>), how to read them
/// (PyTorch's zip and legacy formats through <see cref="TorchCheckpointReader"/>, safetensors through
/// TorchSharp.PyBridge), and checks that say exactly what does not fit before anything is copied.
/// </summary>
public static class PretrainedWeights
{
    public const string FolderVariable = "NBH_WEIGHTS_DIR";

    /// <summary>The script that downloads the checkpoints and checks their hashes.</summary>
    public const string Script = "data-scripts/weights.sh";

#pragma warning disable CA2255 // doctor lists the weights whichever type a program touches first
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void RegisterCheck() => EnvironmentCheck.Register(200, DoctorCheck);
#pragma warning restore CA2255

    public static IReadOnlyList<WeightsFile> Catalog { get; } =
    [
        new(BackboneKind.Vgg16, "vgg16-397923af.pth", "528 MB", "SalGAN encoder, SPIGAN perceptual loss, Score-CAM demo"),
        new(BackboneKind.Vgg16Bn, "vgg16_bn-6c64b313.pth", "528 MB", "SegNet encoder"),
        new(BackboneKind.Vgg19, "vgg19-dcbb9e9d.pth", "548 MB", "SPIGAN perceptual loss"),
        new(BackboneKind.ResNet50, "resnet50-0676ba61.pth", "98 MB", "Score-CAM demo"),
    ];

    public static string Folder =>
        Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } folder ? Path.GetFullPath(folder) : Path.Combine(RepoPaths.Root, "weights");

    public static WeightsFile For(BackboneKind kind) => Catalog.Single(w => w.Model == kind);

    /// <summary>Where the checkpoint of <paramref name="kind"/> is expected.</summary>
    public static string DefaultPath(BackboneKind kind) => Path.Combine(Folder, For(kind).FileName);

    /// <summary>The hash prefix torchvision puts in a file name (<c>vgg16-397923af.pth</c> → 397923af), or null.</summary>
    public static string? NamedHash(string path)
    {
        var match = Regex.Match(Path.GetFileName(path), @"-([0-9a-f]{8,64})\.(pth|pt|bin|safetensors)$");
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>The SHA-256 of a file, lower-case hex.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// The tensors of a checkpoint by name: PyTorch's zip or legacy format (<see cref="TorchCheckpointReader"/>), or
    /// safetensors (TorchSharp.PyBridge). A file that is none of these is an error naming it and saying how to get a
    /// good copy.
    /// </summary>
    public static Dictionary<string, Tensor> ReadStateDict(string path)
    {
        if (!File.Exists(path))
            throw new WeightsLoadException($"No checkpoint at {path}. Run {Script} to download torchvision's weights, or pass the path of yours.");
        try
        {
            return path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
                ? Safetensors.LoadStateDict(path)
                : TorchCheckpointReader.Read(path);
        }
        catch (Exception e) when (e is not WeightsLoadException)
        {
            throw new WeightsLoadException(
                $"{path} is not a readable PyTorch checkpoint or safetensors file ({e.Message}). " +
                $"If it was downloaded, the download is incomplete or corrupt: delete it and run {Script}.");
        }
    }

    /// <summary>
    /// Compares a checkpoint with a model without changing the model: the hash prefix in the file name (when there
    /// is one), then every key and shape. <paramref name="allowUnused"/> accepts keys the model lacks (an encoder
    /// taking the convolutions of a full classifier's checkpoint); missing <c>num_batches_tracked</c> buffers are
    /// accepted, as PyTorch does, because checkpoints saved before PyTorch 0.4.1 do not have them.
    /// </summary>
    public static WeightsReport Check(nn.Module model, string path, BackboneKind? kind = null, bool allowUnused = false, string? filePrefix = null)
    {
        var (report, file) = Inspect(model, path, kind, allowUnused, filePrefix);
        Dispose(file);
        return report;
    }

    /// <summary>
    /// Loads a checkpoint into <paramref name="model"/> after the checks of <see cref="Check"/>; on any problem
    /// nothing is copied and a <see cref="WeightsLoadException"/> lists what does not fit. With
    /// <paramref name="filePrefix"/>, only the file's keys under that prefix are used, without it: a part of a network
    /// (a saliency network's VGG encoder, say) takes <c>features.*</c> of a whole VGG16 checkpoint.
    /// </summary>
    public static WeightsReport Load(nn.Module model, string path, BackboneKind? kind = null, bool allowUnused = false, string? filePrefix = null)
    {
        var (report, file) = Inspect(model, path, kind, allowUnused, filePrefix);
        try
        {
            if (!report.Fits)
            {
                var shown = report.Problems.Take(5).Select(p => "  - " + p);
                var more = report.Problems.Count > 5 ? $"\n  ... and {report.Problems.Count - 5} more" : "";
                throw new WeightsLoadException(
                    $"{path} does not fit {(kind is { } k ? k.Name() : model.GetType().Name)}:\n{string.Join("\n", shown)}{more}");
            }
            using var noGrad = no_grad();
            foreach (var (name, target) in model.state_dict())
                if (file.TryGetValue(name, out var source))
                    target.copy_(source);
            return report;
        }
        finally
        {
            Dispose(file);
        }
    }

    static (WeightsReport Report, Dictionary<string, Tensor> File) Inspect(nn.Module model, string path, BackboneKind? kind, bool allowUnused, string? filePrefix)
    {
        var problems = new List<string>();
        var named = NamedHash(path);
        string? actual = null;
        if (named is not null && File.Exists(path))
        {
            actual = Sha256(path);
            if (!actual.StartsWith(named, StringComparison.Ordinal))
                problems.Add($"the SHA-256 of {Path.GetFileName(path)} starts with {actual[..named.Length]}, but its name says {named}: " +
                             $"the file is corrupt or not the one published under that name. Delete it and run {Script}.");
        }
        var file = ReadStateDict(path);
        if (filePrefix is not null)
        {
            var part = file.Where(kv => kv.Key.StartsWith(filePrefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[filePrefix.Length..], kv => kv.Value);
            Dispose(file.Where(kv => !kv.Key.StartsWith(filePrefix, StringComparison.Ordinal)).ToDictionary());
            file = part;
        }
        problems.AddRange(Mismatches(model.state_dict(), file, allowUnused));
        return (new WeightsReport(path, kind, file.Count, named, actual, problems), file);
    }

    static void Dispose(Dictionary<string, Tensor> tensors)
    {
        foreach (var t in tensors.Values) t.Dispose();
    }

    static IEnumerable<string> Mismatches(Dictionary<string, Tensor> expected, Dictionary<string, Tensor> found, bool allowUnused)
    {
        foreach (var (name, tensor) in expected)
        {
            if (!found.TryGetValue(name, out var other))
            {
                if (!name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
                    yield return $"key '{name}' is in the model but not in the file";
                continue;
            }
            if (!tensor.shape.SequenceEqual(other.shape))
                yield return $"key '{name}': the model expects {Shape(tensor)}, the file has {Shape(other)}";
        }
        if (!allowUnused)
            foreach (var name in found.Keys.Where(k => !expected.ContainsKey(k)))
                yield return $"key '{name}' is in the file but not in the model";
    }

    // `nbh weights check` prints shapes as PyTorch's state-dict errors do, [1000, 2048], not as Shapes.Format.
    static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    static readonly HashSet<BackboneKind> Announced = [];

    /// <summary>
    /// Loads torchvision's ImageNet weights for <paramref name="kind"/> from <see cref="DefaultPath"/> when the file
    /// is there and returns true; otherwise says once per process, in plain words with the command that gets them,
    /// that the model starts from random weights, and returns false. A file that is there but does not fit is an
    /// error, never a silent fallback.
    /// </summary>
    public static bool TryLoadImageNet(nn.Module model, BackboneKind kind, bool allowUnused = false, TextWriter? log = null, string? filePrefix = null)
    {
        var path = DefaultPath(kind);
        if (File.Exists(path))
        {
            Load(model, path, kind, allowUnused, filePrefix);
            return true;
        }
        lock (Announced)
            if (Announced.Add(kind))
                (log ?? Console.Out).WriteLine(
                    $"No ImageNet weights for {kind.Name()} ({RepoPaths.Display(path)}): starting from random initialisation. " +
                    $"To use them, run `{Script} {kind.Name()}` ({For(kind).Size}).");
        return false;
    }

    /// <summary>One doctor line per checkpoint: found, or what to do (the notebooks fall back to random initialisation).</summary>
    public static IEnumerable<CheckResult> DoctorCheck() => Catalog.Select(w =>
    {
        var path = Path.Combine(Folder, w.FileName);
        return File.Exists(path)
            ? new CheckResult("weights", w.Model.Name(), CheckState.Ok, RepoPaths.Display(path))
            : new CheckResult("weights", w.Model.Name(), CheckState.Missing, $"no {RepoPaths.Display(path)}",
                $"Needed for pretrained {w.UsedBy}; without it notebooks start from random weights. Run `{Script} {w.Model.Name()}` to get {w.FileName} ({w.Size}), or set {FolderVariable}.");
    });
}
