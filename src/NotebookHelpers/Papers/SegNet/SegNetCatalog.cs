using System.Runtime.CompilerServices;
using NotebookHelpers.Data;
using NotebookHelpers.Metrics;

namespace NotebookHelpers.Papers.SegNet;

/// <summary>
/// What SegNet adds to the series' catalogues when the library loads: the segmentation metrics to the metric registry
/// (SPIGAN registers the same specs, which is harmless) and VOC 2012 and CamVid to the datasets <c>nbh doctor</c> lists.
/// </summary>
public static class SegNetCatalog
{
    /// <summary>Pixel accuracy within a pixel of a label boundary (<see cref="SegNetExperiment.BoundaryPixelAccuracy"/>), as notebook 02 records it.</summary>
    public static readonly MetricSpec BoundaryAccuracy = new("boundary accuracy", Better.Higher, "P1", "boundary acc.");

#pragma warning disable CA2255 // the catalogues must be complete whichever type a program touches first
    [ModuleInitializer]
    internal static void Register()
    {
        SegmentationMetricSpecs.Register();
        MetricRegistry.Register(BoundaryAccuracy);
        DatasetCatalog.Register(PascalVoc.Info);
        DatasetCatalog.Register(CamVid.Info);
    }
#pragma warning restore CA2255
}
