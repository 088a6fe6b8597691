using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using NotebookHelpers.Core;
using NotebookHelpers.Notebooks;

namespace NotebookHelpers.Visualization;

/// <summary>
/// A small results table (metrics, timings, "ours vs paper") that displays as HTML in a notebook and as aligned
/// plain text in a console. Numbers are formatted with <see cref="NumberText.Format"/> unless a column says otherwise.
/// </summary>
public sealed class HtmlTable
{
    readonly object?[][] _rows;
    readonly Dictionary<string, Func<object?, string>> _formats = new(StringComparer.Ordinal);

    /// <summary>A table of raw cell values; numbers are formatted when rendered.</summary>
    public HtmlTable(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<object?>> rows, string? title = null)
    {
        Headers = headers.ToArray();
        _rows = rows.Select(r => r.ToArray()).ToArray();
        for (int i = 0; i < _rows.Length; i++)
            if (_rows[i].Length != Headers.Count)
                throw new ArgumentException($"Row {i} has {_rows[i].Length} cells but there are {Headers.Count} headers.", nameof(rows));
        Title = title;
    }

    /// <summary>The caption shown above the table, if any.</summary>
    public string? Title { get; }

    /// <summary>The column headers.</summary>
    public IReadOnlyList<string> Headers { get; }

    /// <summary>The cell values, one array per row.</summary>
    public IReadOnlyList<IReadOnlyList<object?>> Rows => _rows;

    /// <summary>A table with one column per public property (then public field) of <typeparamref name="T"/>, in declaration order.</summary>
    public static HtmlTable From<T>(IEnumerable<T> rows, string? title = null)
    {
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .OrderBy(p => p.MetadataToken)
            .ToArray();
        var fields = typeof(T).GetFields(BindingFlags.Public | BindingFlags.Instance).OrderBy(f => f.MetadataToken).ToArray();
        var headers = properties.Select(p => p.Name).Concat(fields.Select(f => f.Name)).ToArray();
        if (headers.Length == 0) throw new ArgumentException($"{typeof(T).Name} has no public properties or fields to show as columns.");
        var cells = rows.Select(row => (IReadOnlyList<object?>)properties.Select(p => p.GetValue(row))
            .Concat(fields.Select(f => f.GetValue(row))).ToArray());
        return new HtmlTable(headers, cells, title);
    }

    /// <summary>A table of ready-made text cells.</summary>
    public static HtmlTable FromStrings(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string? title = null) =>
        new(headers, rows.Select(r => (IReadOnlyList<object?>)r.Cast<object?>().ToArray()), title);

    /// <summary>Formats the numbers of one column with a .NET format string ("F1", "P2", "N0", "0.0000") instead of the default.</summary>
    public HtmlTable WithFormat(string column, string format) =>
        WithFormat(column, value => value is IFormattable f && IsNumber(value) ? f.ToString(format, CultureInfo.InvariantCulture) : DefaultText(value));

    /// <summary>Formats the cells of one column with a function of the raw value.</summary>
    public HtmlTable WithFormat(string column, Func<object?, string> format)
    {
        if (!Headers.Contains(column))
            throw new ArgumentException($"No column named '{column}'. Columns: {string.Join(", ", Headers)}.", nameof(column));
        _formats[column] = format;
        return this;
    }

    /// <summary>The cell text as rendered (after formatting), row by row.</summary>
    public IReadOnlyList<IReadOnlyList<string>> CellTexts() =>
        _rows.Select(row => (IReadOnlyList<string>)row.Select((value, c) => CellText(c, value)).ToArray()).ToArray();

    /// <summary>A self-contained HTML table (inline CSS, no scripts or external resources); every text is HTML-escaped.</summary>
    public string ToHtml()
    {
        const string cell = "padding:3px 10px;";
        var numeric = NumericColumns();
        var html = new StringBuilder("<table style=\"border-collapse:collapse;font-family:sans-serif;font-size:13px\">");
        if (Title is not null)
            html.Append("<caption style=\"font-weight:bold;text-align:left;padding:4px 0\">").Append(Encode(Title)).Append("</caption>");
        html.Append("<thead><tr>");
        for (int c = 0; c < Headers.Count; c++)
            html.Append($"<th style=\"{cell}border-bottom:2px solid #888;text-align:{Align(numeric[c])}\">").Append(Encode(Headers[c])).Append("</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in CellTexts())
        {
            html.Append("<tr>");
            for (int c = 0; c < row.Count; c++)
                html.Append($"<td style=\"{cell}border-bottom:1px solid #ddd;text-align:{Align(numeric[c])}\">").Append(Encode(row[c])).Append("</td>");
            html.Append("</tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>The table as aligned plain text: numeric columns right-aligned, others left-aligned.</summary>
    public override string ToString()
    {
        var texts = CellTexts();
        var numeric = NumericColumns();
        var widths = Headers.Select((h, c) => texts.Select(r => r[c].Length).Append(h.Length).Max()).ToArray();
        string Line(IReadOnlyList<string> cells) =>
            string.Join("  ", cells.Select((t, c) => numeric[c] ? t.PadLeft(widths[c]) : t.PadRight(widths[c]))).TrimEnd();
        var text = new StringBuilder();
        if (Title is not null) text.AppendLine(Title);
        text.AppendLine(Line(Headers));
        text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in texts) text.AppendLine(Line(row));
        return text.ToString().TrimEnd('\n', '\r');
    }

    string CellText(int column, object? value) =>
        _formats.TryGetValue(Headers[column], out var format) ? format(value) : DefaultText(value);

    static string DefaultText(object? value) => value switch
    {
        null => "",
        double d => NumberText.Format(d),
        float f => NumberText.Format(f),
        decimal m => NumberText.Format((double)m),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    bool[] NumericColumns() =>
        Headers.Select((_, c) => _rows.Any(r => r[c] is not null) && _rows.All(r => r[c] is null || IsNumber(r[c]))).ToArray();

    static bool IsNumber(object? value) =>
        value is sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal;

    static string Align(bool numeric) => numeric ? "right" : "left";

    static string Encode(string text) => WebUtility.HtmlEncode(text);
}
