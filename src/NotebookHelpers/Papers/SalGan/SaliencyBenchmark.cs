using NotebookHelpers.Metrics;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.SalGan;

/// <summary>The benchmark's metrics for a set of predictions, averaged over images, with information gain over a baseline.</summary>
public sealed record SaliencyBenchmarkScores(SaliencyScores Scores, double InformationGain, int Count)
{
    /// <summary>Every metric under the benchmark's names, IG last.</summary>
    public IReadOnlyList<(string Name, double Value)> Named() =>
        [.. Scores.Named().Select(n => (n.Name, n.Value ?? double.NaN)), ("IG", InformationGain)];

    public double this[string name] => Named().First(n => n.Name == name).Value;
}

/// <summary>Scores predictions held in tensors, as a notebook or a training run has them (folders: <see cref="SaliencyEvaluation"/>).</summary>
public static class SaliencyBenchmark
{
    /// <summary>
    /// All eight metrics of <paramref name="predictions"/> against <paramref name="fixations"/> and
    /// <paramref name="density"/> (each (N,1,H,W) or (N,H,W)), each computed per image and averaged. sAUC draws its
    /// negatives from the fixations of the other images of the set; IG is measured over <paramref name="baseline"/>.
    /// </summary>
    public static SaliencyBenchmarkScores Score(Tensor predictions, Tensor fixations, Tensor density, Tensor baseline, long seed = 0)
    {
        using var scope = NewDisposeScope();
        double Mean(Tensor perImage) => SaliencyMetrics.Mean(perImage);
        var scores = new SaliencyScores(
            Mean(SaliencyMetrics.AucJudd(predictions, fixations)),
            Mean(SaliencyMetrics.AucBorji(predictions, fixations, seed: seed)),
            Mean(SaliencyMetrics.ShuffledAuc(predictions, fixations, seed: seed)),
            Mean(SaliencyMetrics.Nss(predictions, fixations)),
            Mean(SaliencyMetrics.Cc(predictions, density)),
            Mean(SaliencyMetrics.Kld(predictions, density)),
            Mean(SaliencyMetrics.Sim(predictions, density)));
        var count = predictions.dim() == 2 ? 1 : (int)predictions.shape[0];
        return new SaliencyBenchmarkScores(scores, Mean(SaliencyMetrics.InformationGain(predictions, fixations, baseline)), count);
    }

    /// <summary>
    /// True when <paramref name="scores"/> beats <paramref name="other"/> on each of <paramref name="metrics"/> (by
    /// the benchmark's names), each in its spec's direction.
    /// </summary>
    public static bool Beats(SaliencyBenchmarkScores scores, SaliencyBenchmarkScores other, params string[] metrics) =>
        metrics.All(m => SaliencyMetricSpecs.Get(m).IsBetter(scores[m], other[m]));

    /// <summary>
    /// Per metric, the mean and the sample standard deviation (n − 1; 0 for a single run) over several runs of one
    /// system, in the order of <see cref="SaliencyBenchmarkScores.Named"/>.
    /// </summary>
    public static IReadOnlyList<(string Name, double Mean, double Std)> MeanAndStd(IReadOnlyList<SaliencyBenchmarkScores> runs)
    {
        if (runs.Count == 0) throw new ArgumentException("No runs to summarise.", nameof(runs));
        return runs[0].Named().Select(n =>
        {
            var values = runs.Select(r => r[n.Name]).ToArray();
            var mean = values.Average();
            var std = values.Length > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)) : 0;
            return (n.Name, mean, std);
        }).ToList();
    }

    /// <summary>True when <paramref name="scores"/> beats <paramref name="other"/> on every metric, each in its spec's direction.</summary>
    public static bool BeatsOnEveryMetric(SaliencyBenchmarkScores scores, SaliencyBenchmarkScores other) =>
        Beats(scores, other, [.. scores.Named().Select(n => n.Name)]);
}
