using System.Collections.Concurrent;
using System.Globalization;

namespace NotebookHelpers.Metrics;

/// <summary>Whether a larger or a smaller value of a metric is the better one.</summary>
public enum Better { Higher, Lower }

/// <summary>
/// One metric as every part of the series describes it: the benchmark code that compares systems, the folder
/// evaluations, the results record and the HTML report all read direction and format from here, so that "lower is
/// better" is a property of the metric, not a string test scattered over the code.
/// </summary>
/// <param name="Name">The name used in tables, JSON and the results record (the benchmark's spelling: <c>AUC_Judd</c>).</param>
/// <param name="Direction">Which way is better.</param>
/// <param name="Format">A .NET numeric format for tables (<c>F3</c>, <c>P1</c>, ...).</param>
/// <param name="Symbol">How the paper writes it (for the notebooks' Markdown and the report's headers).</param>
public sealed record MetricSpec(string Name, Better Direction, string Format = "F3", string? Symbol = null)
{
    /// <summary>True when <paramref name="value"/> is strictly better than <paramref name="other"/>; NaN is never better.</summary>
    public bool IsBetter(double value, double other) =>
        Direction == Better.Higher ? value > other : value < other;

    /// <summary>The value in this metric's format, invariant culture; NaN as a dash.</summary>
    public string FormatValue(double value) =>
        double.IsNaN(value) ? "–" : value.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>An arrow that tells a table's reader the direction: ↑ or ↓.</summary>
    public string Arrow => Direction == Better.Higher ? "↑" : "↓";
}

/// <summary>
/// The series' metrics by name. Each paper registers its own (its metrics class does so in a static constructor
/// or its module initialiser); the report and the results record look them up here.
/// </summary>
public static class MetricRegistry
{
    static readonly ConcurrentDictionary<string, MetricSpec> Specs = new(StringComparer.Ordinal);

    /// <summary>Adds <paramref name="spec"/>; registering the same spec twice is harmless, a different one under the same name is an error.</summary>
    public static MetricSpec Register(MetricSpec spec)
    {
        var existing = Specs.GetOrAdd(spec.Name, spec);
        if (existing != spec)
            throw new InvalidOperationException($"Metric '{spec.Name}' is already registered as {existing}; it cannot also be {spec}.");
        return spec;
    }

    /// <summary>The spec of a registered metric, or null.</summary>
    public static MetricSpec? Find(string name) => Specs.TryGetValue(name, out var spec) ? spec : null;

    /// <summary>The spec of a registered metric.</summary>
    /// <exception cref="KeyNotFoundException">No metric of that name was registered.</exception>
    public static MetricSpec Get(string name) => Find(name)
        ?? throw new KeyNotFoundException($"No metric named '{name}' is registered; known: {string.Join(", ", Specs.Keys.Order(StringComparer.Ordinal))}.");

    /// <summary>Every registered metric, by name.</summary>
    public static IReadOnlyList<MetricSpec> All => [.. Specs.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];
}
