using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;
using NotebookHelpers.Core;
using NotebookHelpers.Notebooks;

namespace NotebookHelpers.Training;

/// <summary>Where <see cref="TrainingProgress"/> shows its state.</summary>
public enum ProgressMode
{
    /// <summary>Notebook output inside a kernel; otherwise a terminal line on an interactive stderr, else plain lines.</summary>
    Auto,
    /// <summary>One HTML output updated in place (needs a running notebook cell).</summary>
    Notebook,
    /// <summary>One line redrawn with <c>\r</c>, for an interactive terminal.</summary>
    TerminalLine,
    /// <summary>A plain line every <see cref="ProgressOptions.LinePercent"/> percent and at the end, for CI logs and redirected output.</summary>
    PlainLines,
    /// <summary>Nothing is shown.</summary>
    Silent,
}

/// <summary>Settings for <see cref="TrainingProgress"/>; the defaults suit notebooks and consoles.</summary>
public sealed record ProgressOptions
{
    /// <summary>Where to show progress.</summary>
    public ProgressMode Mode { get; init; } = ProgressMode.Auto;

    /// <summary>Where console modes write; standard error by default (standard output stays for results).</summary>
    public TextWriter? Writer { get; init; }

    /// <summary>The clock for elapsed time, ETA and throttling.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Steps already done before this run started (a resumed run), so the ETA counts only this run's pace.</summary>
    public long StartStep { get; init; }

    /// <summary>The shortest time between two notebook updates (each one is a message to the front end).</summary>
    public TimeSpan NotebookInterval { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>The shortest time between two redraws of the terminal line.</summary>
    public TimeSpan TerminalInterval { get; init; } = TimeSpan.FromSeconds(0.1);

    /// <summary>In <see cref="ProgressMode.PlainLines"/>, a line is written each time progress crosses a multiple of this percentage.</summary>
    public int LinePercent { get; init; } = 10;
}

/// <summary>
/// Shows how far training is: step/total, elapsed time, ETA and the latest metric values.
/// <code>
/// using var progress = TrainingProgress.Start("GAN", totalSteps);
/// for (long step = 0; step &lt; totalSteps; step++) { ...; progress.Report(step + 1, ("g_loss", g), ("d_loss", d)); }
/// progress.Complete();
/// </code>
/// In a notebook it is one HTML output updated in place, at most twice a second; in a terminal one redrawn line;
/// in a CI log a plain line every 10 % and one at the end.
/// </summary>
public sealed class TrainingProgress : IDisposable
{
    readonly ProgressOptions _options;
    readonly ProgressMode _mode;
    readonly TextWriter _writer;
    readonly long _startTimestamp;
    readonly Dictionary<string, double> _metrics = new(StringComparer.Ordinal);
    readonly List<string> _metricOrder = [];
    DisplayHandle? _notebookOutput;
    long? _lastShownTimestamp;
    int _nextLinePercent;
    int _terminalLineLength;
    TimeSpan? _completedAfter;

    TrainingProgress(string name, long totalSteps, ProgressOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        Name = name;
        TotalSteps = totalSteps;
        Step = options.StartStep;
        _options = options;
        _writer = options.Writer ?? Console.Error;
        _mode = ResolveMode(options);
        _startTimestamp = options.Clock.GetTimestamp();
        _nextLinePercent = NextMultiple(Percent(options.StartStep), options.LinePercent);
        if (_mode == ProgressMode.Notebook) _notebookOutput = NotebookDisplay.ShowUpdatable(new HtmlString(ToHtml()));
    }

    /// <summary>Starts showing progress for a run of <paramref name="totalSteps"/> steps.</summary>
    public static TrainingProgress Start(string name, long totalSteps, ProgressOptions? options = null) =>
        new(name, totalSteps, options ?? new ProgressOptions());

    /// <summary>The run's name, shown first.</summary>
    public string Name { get; }

    /// <summary>The number of steps in the whole run.</summary>
    public long TotalSteps { get; }

    /// <summary>The number of steps completed, as last reported.</summary>
    public long Step { get; private set; }

    /// <summary>Whether <see cref="Complete"/> was called.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>The mode in use, after <see cref="ProgressMode.Auto"/> was resolved.</summary>
    public ProgressMode Mode => _mode;

    /// <summary>Time since <see cref="Start"/>, up to <see cref="Complete"/>.</summary>
    public TimeSpan Elapsed => _completedAfter ?? _options.Clock.GetElapsedTime(_startTimestamp);

    /// <summary>The estimated time left at this run's pace so far, or null before the first step is done.</summary>
    public TimeSpan? Eta
    {
        get
        {
            var done = Step - _options.StartStep;
            if (done <= 0) return null;
            return TimeSpan.FromTicks((long)(Elapsed.Ticks / (double)done * Math.Max(0, TotalSteps - Step)));
        }
    }

    /// <summary>The latest value of each reported metric, in order of first report.</summary>
    public IReadOnlyList<(string Name, double Value)> Metrics => _metricOrder.Select(n => (n, _metrics[n])).ToArray();

    /// <summary>Records that <paramref name="step"/> steps are done (pass <c>step + 1</c> in a 0-based loop) and the latest metric values.</summary>
    public void Report(long step, params (string Name, double Value)[] metrics)
    {
        Step = Math.Clamp(step, 0, TotalSteps);
        foreach (var (name, value) in metrics)
        {
            if (!_metrics.ContainsKey(name)) _metricOrder.Add(name);
            _metrics[name] = value;
        }
        switch (_mode)
        {
            case ProgressMode.Notebook when Due(_options.NotebookInterval):
                _notebookOutput!.Update(new HtmlString(ToHtml()));
                break;
            case ProgressMode.TerminalLine when Due(_options.TerminalInterval):
                RedrawTerminalLine();
                break;
            case ProgressMode.PlainLines when Percent(Step) >= _nextLinePercent:
                _writer.WriteLine(ToString());
                _nextLinePercent = NextMultiple(Percent(Step), _options.LinePercent);
                break;
        }
    }

    /// <summary>Shows the final state (the notebook output keeps it) and stops updating. Calling it again does nothing.</summary>
    public void Complete()
    {
        if (IsComplete) return;
        _completedAfter = Elapsed;
        IsComplete = true;
        switch (_mode)
        {
            case ProgressMode.Notebook:
                _notebookOutput!.Update(new HtmlString(ToHtml()));
                break;
            case ProgressMode.TerminalLine:
                RedrawTerminalLine();
                _writer.WriteLine();
                break;
            case ProgressMode.PlainLines:
                _writer.WriteLine(ToString());
                break;
        }
        _writer.Flush();
    }

    /// <summary>Completes the progress if that was not done yet.</summary>
    public void Dispose() => Complete();

    /// <summary>
    /// The state as one line: <c>GAN  40% 400/1000 elapsed 0:20 eta 0:30 | g_loss 0.710 d_loss 0.690</c>,
    /// or, once complete, <c>GAN done 1000/1000 in 0:50 | ...</c>.
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder(Name);
        if (IsComplete)
            text.Append($" done {Step}/{TotalSteps} in {FormatTime(Elapsed)}");
        else
            text.Append($" {Percent(Step),3}% {Step}/{TotalSteps} elapsed {FormatTime(Elapsed)} eta {(Eta is { } eta ? FormatTime(eta) : "?")}");
        if (_metricOrder.Count > 0)
            text.Append(" |").AppendJoin("", _metricOrder.Select(n => $" {n} {NumberText.Format(_metrics[n])}"));
        return text.ToString();
    }

    /// <summary>The state as the HTML shown in a notebook: a progress bar, step/total, elapsed, ETA and the latest metrics.</summary>
    public string ToHtml()
    {
        var status = IsComplete
            ? $"done {Step}/{TotalSteps} in {FormatTime(Elapsed)}"
            : $"{Step}/{TotalSteps} ({Percent(Step)}%) · elapsed {FormatTime(Elapsed)} · ETA {(Eta is { } eta ? FormatTime(eta) : "?")}";
        // Only the name and metric names come from callers; the status text is ours, so "·" can stay unescaped.
        var html = new StringBuilder("<div style=\"font-family:sans-serif;font-size:13px;line-height:1.6\">");
        html.Append("<b>").Append(WebUtility.HtmlEncode(Name)).Append("</b> ");
        html.Append($"<progress value=\"{Step}\" max=\"{TotalSteps}\" style=\"width:300px;vertical-align:middle\"></progress> ");
        html.Append(status);
        if (_metricOrder.Count > 0)
            html.Append("<br><code>")
                .AppendJoin(" · ", _metricOrder.Select(n => $"{WebUtility.HtmlEncode(n)} {NumberText.Format(_metrics[n])}"))
                .Append("</code>");
        return html.Append("</div>").ToString();
    }

    /// <summary><c>m:ss</c> under an hour, <c>h:mm:ss</c> from there.</summary>
    public static string FormatTime(TimeSpan time) =>
        time.TotalHours >= 1
            ? ((int)time.TotalHours).ToString(CultureInfo.InvariantCulture) + time.ToString(@"\:mm\:ss", CultureInfo.InvariantCulture)
            : ((int)time.TotalMinutes).ToString(CultureInfo.InvariantCulture) + time.ToString(@"\:ss", CultureInfo.InvariantCulture);

    static ProgressMode ResolveMode(ProgressOptions options)
    {
        if (options.Mode == ProgressMode.Notebook && !NotebookDisplay.InNotebook)
            throw new InvalidOperationException("ProgressMode.Notebook needs a running notebook cell; use Auto to fall back to the console.");
        if (options.Mode != ProgressMode.Auto) return options.Mode;
        if (NotebookDisplay.InNotebook) return ProgressMode.Notebook;
        var toInteractiveStderr = options.Writer is null && !Console.IsErrorRedirected;
        return toInteractiveStderr ? ProgressMode.TerminalLine : ProgressMode.PlainLines;
    }

    bool Due(TimeSpan interval)
    {
        var now = _options.Clock.GetTimestamp();
        if (_lastShownTimestamp is { } last && _options.Clock.GetElapsedTime(last, now) < interval) return false;
        _lastShownTimestamp = now;
        return true;
    }

    void RedrawTerminalLine()
    {
        var line = ToString();
        _writer.Write("\r" + line.PadRight(_terminalLineLength));
        _writer.Flush();
        _terminalLineLength = line.Length;
    }

    int Percent(long step) => (int)(100 * step / TotalSteps);

    static int NextMultiple(int percent, int multiple) => (percent / multiple + 1) * multiple;
}
