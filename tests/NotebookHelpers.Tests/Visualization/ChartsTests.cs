using NotebookHelpers.Training;
using NotebookHelpers.Visualization;

namespace NotebookHelpers.Tests.Visualization;

public class ChartsTests
{
    static readonly double[] Steps = [0, 1, 2, 3, 4, 5];
    static readonly double[] Loss = [2.0, 1.2, 0.9, 0.7, 0.6, 0.55];

    [Fact]
    public void LineChart_is_a_png_whose_header_matches_the_figure_size()
    {
        var figure = Charts.LineChart("Loss", "step", "loss", ("train", Steps, Loss));

        Assert.Equal([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], figure.Png[..8]);
        Assert.Equal((Charts.DefaultWidth, Charts.DefaultHeight), Figure.ReadPngSize(figure.Png));
        Assert.Equal((640, 400, "Loss"), (figure.Width, figure.Height, figure.Title));
        using var image = Png.Decode(figure.Png);
        Assert.Equal((640, 400), (image.Width, image.Height));
    }

    [Fact]
    public void LineChart_draws_each_series_in_its_colour()
    {
        var figure = Charts.LineChart("Loss", "step", "loss", ("train", Steps, Loss), ("val", Steps, Loss.Select(v => v + 0.3).ToArray()));

        using var image = Png.Decode(figure.Png);
        Assert.True(Png.CountNear(image, Charts.SeriesColors[0]) > 100, "no pixels of the first series' colour");
        Assert.True(Png.CountNear(image, Charts.SeriesColors[1]) > 100, "no pixels of the second series' colour");
        Assert.Equal(0, Png.CountNear(image, Charts.SeriesColors[2], tolerance: 10));
    }

    [Fact]
    public void NaN_in_a_series_is_an_argument_error_naming_the_series_and_index()
    {
        var error = Assert.Throws<ArgumentException>(() => Charts.LineChart("Loss", "step", "loss", ("g_loss", Steps, [1, 2, double.NaN, 4, 5, 6])));

        Assert.Contains("'g_loss'", error.Message);
        Assert.Contains("NaN as y value at index 2", error.Message);
    }

    [Fact]
    public void Empty_or_ragged_series_and_no_series_are_argument_errors()
    {
        Assert.Throws<ArgumentException>(() => Charts.LineChart("Loss", "step", "loss", ("empty", [], [])));
        Assert.Throws<ArgumentException>(() => Charts.LineChart("Loss", "step", "loss", ("ragged", [0, 1], [1])));
        Assert.Throws<ArgumentException>(() => Charts.LineChart("Loss", "step", "loss"));
    }

    [Fact]
    public void Log_scale_refuses_values_that_are_not_positive()
    {
        var error = Assert.Throws<ArgumentException>(() => Charts.LineChart("Loss", "step", "loss", logScaleY: true, ("loss", [0, 1], [1, 0])));

        Assert.Contains("log axis", error.Message);
    }

    [Fact]
    public void TrainingCurves_plots_the_named_metrics_of_a_log_on_a_log_scale()
    {
        var log = new MetricsLog();
        for (int step = 1; step <= 50; step++) log.Log(step, ("g_loss", 10.0 / step), ("d_loss", 0.7), ("lr", 1e-4));

        var figure = Charts.TrainingCurves(log, ["g_loss", "d_loss"], logScaleY: true);

        using var image = Png.Decode(figure.Png);
        Assert.True(Png.CountNear(image, Charts.SeriesColors[0]) > 100);
        Assert.True(Png.CountNear(image, Charts.SeriesColors[1]) > 100);
        Assert.Equal(0, Png.CountNear(image, Charts.SeriesColors[2], tolerance: 10));   // lr was not asked for
    }

    [Fact]
    public void TrainingCurves_with_an_unknown_metric_lists_the_logged_ones()
    {
        var log = new MetricsLog();
        log.Log(1, ("g_loss", 1.0));

        var error = Assert.Throws<ArgumentException>(() => Charts.TrainingCurves(log, "val_auc"));

        Assert.Contains("'val_auc' was never logged. Logged: g_loss", error.Message);
    }

    [Fact]
    public void BarChart_draws_bars_in_the_first_series_colour()
    {
        var figure = Charts.BarChart("Time per step", ["CPU", "GPU"], [120.0, 8.5], "ms");

        using var image = Png.Decode(figure.Png);
        Assert.True(Png.CountNear(image, Charts.SeriesColors[0], tolerance: 5) > 2000);
    }

    [Fact]
    public void BarChart_refuses_NaN_and_mismatched_labels()
    {
        Assert.Throws<ArgumentException>(() => Charts.BarChart("t", ["a", "b"], [1.0, double.PositiveInfinity]));
        Assert.Throws<ArgumentException>(() => Charts.BarChart("t", ["a", "b"], [1.0]));
    }

    [Fact]
    public void GroupedBarChart_gives_each_series_its_colour()
    {
        var figure = Charts.GroupedBarChart("Ours vs paper", ["AUC-J", "NSS", "CC"], ("ours", [0.85, 2.1, 0.7]), ("paper", [0.88, 2.59, 0.76]));

        using var image = Png.Decode(figure.Png);
        Assert.True(Png.CountNear(image, Charts.SeriesColors[0], tolerance: 5) > 500);
        Assert.True(Png.CountNear(image, Charts.SeriesColors[1], tolerance: 5) > 500);
    }

    [Fact]
    public void GroupedBarChart_needs_one_value_per_category()
    {
        var error = Assert.Throws<ArgumentException>(() => Charts.GroupedBarChart("t", ["a", "b"], ("ours", [1.0])));

        Assert.Contains("'ours'", error.Message);
    }
}
