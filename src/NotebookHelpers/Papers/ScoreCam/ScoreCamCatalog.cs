using System.Runtime.CompilerServices;
using NotebookHelpers.Data;
using NotebookHelpers.Metrics;

namespace NotebookHelpers.Papers.ScoreCam;

/// <summary>
/// What the Score-CAM paper's defect experiment adds to the series' catalogues when the library loads: the defect
/// classifier's scores, the faithfulness metrics and the timing to the metric registry and DAGM 2007 to the datasets <c>nbh doctor</c> lists.
/// </summary>
public static class ScoreCamCatalog
{
    /// <summary>The share of held-out images classified right.</summary>
    public static readonly MetricSpec Accuracy = new("accuracy", Better.Higher, "P1", "acc.");

    /// <summary>The mean of the recalls of defect-free and defect images: 0.5 for any constant answer, whatever the imbalance.</summary>
    public static readonly MetricSpec BalancedAccuracy = new("balanced_accuracy", Better.Higher, "P1", "balanced acc.");

    /// <summary>The share of defect images found.</summary>
    public static readonly MetricSpec DefectRecall = new("defect_recall", Better.Higher, "P1", "defect recall");

    /// <summary>Milliseconds for one explanation of one image (the article's timing table).</summary>
    public static readonly MetricSpec TimeMs = new("time_ms", Better.Lower, "F0", "time (ms)");

#pragma warning disable CA2255 // the catalogues must be complete whichever type a program touches first
    [ModuleInitializer]
    internal static void Register()
    {
        MetricRegistry.Register(Accuracy);
        MetricRegistry.Register(BalancedAccuracy);
        MetricRegistry.Register(DefectRecall);
        MetricRegistry.Register(TimeMs);
        CamMetricSpecs.Register();
        DatasetCatalog.Register(Dagm2007.Info);
    }
#pragma warning restore CA2255
}
