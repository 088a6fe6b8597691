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
#pragma warning disable CA2255 // the catalogues must be complete whichever type a program touches first
    [ModuleInitializer]
    internal static void Register()
    {
        SegmentationMetricSpecs.Register();
        DatasetCatalog.Register(PascalVoc.Info);
        DatasetCatalog.Register(CamVid.Info);
    }
#pragma warning restore CA2255
}
