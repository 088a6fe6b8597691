namespace NotebookHelpers.Metrics;

/// <summary>
/// The segmentation metrics of SegNet (and later SPIGAN) as <see cref="MetricSpec"/>s: the FCN evaluation's four
/// confusion-matrix scores and SegNet's boundary F1 (<see cref="SegmentationMetrics"/>). All are fractions where
/// higher is better, shown as percentages, as the papers print them. The symbols are the papers' column headers.
/// </summary>
public static class SegmentationMetricSpecs
{
    public static readonly MetricSpec PixelAccuracy = new("pixel_accuracy", Better.Higher, "P1", "global");
    public static readonly MetricSpec MeanAccuracy = new("mean_accuracy", Better.Higher, "P1", "class avg.");
    public static readonly MetricSpec MeanIoU = new("mIoU", Better.Higher, "P1", "mIoU");
    public static readonly MetricSpec FrequencyWeightedIoU = new("fwIoU", Better.Higher, "P1", "f.w. IU");
    public static readonly MetricSpec BoundaryF1 = new("BF", Better.Higher, "P1", "BF");

    /// <summary>The five in the order of <see cref="SegmentationScores.Named"/>.</summary>
    public static IReadOnlyList<MetricSpec> All { get; } = [PixelAccuracy, MeanAccuracy, MeanIoU, FrequencyWeightedIoU, BoundaryF1];

    /// <summary>Registers the five in <see cref="MetricRegistry"/>; calling it again is harmless.</summary>
    public static void Register()
    {
        foreach (var spec in All) MetricRegistry.Register(spec);
    }

    /// <summary>The spec of one of the five by name.</summary>
    public static MetricSpec Get(string name) => All.FirstOrDefault(s => s.Name == name)
        ?? throw new KeyNotFoundException($"'{name}' is not a segmentation metric; they are {string.Join(", ", All.Select(s => s.Name))}.");
}
