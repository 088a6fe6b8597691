using System.Diagnostics;
using static TorchSharp.torch;

namespace NotebookHelpers.Cam;

/// <summary>One method's time for one explanation: the median of the timed runs, and every run, in milliseconds.</summary>
public sealed record CamTime(string Method, double MedianMs, IReadOnlyList<double> RunsMs);

/// <summary>
/// Times explanations the way the seed article's <c>%timeit</c> cell does, but steadier: one untimed warm-up run
/// (the first pass allocates and, on a GPU, loads kernels), then the median of a few timed runs. Each run ends by
/// copying its map to the CPU, which waits for a GPU to finish, so no device-specific synchronisation is needed.
/// </summary>
public static class CamTiming
{
    /// <summary>Runs <paramref name="explain"/> once untimed and <paramref name="repeats"/> times timed.</summary>
    /// <param name="method">The name the table shows.</param>
    /// <param name="explain">One explanation; returns the map (on any device), which is copied to the CPU and freed.</param>
    /// <param name="repeats">Timed runs, at least 1.</param>
    /// <param name="warmUp">Run once untimed first; leave it out only where an earlier, cheaper method has just run the same model.</param>
    /// <param name="lastMap">Given the last timed run's map on the CPU (to keep or write it, so that no extra run is needed); the map is freed afterwards.</param>
    public static CamTime Measure(string method, Func<Tensor> explain, int repeats = 3, bool warmUp = true, Action<Tensor>? lastMap = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        if (warmUp) RunOnce(explain, null);
        var runs = Enumerable.Range(0, repeats).Select(r => RunOnce(explain, r == repeats - 1 ? lastMap : null)).ToList();
        return new CamTime(method, Median(runs), runs);
    }

    /// <summary>The median (the mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("No values.", nameof(values));
        var sorted = values.Order().ToList();
        int middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static double RunOnce(Func<Tensor> explain, Action<Tensor>? lastMap)
    {
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        using var map = explain().cpu();
        var elapsed = clock.Elapsed.TotalMilliseconds;
        lastMap?.Invoke(map);
        return elapsed;
    }
}
