using NotebookHelpers.Core;

namespace NotebookHelpers.Data;

/// <summary>A dataset of the series: its folder name under <c>data/</c>, what it is, which notebook uses it, its script.</summary>
public sealed record DatasetInfo(string Name, string Title, string UsedBy, string Script, string Size);

/// <summary>The datasets the papers train and evaluate on (data-scripts/README.md has sizes, licences and layouts).</summary>
public static class DatasetCatalog
{
    public static IReadOnlyList<DatasetInfo> All { get; } =
    [
        new("salicon", "SALICON", "SalGAN", "data-scripts/salicon.sh", "~3 GB"),
        new("voc2012", "PASCAL VOC 2012", "SegNet, Score-CAM", "data-scripts/voc2012.sh", "~2 GB"),
        new("camvid", "CamVid (SegNet split)", "SegNet", "data-scripts/camvid.sh", "~0.6 GB"),
        new("places2", "Places2 (Places365)", "GLCIC", "data-scripts/places2.sh", "24 GB+"),
        new("synthia", "SYNTHIA-RAND-CITYSCAPES", "SPIGAN", "data-scripts/synthia.sh", "~20 GB"),
        new("cityscapes", "Cityscapes", "SPIGAN", "data-scripts/cityscapes.sh", "~11 GB"),
        new("dagm2007", "DAGM 2007", "Score-CAM", "data-scripts/dagm2007.sh", "~6 GB"),
    ];

    /// <summary>One doctor line per dataset: found where, or what to run to get it.</summary>
    public static IEnumerable<CheckResult> Check() => All.Select(d =>
    {
        var folder = DatasetLocation.Resolve(d.Name);
        if (Directory.Exists(folder))
            return new CheckResult("datasets", d.Name, CheckState.Ok, $"{d.Title} at {RepoPaths.Display(folder)}");
        var script = Path.Combine(RepoPaths.Root, d.Script);
        var action = File.Exists(script)
            ? $"Run {d.Script} ({d.Size}), or set {DatasetLocation.VariableFor(d.Name)}; needed by {d.UsedBy} beyond synthetic data."
            : $"Its download script comes with the {d.UsedBy} notebook; data-scripts/README.md gives the layout. Synthetic data stands in meanwhile.";
        return new CheckResult("datasets", d.Name, CheckState.Missing, $"no {RepoPaths.Display(folder)}", action);
    });
}
