using NotebookHelpers.Papers.SalGan;

namespace NotebookHelpers.Tests.Papers.SalGan;

public class SalGanReferenceTests
{
    [Fact]
    public void Table_3_gains_are_the_ones_the_notebook_discusses()
    {
        double Gain(string metric) => SalGanReference.Paper("SalGAN", metric)!.Value - SalGanReference.Paper("BCE/4", metric)!.Value;
        Assert.Equal(0.016, Gain("sAUC"), 1e-9);
        Assert.Equal(0.009, Gain("NSS"), 1e-9);
        Assert.Equal(0.014, Gain("CC"), 1e-9);
        Assert.Equal(0.176, Gain("IG"), 1e-9);
    }

    [Fact]
    public void Every_reference_names_a_benchmark_metric_and_its_source()
    {
        foreach (var v in SalGanReference.ValidationTable3.Concat(SalGanReference.TestTable4).Concat(SalGanReference.ArticleRow))
        {
            Assert.NotNull(SaliencyMetricSpecs.Get(v.Metric));
            Assert.Contains(v.Source.StartsWith("paper", StringComparison.Ordinal) ? "§" : "article", v.Source);
        }
        Assert.Null(SalGanReference.Article("BCE/4", "NSS"));
        Assert.Null(SalGanReference.Paper("SalGAN", "KLD"));
    }
}
