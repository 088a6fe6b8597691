using System.Globalization;
using System.Text;
using NotebookHelpers.Core;

namespace NotebookHelpers.Training;

/// <summary>One logged value: metric <see cref="Name"/> had <see cref="Value"/> at <see cref="Step"/>.</summary>
public readonly record struct MetricsRow(long Step, int? Epoch, string Name, double Value);

/// <summary>
/// The history of training metrics (losses, learning rate, validation scores) by step, kept in memory and,
/// optionally, in a CSV file written as training goes.
/// </summary>
/// <remarks>
/// The CSV file is in long format, one value per line: <c>step,epoch,metric,value</c>. A metric that first
/// appears at step 5000 (a validation score, say) needs no change to the header, and the file stays valid
/// whatever is logged. Values use the invariant culture and round-trip exactly ("R"); an empty epoch means none.
/// Each <c>Log</c> call is flushed, so after a crash the file
/// holds every completed call; <see cref="LoadCsv"/> ignores a final line cut short by the crash.
/// </remarks>
public sealed class MetricsLog : IDisposable
{
    /// <summary>The CSV header line.</summary>
    public const string CsvHeader = "step,epoch,metric,value";

    readonly List<MetricsRow> _rows = [];
    readonly Dictionary<string, List<MetricsRow>> _byName = new(StringComparer.Ordinal);
    readonly List<string> _names = [];
    StreamWriter? _csv;

    /// <summary>An in-memory log with no file.</summary>
    public MetricsLog() { }

    MetricsLog(IEnumerable<MetricsRow> rows, StreamWriter? csv)
    {
        foreach (var row in rows) Add(row);
        _csv = csv;
    }

    /// <summary>The CSV file this log appends to, or null for an in-memory log.</summary>
    public string? CsvPath { get; private init; }

    /// <summary>Every row in the order logged.</summary>
    public IReadOnlyList<MetricsRow> Rows => _rows;

    /// <summary>The metric names in order of first appearance.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>A log that writes a new CSV file at <paramref name="path"/> (replacing any file there) as it goes.</summary>
    public static MetricsLog CreateCsv(string path)
    {
        var log = new MetricsLog([], OpenForAppend(path, truncate: true)) { CsvPath = Path.GetFullPath(path) };
        log._csv!.WriteLine(CsvHeader);
        log._csv.Flush();
        return log;
    }

    /// <summary>
    /// Continues the CSV file at <paramref name="path"/> when training resumes from a checkpoint taken after
    /// <paramref name="fromStep"/> steps: rows logged at steps before it are kept (and loaded), later rows, logged
    /// after that checkpoint by the interrupted run, are dropped so they are not logged twice. Starts a new file
    /// when there is none.
    /// </summary>
    public static MetricsLog ResumeCsv(string path, long fromStep)
    {
        if (!File.Exists(path)) return CreateCsv(path);
        var kept = LoadCsv(path).Rows.Where(r => r.Step < fromStep).ToList();
        var text = new StringBuilder(CsvHeader).Append('\n');
        foreach (var row in kept) text.Append(FormatCsvLine(row)).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
        return new MetricsLog(kept, OpenForAppend(path, truncate: false)) { CsvPath = Path.GetFullPath(path) };
    }

    /// <summary>Reads a CSV file written by a <see cref="MetricsLog"/> into an in-memory log (which writes no file).</summary>
    /// <exception cref="FormatException">A line other than an unfinished last line is not <c>step,epoch,metric,value</c>.</exception>
    public static MetricsLog LoadCsv(string path)
    {
        // Shared read: a notebook may plot the file while the training run still has it open for appending.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var lines = text.Split('\n');
        // A file written line by line ends with '\n': the piece after it is empty, or a line cut short by a crash.
        var complete = lines.Length - 1;
        if (complete < 1 || lines[0].TrimEnd('\r') != CsvHeader)
            throw new FormatException($"{path} is not a metrics log: its first line should be '{CsvHeader}'.");
        var rows = new List<MetricsRow>(complete);
        for (int i = 1; i < complete; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0) continue;
            rows.Add(ParseCsvLine(line) ?? throw new FormatException($"{path}, line {i + 1}: expected step,epoch,metric,value but found '{line}'."));
        }
        return new MetricsLog(rows, csv: null);
    }

    /// <summary>Records the values of several metrics at one step (and appends them to the CSV file, if any).</summary>
    public void Log(long step, params (string Name, double Value)[] values) => Log(step, epoch: null, values);

    /// <summary>Records the values of several metrics at one step of an epoch.</summary>
    public void Log(long step, int? epoch, params (string Name, double Value)[] values)
    {
        foreach (var (name, _) in values)
            if (string.IsNullOrWhiteSpace(name) || name.Contains('\n') || name.Contains('\r'))
                throw new ArgumentException($"Metric name '{name}' must be non-empty and on one line.", nameof(values));
        foreach (var (name, value) in values)
        {
            var row = new MetricsRow(step, epoch, name, value);
            Add(row);
            _csv?.Write(FormatCsvLine(row) + "\n");
        }
        _csv?.Flush();
    }

    /// <summary>Whether metric <paramref name="name"/> was logged at least once.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The steps and values of one metric, in the order logged.</summary>
    public (long[] Steps, double[] Values) Series(string name)
    {
        var rows = RowsOf(name);
        return (rows.Select(r => r.Step).ToArray(), rows.Select(r => r.Value).ToArray());
    }

    /// <summary>The most recent value of a metric.</summary>
    public double Last(string name) => RowsOf(name)[^1].Value;

    /// <summary>The mean of the last <paramref name="lastN"/> values of a metric (all of them if there are fewer).</summary>
    public double Mean(string name, int lastN)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lastN, 1);
        var rows = RowsOf(name);
        return rows.Skip(Math.Max(0, rows.Count - lastN)).Average(r => r.Value);
    }

    /// <summary>Closes the CSV file; the in-memory history stays readable.</summary>
    public void Dispose()
    {
        _csv?.Dispose();
        _csv = null;
    }

    List<MetricsRow> RowsOf(string name) =>
        _byName.TryGetValue(name, out var rows)
            ? rows
            : throw new ArgumentException($"No metric named '{name}' was logged. Logged: {string.Join(", ", _names)}.", nameof(name));

    void Add(MetricsRow row)
    {
        _rows.Add(row);
        if (!_byName.TryGetValue(row.Name, out var rows))
        {
            _byName[row.Name] = rows = [];
            _names.Add(row.Name);
        }
        rows.Add(row);
    }

    static StreamWriter OpenForAppend(string path, bool truncate)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var stream = new FileStream(path, truncate ? FileMode.Create : FileMode.Append, FileAccess.Write, FileShare.Read);
        return new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    static string FormatCsvLine(MetricsRow row) =>
        string.Join(',',
            row.Step.ToString(CultureInfo.InvariantCulture),
            row.Epoch?.ToString(CultureInfo.InvariantCulture) ?? "",
            QuoteCsv(row.Name),
            row.Value.ToString("R", CultureInfo.InvariantCulture));

    static string QuoteCsv(string field) =>
        field.IndexOfAny([',', '"']) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";

    // step,epoch,metric,value where only metric may be quoted (RFC 4180: "" inside quotes is one ").
    static MetricsRow? ParseCsvLine(string line)
    {
        var firstComma = line.IndexOf(',');
        var secondComma = firstComma < 0 ? -1 : line.IndexOf(',', firstComma + 1);
        var lastComma = line.LastIndexOf(',');
        if (secondComma < 0 || lastComma <= secondComma) return null;
        var stepText = line[..firstComma];
        var epochText = line[(firstComma + 1)..secondComma];
        var nameText = line[(secondComma + 1)..lastComma];
        var valueText = line[(lastComma + 1)..];
        if (!long.TryParse(stepText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var step)) return null;
        int? epoch = null;
        if (epochText.Length > 0)
        {
            if (!int.TryParse(epochText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var e)) return null;
            epoch = e;
        }
        if (!double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return null;
        var name = nameText.Length >= 2 && nameText[0] == '"' && nameText[^1] == '"'
            ? nameText[1..^1].Replace("\"\"", "\"")
            : nameText;
        return new MetricsRow(step, epoch, name, value);
    }
}
