using NotebookHelpers.Core;
using NotebookHelpers.Notebooks;
using NotebookHelpers.Training;
using ScottPlot;

namespace NotebookHelpers.Visualization;

/// <summary>
/// Line and bar charts rendered to PNG with ScottPlot: training curves, timings, "ours vs paper" metrics.
/// Every chart is a <see cref="Figure"/>, which displays in notebooks, in executed .ipynb files on GitHub and in
/// HTML reports, with no JavaScript or kernel extension.
/// </summary>
public static class Charts
{
    /// <summary>The default figure width in pixels.</summary>
    public const int DefaultWidth = 640;

    /// <summary>The default figure height in pixels.</summary>
    public const int DefaultHeight = 400;

    /// <summary>The colours given to series and bar groups in order (matplotlib's "tab10", familiar from the papers' plots).</summary>
    public static IReadOnlyList<string> SeriesColors { get; } =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary>One line per series; a legend when there is more than one.</summary>
    /// <exception cref="ArgumentException">No series, an empty series, x and y of different lengths, or a NaN/∞ value.</exception>
    public static Figure LineChart(string title, string xLabel, string yLabel, params (string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)[] series) =>
        LineChart(title, xLabel, yLabel, logScaleY: false, series);

    /// <summary>One line per series, optionally on a log10 y axis (for losses that fall over orders of magnitude).</summary>
    /// <exception cref="ArgumentException">No series, an empty series, x and y of different lengths, a NaN/∞ value, or a value ≤ 0 on a log axis.</exception>
    public static Figure LineChart(string title, string xLabel, string yLabel, bool logScaleY, params (string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)[] series)
    {
        if (series.Length == 0) throw new ArgumentException($"Chart '{title}' needs at least one series.", nameof(series));
        foreach (var (name, x, y) in series) Validate(title, name, x, y, logScaleY);

        using var plot = NewPlot(title, xLabel, yLabel);
        for (int i = 0; i < series.Length; i++)
        {
            var (name, x, y) = series[i];
            var ys = logScaleY ? y.Select(Math.Log10).ToArray() : y.ToArray();
            var line = plot.Add.ScatterLine(x.ToArray(), ys, SeriesColor(i));
            line.LineWidth = 2;
            if (series.Length > 1) line.LegendText = name;   // one series is named by the title and axis label
        }
        if (logScaleY) UseLogTicks(plot);
        if (series.Length > 1) plot.ShowLegend(Edge.Right); // outside the data: a legend inside covers the lines that end top right
        return ToFigure(plot, DefaultWidth, DefaultHeight, title);
    }

    /// <summary>The chosen metrics of a <see cref="MetricsLog"/> against the step, one line each (all metrics when none are named).</summary>
    public static Figure TrainingCurves(MetricsLog log, params string[] metrics) =>
        TrainingCurves(log, metrics, title: "Training curves");

    /// <summary>The chosen metrics of a <see cref="MetricsLog"/> against the step, optionally on a log10 y axis.</summary>
    /// <exception cref="ArgumentException">A metric was never logged, or has a NaN/∞ value (a diverged run: see <see cref="LossGuard"/>).</exception>
    public static Figure TrainingCurves(MetricsLog log, IReadOnlyList<string> metrics, string title = "Training curves", bool logScaleY = false, string? yLabel = null)
    {
        var names = metrics.Count > 0 ? metrics : log.Names;
        if (names.Count == 0) throw new ArgumentException("The metrics log is empty: nothing to plot.", nameof(log));
        var series = names.Select(name =>
        {
            if (!log.Contains(name))
                throw new ArgumentException($"Metric '{name}' was never logged. Logged: {string.Join(", ", log.Names)}.", nameof(metrics));
            var (steps, values) = log.Series(name);
            return (name, (IReadOnlyList<double>)steps.Select(s => (double)s).ToArray(), (IReadOnlyList<double>)values);
        }).ToArray();
        return LineChart(title, "step", yLabel ?? (names.Count == 1 ? names[0] : "value"), logScaleY, series);
    }

    /// <summary>One bar per label, each with its value written above it (timings, per-class scores).</summary>
    /// <exception cref="ArgumentException">No bars, labels and values of different lengths, or a NaN/∞ value.</exception>
    public static Figure BarChart(string title, IReadOnlyList<string> labels, IReadOnlyList<double> values, string yLabel = "")
    {
        if (labels.Count != values.Count)
            throw new ArgumentException($"Chart '{title}' has {labels.Count} labels but {values.Count} values.", nameof(values));
        if (values.Count == 0) throw new ArgumentException($"Chart '{title}' needs at least one bar.", nameof(values));
        RequireFinite(title, title, values);

        using var plot = NewPlot(title, "", yLabel);
        var bars = values.Select((v, i) => Bar(i, v, 0.7, SeriesColor(0))).ToArray();
        plot.Add.Bars(bars);
        FinishBars(plot, labels);
        return ToFigure(plot, DefaultWidth, DefaultHeight, title);
    }

    /// <summary>
    /// Bars grouped by category, one colour per series with a legend: "ours vs paper" per metric, or timings per
    /// configuration. Each series has one value per category.
    /// </summary>
    /// <exception cref="ArgumentException">No categories or series, a series with the wrong number of values, or a NaN/∞ value.</exception>
    public static Figure GroupedBarChart(string title, IReadOnlyList<string> categories, params (string Series, double[] Values)[] groups) =>
        GroupedBarChart(title, categories, yLabel: "", groups);

    /// <summary>Bars grouped by category, with a y-axis label.</summary>
    public static Figure GroupedBarChart(string title, IReadOnlyList<string> categories, string yLabel, params (string Series, double[] Values)[] groups)
    {
        if (categories.Count == 0) throw new ArgumentException($"Chart '{title}' needs at least one category.", nameof(categories));
        if (groups.Length == 0) throw new ArgumentException($"Chart '{title}' needs at least one series.", nameof(groups));
        foreach (var (name, values) in groups)
        {
            if (values.Length != categories.Count)
                throw new ArgumentException($"Series '{name}' of chart '{title}' has {values.Length} values for {categories.Count} categories.", nameof(groups));
            RequireFinite(title, name, values);
        }

        using var plot = NewPlot(title, "", yLabel);
        const double groupWidth = 0.8;
        var barWidth = groupWidth / groups.Length;
        for (int g = 0; g < groups.Length; g++)
        {
            var offset = (g - (groups.Length - 1) / 2.0) * barWidth;
            var color = SeriesColor(g);
            var bars = plot.Add.Bars(groups[g].Values.Select((v, c) => Bar(c + offset, v, barWidth * 0.95, color, labelled: false)).ToArray());
            bars.LegendText = groups[g].Series;
            // Side by side, horizontal labels of neighbouring bars run into each other: each stands upright on its bar.
            for (int c = 0; c < categories.Count; c++)
            {
                var value = groups[g].Values[c];
                var label = plot.Add.Text(NumberText.Compact(value), c + offset, Math.Max(value, 0));
                label.LabelStyle.Rotation = -90;
                label.LabelStyle.Alignment = Alignment.MiddleLeft;
                label.LabelStyle.FontSize = 11;
                label.OffsetY = -3;
            }
        }
        // Upright labels need more headroom than the single bar chart's flat ones.
        FinishBars(plot, categories, topMargin: 0.25);
        // Outside the data area, the legend covers no bar and no label.
        plot.ShowLegend(Edge.Right);
        return ToFigure(plot, DefaultWidth, DefaultHeight, title);
    }

    /// <summary>Renders any ScottPlot plot (for charts this class does not cover) to a <see cref="Figure"/>.</summary>
    public static Figure ToFigure(Plot plot, int width = DefaultWidth, int height = DefaultHeight, string? title = null) =>
        new(plot.GetImageBytes(width, height, ImageFormat.Png), width, height, title);

    static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        if (SansSerif is not null) plot.Font.Set(SansSerif);
        plot.Title(title, size: 16);
        if (xLabel.Length > 0) plot.XLabel(xLabel, size: 13);
        if (yLabel.Length > 0) plot.YLabel(yLabel, size: 13);
        return plot;
    }

    // ScottPlot's automatic choice is a serif face on some Linux systems; DejaVu Sans matches the image grids.
    static readonly string? SansSerif = SkiaSharp.SKFontManager.Default.FontFamilies.Contains("DejaVu Sans") ? "DejaVu Sans" : null;

    static Color SeriesColor(int index) => Color.FromHex(SeriesColors[index % SeriesColors.Count]);

    static Bar Bar(double position, double value, double width, Color color, bool labelled = true) => new()
    {
        Position = position,
        Value = value,
        Size = width,
        FillColor = color,
        LineWidth = 0,
        Label = labelled ? NumberText.Compact(value) : "",
    };

    static void FinishBars(Plot plot, IReadOnlyList<string> labels, double topMargin = 0.15)
    {
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, labels.Count).Select(i => (double)i).ToArray(), labels.ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.HideGrid();
        // Bars start at zero; headroom above (and below, for negative values) keeps the value labels inside.
        plot.Axes.Margins(bottom: 0, top: topMargin);
    }

    // ScottPlot has no log axis: plot log10(y) and label the ticks 10^k, with minor ticks at 2..9 × 10^k.
    static void UseLogTicks(Plot plot)
    {
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = exponent => Math.Pow(10, exponent).ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
        };
        plot.Grid.MinorLineWidth = 1;
    }

    static void Validate(string chart, string name, IReadOnlyList<double> x, IReadOnlyList<double> y, bool logScaleY)
    {
        if (x.Count != y.Count)
            throw new ArgumentException($"Series '{name}' of chart '{chart}' has {x.Count} x values but {y.Count} y values.");
        if (y.Count == 0) throw new ArgumentException($"Series '{name}' of chart '{chart}' is empty.");
        RequireFinite(chart, name, x, "x");
        RequireFinite(chart, name, y);
        if (!logScaleY) return;
        for (int i = 0; i < y.Count; i++)
            if (y[i] <= 0)
                throw new ArgumentException($"Series '{name}' of chart '{chart}' has {NumberText.Format(y[i])} at index {i}, which a log axis cannot show.");
    }

    static void RequireFinite(string chart, string name, IReadOnlyList<double> values, string axis = "y")
    {
        for (int i = 0; i < values.Count; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"Series '{name}' of chart '{chart}' has {NumberText.Format(values[i])} as {axis} value at index {i}; charts need finite values.");
    }
}
