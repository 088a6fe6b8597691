using NotebookHelpers.Metrics;
using NotebookHelpers.Papers.ScoreCam;

namespace NotebookHelpers.Tests.Papers.ScoreCam;

public class ScoreCamReferenceTests
{
    [Fact]
    public void Every_paper_value_is_a_registered_metric_in_its_units()
    {
        CamMetricSpecs.Register();
        foreach (var value in ScoreCamReference.Paper)
        {
            var spec = MetricRegistry.Get(value.Metric);
            // Percent metrics (F2) run to 100; the areas and the pointing game are fractions.
            Assert.InRange(value.Value, 0, spec.Format.StartsWith('P') || spec.Name.EndsWith("_auc") ? 1 : 100);
        }
    }

    [Fact]
    public void Score_cam_is_the_papers_best_method_on_every_metric()
    {
        // The paper's claim, table by table; a typo in a value would most likely break it.
        CamMetricSpecs.Register();
        foreach (var metric in ScoreCamReference.Paper.GroupBy(v => v.Metric))
        {
            var spec = MetricRegistry.Get(metric.Key);
            var score = ScoreCamReference.PaperValue(ScoreCamReference.ScoreCam, metric.Key)!.Value;
            Assert.All(metric.Where(v => v.System != ScoreCamReference.ScoreCam), other => Assert.True(spec.IsBetter(score, other.Value), $"{metric.Key}: {other.System}"));
        }
    }

    [Fact]
    public void The_article_times_each_method_of_the_timing_table()
    {
        Assert.All(ScoreCamTimings.Methods, method => Assert.NotNull(ScoreCamReference.ArticleTime(method)));
        Assert.True(ScoreCamReference.ArticleTime(ScoreCamReference.FasterScoreCam10) < ScoreCamReference.ArticleTime(ScoreCamReference.ScoreCam) / 10);
    }
}
