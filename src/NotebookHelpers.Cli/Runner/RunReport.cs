using System.Globalization;
using System.Text;
using System.Text.Json;
using NotebookHelpers.Metrics;
using NotebookHelpers.Notebooks;
using static System.Net.WebUtility;

namespace NotebookHelpers.Cli.Runner;

/// <summary>
/// One self-contained HTML page for a notebook run: how each notebook ended, every recorded result beside the
/// paper's and the article's value, and each notebook's figures (the PNG outputs of its executed copy, inlined),
/// so the page opens offline and can be mailed or archived as it is.
/// </summary>
public sealed class RunReport(string profile, string machine, IReadOnlyList<NotebookRunStatus> notebooks, IReadOnlyList<ResultEntry> results)
{
    public DateTimeOffset Created { get; init; } = DateTimeOffset.Now;

    public string ToHtml()
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Notebook run report</title><style>")
            .Append(Css)
            .Append("</style></head><body>");
        html.Append("<h1>Notebook run report</h1>")
            .Append($"<p class=\"meta\">Profile <b>{HtmlEncode(profile)}</b> · {HtmlEncode(machine)} · {Created:yyyy-MM-dd HH:mm zzz}</p>");
        AppendSummary(html);
        AppendResults(html);
        foreach (var notebook in notebooks) AppendFigures(html, notebook);
        html.Append("</body></html>");
        return html.ToString();
    }

    void AppendSummary(StringBuilder html)
    {
        int failed = notebooks.Count(n => !n.Succeeded);
        html.Append($"<h2>Notebooks: {notebooks.Count - failed} passed, {failed} failed</h2>")
            .Append("<table><tr><th>Notebook</th><th>Status</th><th>Cells</th><th>Time</th><th>Error</th></tr>");
        foreach (var n in notebooks)
        {
            html.Append("<tr>")
                .Append($"<td><a href=\"#{Anchor(n.Notebook)}\">{HtmlEncode(n.Notebook)}</a></td>")
                .Append(n.Succeeded ? "<td class=\"ok\">passed</td>" : "<td class=\"fail\">failed</td>")
                .Append($"<td>{n.CellsRun}/{n.CodeCells}</td><td>{n.Seconds:F1} s</td>")
                .Append($"<td>{HtmlEncode(n.Succeeded ? "" : n.FailureMessage)}</td></tr>");
        }
        html.Append("</table>");
    }

    /// <summary>
    /// Per notebook and dataset, one table: systems as rows, metrics as columns (with the direction their
    /// <see cref="MetricSpec"/> gives), this run's value with the paper's and the article's beneath it; in each pair
    /// the better value is marked.
    /// </summary>
    void AppendResults(StringBuilder html)
    {
        html.Append("<h2>Results</h2>");
        if (results.Count == 0)
        {
            html.Append("<p>No notebook recorded a result.</p>");
            return;
        }
        foreach (var group in results.GroupBy(r => (r.Notebook, r.Dataset)))
        {
            var metrics = group.Select(r => r.Metric).Distinct().ToList();
            html.Append($"<h3>{HtmlEncode(group.Key.Notebook)} · {HtmlEncode(group.Key.Dataset)}</h3>")
                .Append("<table><tr><th>System</th>");
            foreach (var metric in metrics)
                html.Append($"<th>{HtmlEncode(metric)}{(MetricRegistry.Find(metric) is { } spec ? " " + spec.Arrow : "")}</th>");
            html.Append("<th>Note</th></tr>");
            foreach (var system in group.GroupBy(r => r.System))
            {
                html.Append($"<tr><td>{HtmlEncode(system.Key)}</td>");
                foreach (var metric in metrics)
                    html.Append(Cell(system.FirstOrDefault(r => r.Metric == metric)));
                var notes = system.Select(r => r.Note).Where(n => !string.IsNullOrEmpty(n)).Distinct();
                html.Append($"<td>{HtmlEncode(string.Join("; ", notes))}</td></tr>");
            }
            html.Append("</table>");
        }
        html.Append("<p class=\"meta\">Each cell: this run, then the paper's and the article's value where they report one. " +
                    "↑ higher is better, ↓ lower; <span class=\"better\">green</span> marks the better of this run and each reference.</p>");
    }

    static string Cell(ResultEntry? r)
    {
        if (r is null) return "<td></td>";
        var spec = MetricRegistry.Find(r.Metric);
        bool Better(double a, double? b) => spec is not null && b is { } other && double.IsFinite(a) && double.IsFinite(other) && spec.IsBetter(a, other);
        bool ours = Better(r.Value, r.Paper) || Better(r.Value, r.Article);
        var cell = new StringBuilder("<td class=\"num\">").Append(ours ? $"<span class=\"better\">{Number(r.Value)}</span>" : Number(r.Value));
        foreach (var (label, reference) in new[] { ("paper", r.Paper), ("article", r.Article) })
            if (reference is { } v)
                cell.Append($"<br><span class=\"ref{(Better(v, r.Value) ? " better" : "")}\">{label} {Number(v)}</span>");
        return cell.Append("</td>").ToString();
    }

    static void AppendFigures(StringBuilder html, NotebookRunStatus notebook)
    {
        html.Append($"<h2 id=\"{Anchor(notebook.Notebook)}\">{HtmlEncode(notebook.Notebook)}</h2>");
        if (!notebook.Succeeded) html.Append($"<pre class=\"fail\">{HtmlEncode(notebook.FailureMessage)}</pre>");
        var figures = File.Exists(notebook.ExecutedPath) ? Figures(notebook.ExecutedPath) : [];
        if (figures.Count == 0)
        {
            html.Append("<p>No figures.</p>");
            return;
        }
        foreach (var figure in figures)
            html.Append("<figure>")
                .Append($"<img alt=\"{HtmlEncode(figure.Caption)}\" src=\"data:image/png;base64,{figure.Base64Png}\">")
                .Append($"<figcaption>{HtmlEncode(figure.Caption)}</figcaption></figure>");
    }

    /// <summary>A PNG output of an executed notebook, captioned with the cell it came from and the section it is in.</summary>
    public sealed record NotebookFigure(int Cell, string Section, string Base64Png)
    {
        public string Caption => string.IsNullOrEmpty(Section) ? $"cell {Cell}" : $"{Section} (cell {Cell})";
    }

    /// <summary>Every image/png output of an executed .ipynb, in order.</summary>
    public static IReadOnlyList<NotebookFigure> Figures(string ipynbPath)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(ipynbPath));
        var figures = new List<NotebookFigure>();
        string section = "";
        int cellNumber = 0;
        foreach (var cell in json.RootElement.GetProperty("cells").EnumerateArray())
        {
            cellNumber++;
            if (cell.GetProperty("cell_type").GetString() == "markdown")
            {
                var heading = JoinSource(cell.GetProperty("source")).Split('\n').FirstOrDefault(l => l.StartsWith('#'));
                if (heading is not null) section = heading.TrimStart('#', ' ');
                continue;
            }
            if (!cell.TryGetProperty("outputs", out var outputs)) continue;
            foreach (var output in outputs.EnumerateArray())
                if (output.TryGetProperty("data", out var data) && data.TryGetProperty("image/png", out var png))
                    figures.Add(new NotebookFigure(cellNumber, section, JoinSource(png).Replace("\n", "")));
        }
        return figures;
    }

    static string JoinSource(JsonElement source) =>
        source.ValueKind == JsonValueKind.Array ? string.Concat(source.EnumerateArray().Select(s => s.GetString())) : source.GetString() ?? "";

    static string Number(double? value) => value switch
    {
        null => "",
        { } v when double.IsNaN(v) => "—", // recorded without a value of this run (a paper's row for reference)
        { } v => v.ToString(Math.Abs(v) >= 100 ? "F1" : "0.000", CultureInfo.InvariantCulture),
    };

    static string Anchor(string name) => "nb-" + new string(name.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());

    const string Css = """
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
        table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
        th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
        .ok{color:#17692b;font-weight:600}.fail{color:#a11;font-weight:600}pre.fail{white-space:pre-wrap}
        .meta{color:#555}figure{display:inline-block;margin:.5em;vertical-align:top}img{max-width:100%;border:1px solid #eee}
        figcaption{font-size:.85em;color:#555}.ref{font-size:.8em;color:#666}.better{color:#17692b;font-weight:600}
        """;
}
