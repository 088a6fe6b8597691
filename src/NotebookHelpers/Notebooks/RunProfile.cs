using NotebookHelpers.Core;

namespace NotebookHelpers.Notebooks;

/// <summary>
/// How big a run is. Every notebook runs under each profile; only sizes and schedules change.
/// <list type="bullet">
/// <item><c>smoke</c>: CPU, seconds per notebook, tiny synthetic data; what CI runs.</item>
/// <item><c>workshop</c>: minutes on a laptop CPU, seconds on a GPU; enough to see the method work.</item>
/// <item><c>paper</c>: the paper's data and schedule, on a GPU.</item>
/// </list>
/// </summary>
public sealed record RunProfile(string Name, string Description)
{
    /// <summary>The environment variable the runner and users set.</summary>
    public const string Variable = "NBH_PROFILE";

    public static readonly RunProfile Smoke = new("smoke", "CPU, seconds per notebook, tiny synthetic data (what CI runs)");
    public static readonly RunProfile Workshop = new("workshop", "minutes on a laptop CPU or seconds on a GPU");
    public static readonly RunProfile Paper = new("paper", "the paper's data and schedule, on a GPU");

    public static IReadOnlyList<RunProfile> All { get; } = [Smoke, Workshop, Paper];

    /// <summary>The profile named by NBH_PROFILE; without it, <c>workshop</c> on a GPU and <c>smoke</c> otherwise.</summary>
    public static RunProfile Current => FromEnvironment(Environment.GetEnvironmentVariable(Variable), () => TorchRuntime.OnGpu);

    /// <summary>The default when nothing is asked for: what a machine can do in reasonable time.</summary>
    public static RunProfile Default(bool onGpu) => onGpu ? Workshop : Smoke;

    /// <summary>Parses a profile name (case-insensitive); an unknown name is an error that lists the valid ones.</summary>
    public static RunProfile Parse(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown profile '{name}'. Use one of: {string.Join(", ", All.Select(p => p.Name))}.", nameof(name));

    /// <summary>The profile a value of NBH_PROFILE names; empty means the default for the machine.</summary>
    public static RunProfile FromEnvironment(string? value, Func<bool> onGpu) =>
        string.IsNullOrWhiteSpace(value) ? Default(onGpu()) : Parse(value);

    /// <summary>Picks the value for this profile: <c>profile.Choose(smoke: 2, workshop: 200, paper: 120_000)</c>.</summary>
    public T Choose<T>(T smoke, T workshop, T paper) => Name switch
    {
        "smoke" => smoke,
        "workshop" => workshop,
        _ => paper,
    };


    public override string ToString() => Name;
}
