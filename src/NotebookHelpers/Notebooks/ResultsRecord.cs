using System.Text.Json;
using System.Text.Json.Serialization;
using NotebookHelpers.Core;

namespace NotebookHelpers.Notebooks;

/// <summary>
/// One headline number of a notebook, beside the paper's and the seed article's value for the same row when they
/// exist, so the run report can put every reproduction next to what it reproduces.
/// </summary>
public sealed record ResultEntry(
    string Notebook,
    string System,
    string Dataset,
    string Metric,
    double Value,
    double? Paper = null,
    double? Article = null,
    string Profile = "",
    string? Note = null);

/// <summary>
/// The results of one notebook, kept in <c>&lt;folder&gt;/&lt;notebook&gt;.json</c>. Recording the same
/// (system, dataset, metric) again replaces the earlier value, so re-running a cell never duplicates a row.
/// The folder is <c>NBH_RESULTS_DIR</c> when set (the runner sets it), else <c>artifacts/results</c>.
/// </summary>
public sealed class ResultsRecord
{
    /// <summary>The environment variable the runner sets so every notebook of a run writes into one folder.</summary>
    public const string FolderVariable = "NBH_RESULTS_DIR";

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    readonly List<ResultEntry> entries = [];

    public ResultsRecord(string notebook, RunProfile profile, string? folder = null)
    {
        Notebook = notebook;
        Profile = profile;
        FilePath = Path.Combine(folder ?? DefaultFolder, notebook + ".json");
        if (File.Exists(FilePath))
            entries.AddRange(Read(FilePath).Where(e => e.Profile == profile.Name));
    }

    public string Notebook { get; }
    public RunProfile Profile { get; }
    public string FilePath { get; }
    public IReadOnlyList<ResultEntry> Entries => entries;

    public static string DefaultFolder =>
        Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } folder ? folder : Path.Combine(RepoPaths.Artifacts, "results");

    /// <summary>Records a value (replacing the same system/dataset/metric row) and saves the file at once.</summary>
    public ResultEntry Add(string system, string dataset, string metric, double value,
        double? paper = null, double? article = null, string? note = null)
    {
        var entry = new ResultEntry(Notebook, system, dataset, metric, value, paper, article, Profile.Name, note);
        int existing = entries.FindIndex(e => e.System == system && e.Dataset == dataset && e.Metric == metric);
        if (existing >= 0) entries[existing] = entry; else entries.Add(entry);
        Save();
        return entry;
    }

    void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        AtomicFile.WriteAllText(FilePath, JsonSerializer.Serialize(entries, Json));
    }

    /// <summary>The entries of one results file.</summary>
    public static IReadOnlyList<ResultEntry> Read(string path) =>
        JsonSerializer.Deserialize<List<ResultEntry>>(File.ReadAllText(path), Json)
        ?? throw new InvalidDataException($"{path} holds no results list.");

    /// <summary>Every entry of every results file in a folder, in notebook order.</summary>
    /// <summary>Whether <paramref name="path"/> is a results file (what a runner may clear before a new run).</summary>
    public static bool IsResultsFile(string path)
    {
        try
        {
            return Read(path).All(e => e.Notebook is not null && e.Metric is not null);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or IOException)
        {
            return false;
        }
    }

    public static IReadOnlyList<ResultEntry> ReadFolder(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).SelectMany(Read).ToList()
            : [];
}
