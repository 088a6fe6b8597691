using System.Runtime.CompilerServices;
using NotebookHelpers.Data;

namespace NotebookHelpers.Papers.Glcic;

/// <summary>
/// What GLCIC adds to the series' catalogues when the library loads: Places2 and CelebA-HQ to the datasets
/// <c>nbh doctor</c> lists. The GLCIC metrics join the metric registry here when they land.
/// </summary>
public static class GlcicCatalog
{
#pragma warning disable CA2255 // the catalogues must be complete whichever type a program touches first
    [ModuleInitializer]
    internal static void Register()
    {
        RegisterDatasets();
    }
#pragma warning restore CA2255

    private static void RegisterDatasets()
    {
        DatasetCatalog.Register(Places2.Info);
        DatasetCatalog.Register(CelebAHq.Info);
    }
}
