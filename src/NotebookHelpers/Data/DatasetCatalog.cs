using NotebookHelpers.Core;

namespace NotebookHelpers.Data;

/// <summary>A dataset of the series: its folder name under <c>data/</c>, what it is, which notebook uses it, its script.</summary>
public sealed record DatasetInfo(string Name, string Title, string UsedBy, string Script, string Size);

/// <summary>
/// The datasets the papers train and evaluate on (data-scripts/README.md has sizes, licences and layouts). Each paper
/// registers its own when the library loads; the datasets of papers still to come are listed as planned until then.
/// </summary>
public static class DatasetCatalog
{
    static readonly List<DatasetInfo> Registered = [];

    /// <summary>The registered datasets in the order registered, then the planned ones no paper has registered yet.</summary>
    public static IReadOnlyList<DatasetInfo> All
    {
        get
        {
            lock (Registered)
                return [.. Registered, .. Planned.Where(p => Registered.All(r => r.Name != p.Name))];
        }
    }

    /// <summary>Adds a paper's dataset; the same name twice is an error.</summary>
    public static void Register(DatasetInfo dataset)
    {
        lock (Registered)
        {
            if (Registered.Any(d => d.Name == dataset.Name))
                throw new InvalidOperationException($"Dataset '{dataset.Name}' is already registered.");
            Registered.Add(dataset);
        }
    }

#pragma warning disable CA2255 // doctor lists the datasets whichever type a program touches first
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void RegisterCheck() => EnvironmentCheck.Register(100, Check);
#pragma warning restore CA2255

    /// <summary>The datasets of the papers that have not landed yet: what they will need, for <c>nbh doctor</c>.</summary>
    static IReadOnlyList<DatasetInfo> Planned { get; } =
    [
        new("synthia", "SYNTHIA-RAND-CITYSCAPES", "SPIGAN", "data-scripts/synthia.sh", "~20 GB"),
        new("cityscapes", "Cityscapes", "SPIGAN", "data-scripts/cityscapes.sh", "~11 GB"),
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
