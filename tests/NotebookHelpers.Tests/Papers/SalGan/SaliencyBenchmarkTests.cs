using NotebookHelpers.Papers.SalGan;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.SalGan;

public class SaliencyBenchmarkTests
{
    // Two 4x4 images, fixations at two pixels each; the density is the fixations blurred by hand (peak 1, neighbours 0.5).
    static (Tensor Fixations, Tensor Density) Scene()
    {
        var fixations = zeros(2, 4, 4, dtype: float64);
        fixations[0, 1, 1] = tensor(1.0);
        fixations[0, 2, 3] = tensor(1.0);
        fixations[1, 0, 0] = tensor(1.0);
        fixations[1, 3, 2] = tensor(1.0);
        var density = fixations.clone();
        foreach (var (n, y, x) in new[] { (0, 1, 1), (0, 2, 3), (1, 0, 0), (1, 3, 2) })
            foreach (var (dy, dx) in new[] { (-1, 0), (1, 0), (0, -1), (0, 1) })
                if (y + dy is >= 0 and < 4 && x + dx is >= 0 and < 4 && density[n, y + dy, x + dx].item<double>() < 1)
                    density[n, y + dy, x + dx] = tensor(0.5);
        return (fixations, density);
    }

    [Fact]
    public void Each_score_is_the_mean_over_images_of_its_metric()
    {
        var (fixations, density) = Scene();
        var predictions = rand(2, 4, 4, dtype: float64, generator: new Generator(7));
        var baseline = SaliencyMetrics.CenterBias(4, 4).to(float64);
        var scores = SaliencyBenchmark.Score(predictions, fixations, density, baseline);

        double Mean(Tensor perImage) => perImage.mean().item<double>();
        Assert.Equal(2, scores.Count);
        Assert.Equal(Mean(SaliencyMetrics.AucJudd(predictions, fixations)), scores["AUC_Judd"], 12);
        Assert.Equal(Mean(SaliencyMetrics.Nss(predictions, fixations)), scores["NSS"], 12);
        Assert.Equal(Mean(SaliencyMetrics.Cc(predictions, density)), scores["CC"], 12);
        Assert.Equal(Mean(SaliencyMetrics.Kld(predictions, density)), scores["KLD"], 12);
        Assert.Equal(Mean(SaliencyMetrics.Sim(predictions, density)), scores["SIM"], 12);
        Assert.Equal(Mean(SaliencyMetrics.InformationGain(predictions, fixations, baseline)), scores.InformationGain, 12);
    }

    [Fact]
    public void The_density_itself_scores_cc_and_sim_one_and_kld_zero_and_beats_a_random_map_everywhere()
    {
        var (fixations, density) = Scene();
        var baseline = SaliencyMetrics.CenterBias(4, 4).to(float64);
        var perfect = SaliencyBenchmark.Score(density, fixations, density, baseline);
        Assert.Equal(1, perfect["CC"], 9);
        Assert.Equal(1, perfect["SIM"], 9);
        Assert.Equal(0, perfect["KLD"], 6);

        var random = SaliencyBenchmark.Score(rand(2, 4, 4, dtype: float64, generator: new Generator(8)), fixations, density, baseline);
        Assert.True(SaliencyBenchmark.BeatsOnEveryMetric(perfect, random));
        Assert.False(SaliencyBenchmark.BeatsOnEveryMetric(random, perfect));
    }

    [Fact]
    public void Beating_on_every_metric_reads_kld_as_lower_is_better()
    {
        static SaliencyBenchmarkScores With(double all, double kld) => new(new SaliencyScores(all, all, all, all, all, kld, all), all, 1);
        Assert.True(SaliencyBenchmark.BeatsOnEveryMetric(With(0.9, kld: 0.5), With(0.5, kld: 1.0)));
        // Better everywhere except a higher KLD: not better on every metric.
        Assert.False(SaliencyBenchmark.BeatsOnEveryMetric(With(0.9, kld: 1.5), With(0.5, kld: 1.0)));
        // A tie is not a win.
        Assert.False(SaliencyBenchmark.BeatsOnEveryMetric(With(0.9, kld: 1.0), With(0.5, kld: 1.0)));
    }

    [Fact]
    public void Beating_on_named_metrics_ignores_the_others()
    {
        static SaliencyBenchmarkScores With(double nss, double cc, double kld) => new(new SaliencyScores(0.8, 0.7, 0.6, nss, cc, kld, 0.4), 0.1, 1);
        var centre = With(nss: 0.3, cc: 0.1, kld: 2.0);
        // Better on NSS and CC but with a worse KLD: a win on NSS and CC, not on every metric.
        Assert.True(SaliencyBenchmark.Beats(With(1.5, 0.4, kld: 3.0), centre, "NSS", "CC"));
        Assert.False(SaliencyBenchmark.Beats(With(1.5, 0.4, kld: 3.0), centre, "NSS", "CC", "KLD"));
        Assert.False(SaliencyBenchmark.Beats(With(1.5, 0.1, kld: 1.0), centre, "NSS", "CC")); // a tie on CC
    }

    [Fact]
    public void Mean_and_std_over_runs_use_n_minus_one()
    {
        static SaliencyBenchmarkScores Cc(double cc) => new(new SaliencyScores(0.5, 0.5, 0.5, 1, cc, 1, 0.5), 0, 1);
        // CC 0.2, 0.4, 0.9: mean 0.5, squared deviations 0.09 + 0.01 + 0.16 = 0.26, / 2 = 0.13, std 0.360555.
        var stats = SaliencyBenchmark.MeanAndStd([Cc(0.2), Cc(0.4), Cc(0.9)]);
        var cc = stats.Single(s => s.Name == "CC");
        Assert.Equal(0.5, cc.Mean, 12);
        Assert.Equal(Math.Sqrt(0.13), cc.Std, 12);
        Assert.Equal((1.0, 0.0), (stats.Single(s => s.Name == "NSS").Mean, stats.Single(s => s.Name == "NSS").Std));
        Assert.Equal(0.0, SaliencyBenchmark.MeanAndStd([Cc(0.3)]).Single(s => s.Name == "CC").Std);
        Assert.Throws<ArgumentException>(() => SaliencyBenchmark.MeanAndStd([]));
    }
}
