using System.Runtime.CompilerServices;
using NotebookHelpers.Data;
using NotebookHelpers.Metrics;

namespace NotebookHelpers.Papers.Glcic;

/// <summary>
/// What GLCIC adds to the series' catalogues when the library loads: the image quality metrics and the seam error to
/// the metric registry, Places2 and CelebA-HQ to the datasets <c>nbh doctor</c> lists.
/// </summary>
public static class GlcicCatalog
{
    /// <summary>L1 (0–255) on the hole's pixels within two pixels of its edge (<see cref="GlcicExperiment.SeamL1"/>): what blending should lower.</summary>
    public static readonly MetricSpec SeamL1 = new("seam L1", Better.Lower, "F2", "seam L1");

#pragma warning disable CA2255 // the catalogues must be complete whichever type a program touches first
    [ModuleInitializer]
    internal static void Register()
    {
        ImageQualityMetricSpecs.Register();
        MetricRegistry.Register(SeamL1);
        DatasetCatalog.Register(Places2.Info);
        DatasetCatalog.Register(CelebAHq.Info);
    }
#pragma warning restore CA2255
}
