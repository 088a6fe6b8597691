using NotebookHelpers.Core;

namespace NotebookHelpers.Data;

/// <summary>
/// The torchvision ImageNet checkpoints the papers start from, by the file names torchvision publishes (the part after
/// the dash is the start of the file's SHA-256). They live in <c>weights/</c>, or in <c>NBH_WEIGHTS_DIR</c>.
/// </summary>
public static class PretrainedWeightsCatalog
{
    public const string FolderVariable = "NBH_WEIGHTS_DIR";

    public static IReadOnlyList<(string Model, string File, string UsedBy)> All { get; } =
    [
        ("vgg16", "vgg16-397923af.pth", "SalGAN encoder, SPIGAN perceptual loss, Score-CAM demo"),
        ("vgg16_bn", "vgg16_bn-6c64b313.pth", "SegNet encoder"),
        ("vgg19", "vgg19-dcbb9e9d.pth", "SPIGAN perceptual loss"),
        ("resnet50", "resnet50-0676ba61.pth", "Score-CAM demo"),
    ];

    public static string Folder =>
        Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } folder ? Path.GetFullPath(folder) : Path.Combine(RepoPaths.Root, "weights");

    /// <summary>One doctor line per checkpoint: found, or what to do (the notebooks fall back to random initialisation).</summary>
    public static IEnumerable<CheckResult> Check() => All.Select(w =>
    {
        var path = Path.Combine(Folder, w.File);
        return File.Exists(path)
            ? new CheckResult("weights", w.Model, CheckState.Ok, RepoPaths.Display(path))
            : new CheckResult("weights", w.Model, CheckState.Missing, $"no {RepoPaths.Display(path)}",
                $"Needed for pretrained {w.UsedBy}; without it notebooks start from random weights. Put torchvision's {w.File} there (or set {FolderVariable}).");
    });
}
