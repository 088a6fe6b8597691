using System.Runtime.CompilerServices;
using NotebookHelpers.Data;
using NotebookHelpers.Metrics;

namespace NotebookHelpers.Papers.SalGan;

/// <summary>
/// What SalGAN adds to the series' shared catalogues when the library loads: the benchmark's metrics to the metric
/// registry (the report and the results record read their directions there) and SALICON to the datasets
/// <c>nbh doctor</c> lists. The kind folders never name the paper; it names itself here.
/// </summary>
public static class SalGanCatalog
{
    public static readonly DatasetInfo Salicon = new("salicon", "SALICON", "SalGAN", "data-scripts/salicon.sh", "~3 GB");

#pragma warning disable CA2255 // the catalogues must be complete whichever type a program touches first
    [ModuleInitializer]
    internal static void Register()
    {
        foreach (var spec in SaliencyMetricSpecs.All) MetricRegistry.Register(spec);
        DatasetCatalog.Register(Salicon);
    }
#pragma warning restore CA2255
}
