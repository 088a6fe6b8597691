using NotebookHelpers.Metrics;
using NotebookHelpers.Papers.SalGan;

namespace NotebookHelpers.Tests.Papers.SalGan;

public class SaliencyMetricSpecsTests
{
    [Fact]
    public void Kld_is_the_only_lower_is_better_metric_of_the_eight()
    {
        Assert.Equal(["KLD"], SaliencyMetricSpecs.All.Where(s => s.Direction == Better.Lower).Select(s => s.Name));
        Assert.Equal(8, SaliencyMetricSpecs.All.Select(s => s.Name).Distinct().Count());
    }

    [Fact]
    public void The_specs_come_in_the_order_the_benchmark_names_its_scores()
    {
        var scores = new SaliencyBenchmarkScores(new SaliencyScores(0.8, 0.7, 0.6, 1.5, 0.5, 0.9, 0.4), 0.1, 1);
        Assert.Equal(scores.Named().Select(n => n.Name), SaliencyMetricSpecs.All.Select(s => s.Name));
    }

    [Fact]
    public void An_unknown_name_is_refused_with_the_eight_it_could_be()
    {
        Assert.Same(SaliencyMetricSpecs.Kld, SaliencyMetricSpecs.Get("KLD"));
        var error = Assert.Throws<KeyNotFoundException>(() => SaliencyMetricSpecs.Get("kld"));
        Assert.Contains("AUC_Judd, AUC_Borji, sAUC, NSS, CC, KLD, SIM, IG", error.Message);
    }
}
