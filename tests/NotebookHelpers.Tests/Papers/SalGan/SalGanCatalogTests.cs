using NotebookHelpers.Core;
using NotebookHelpers.Data;
using NotebookHelpers.Metrics;
using NotebookHelpers.Papers.SalGan;

namespace NotebookHelpers.Tests.Papers.SalGan;

public class SalGanCatalogTests
{
    [Fact]
    public void Loading_the_library_registers_the_eight_metrics_and_salicon()
    {
        // The module initialiser has run once anything of the library was touched; nothing here calls it.
        Assert.All(SaliencyMetricSpecs.All, spec => Assert.Same(spec, MetricRegistry.Get(spec.Name)));
        Assert.Equal(Better.Lower, MetricRegistry.Get("KLD").Direction);
        var salicon = Assert.Single(DatasetCatalog.All, d => d.Name == "salicon");
        Assert.Equal("SalGAN", salicon.UsedBy);
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, salicon.Script)), $"{salicon.Script} is not in the repository");
    }
}
