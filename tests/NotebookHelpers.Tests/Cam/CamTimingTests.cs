using NotebookHelpers.Cam;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Cam;

public class CamTimingTests
{
    [Fact]
    public void Measure_warms_up_once_then_times_each_repeat()
    {
        int calls = 0;
        var time = CamTiming.Measure("probe", () =>
        {
            calls++;
            Thread.Sleep(calls == 1 ? 200 : 5); // a slow first call, as a first pass is: it must not be timed
            return zeros(2, 2);
        }, repeats: 3);
        Assert.Equal(4, calls);
        Assert.Equal(3, time.RunsMs.Count);
        Assert.All(time.RunsMs, ms => Assert.InRange(ms, 4, 150));
        Assert.Equal(CamTiming.Median(time.RunsMs), time.MedianMs);
    }

    [Fact]
    public void The_last_timed_runs_map_is_handed_out_and_no_warm_up_runs_when_told()
    {
        int calls = 0;
        float? seen = null;
        CamTiming.Measure("probe", () => full(2, 2, (float)++calls), repeats: 2, warmUp: false, lastMap: map => seen = map[0, 0].item<float>());
        Assert.Equal(2, calls);
        Assert.Equal(2f, seen);
    }

    [Fact]
    public void Median_of_odd_and_even_counts()
    {
        Assert.Equal(3, CamTiming.Median([5, 1, 3]));
        Assert.Equal(2.5, CamTiming.Median([4, 1, 2, 3]));
        Assert.Throws<ArgumentException>(() => CamTiming.Median([]));
    }
}
