using System.Text.Json;
using NotebookHelpers.Notebooks;

namespace NotebookHelpers.Cli.Runner;

/// <summary>How one notebook of a run ended; written by the process that executed it, read by the runner and the report.</summary>
public sealed record NotebookRunStatus(
    string Notebook,
    string Source,
    string ExecutedPath,
    bool Succeeded,
    double Seconds,
    int CellsRun,
    int CodeCells,
    int? FailedCell = null,
    int? FailedLine = null,
    string? Error = null)
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary><c>notebooks/01-salgan.ipynb: cell 5, line 3: InvalidOperationException: ...</c></summary>
    public string FailureMessage =>
        Succeeded ? "" : $"{Source}: cell {FailedCell?.ToString() ?? "?"}{(FailedLine is { } line ? $", line {line}" : "")}: {Error}";

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static NotebookRunStatus FromJson(string json) =>
        JsonSerializer.Deserialize<NotebookRunStatus>(json, Json) ?? throw new InvalidDataException("empty notebook status");

    public static string PathFor(string outFolder, string notebook) => Path.Combine(outFolder, notebook + ".status.json");
}
