using System.Runtime.CompilerServices;

namespace NotebookHelpers.Metrics;

/// <summary>
/// The faithfulness metrics of <see cref="CamFaithfulness"/> as <see cref="MetricSpec"/>s, as the Score-CAM paper
/// reports them: Average Drop and Average Increase in percent (already × 100, so a plain number format), the areas
/// under the insertion and deletion curves, and the energy-based pointing game as a share.
/// </summary>
public static class CamMetricSpecs
{
    public static readonly MetricSpec AverageDrop = new("average_drop", Better.Lower, "F2", "Average Drop (%)");
    public static readonly MetricSpec AverageIncrease = new("average_increase", Better.Higher, "F2", "Average Increase (%)");
    public static readonly MetricSpec InsertionAuc = new("insertion_auc", Better.Higher, "F4", "Insertion (AUC)");
    public static readonly MetricSpec DeletionAuc = new("deletion_auc", Better.Lower, "F4", "Deletion (AUC)");
    public static readonly MetricSpec EnergyPointingGame = new("energy_pointing_game", Better.Higher, "P1", "Energy-based pointing game");

    /// <summary>The five, in the order the paper's sections take them.</summary>
    public static IReadOnlyList<MetricSpec> All { get; } = [AverageDrop, AverageIncrease, InsertionAuc, DeletionAuc, EnergyPointingGame];

#pragma warning disable CA2255 // the CAM methods serve every paper, so their metrics are in the registry whichever type a program touches first
    /// <summary>Registers the five in <see cref="MetricRegistry"/> (the library does so when it loads); calling it again is harmless.</summary>
    [ModuleInitializer]
    public static void Register()
    {
        foreach (var spec in All) MetricRegistry.Register(spec);
    }
#pragma warning restore CA2255
}
