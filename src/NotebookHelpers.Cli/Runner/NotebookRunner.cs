using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NotebookHelpers.Core;
using NotebookHelpers.Notebooks;

namespace NotebookHelpers.Cli.Runner;

/// <summary>Options of <c>nbh notebooks run</c>.</summary>
public sealed record NotebookRunOptions(IReadOnlyList<string> Notebooks, RunProfile Profile, string OutFolder, TimeSpan CellTimeout);

/// <summary>
/// Runs notebooks one child process each (<c>nbh notebooks run-one</c>), with the notebook's folder as working
/// directory, the profile in NBH_PROFILE and every notebook's results in one folder; a failing notebook does not stop
/// the others. Writes the executed notebooks, their results and one HTML report into the output folder.
/// </summary>
public sealed class NotebookRunner(TextWriter log)
{
    /// <summary>Every notebook of the series, in order.</summary>
    public static IReadOnlyList<string> SeriesNotebooks()
    {
        var folder = Path.Combine(RepoPaths.Root, "notebooks");
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"No notebooks folder at {folder}. Run nbh from inside the repository, or name the notebooks to run.");
        return Directory.GetFiles(folder, "*.ipynb").Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Refuses, before anything runs, a list that names a missing file, a file that is not a notebook (not JSON, or
    /// without a list of cells, or with no code cell), or two notebooks of one file name, whose executed copies would
    /// overwrite each other in the output folder.
    /// </summary>
    /// <exception cref="UsageException">One line naming the notebook and what is wrong with it.</exception>
    public static void CheckNotebooks(IReadOnlyList<string> notebooks)
    {
        foreach (var notebook in notebooks)
        {
            if (!File.Exists(notebook)) throw new UsageException($"No notebook at {notebook}.");
            if (NotANotebook(notebook) is { } why) throw new UsageException($"{notebook} is not a Polyglot/Jupyter notebook: {why}.");
        }
        foreach (var clash in notebooks.GroupBy(n => Path.GetFileName(n), StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            throw new UsageException($"Two notebooks are named {clash.Key} ({string.Join(" and ", clash)}): their executed copies would overwrite each other; run them separately with different --out folders.");
    }

    /// <summary>Refuses an output folder that holds one of the notebooks: its executed copy would replace the source, even with --force.</summary>
    public static void CheckOutFolder(IReadOnlyList<string> notebooks, string outFolder)
    {
        var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outFolder));
        if (notebooks.FirstOrDefault(n => Path.GetDirectoryName(Path.GetFullPath(n)) == folder) is { } source)
            throw new UsageException($"--out {folder} is the folder of {Path.GetFileName(source)}: its executed copy would overwrite the notebook itself; choose another folder.");
    }

    static string? NotANotebook(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            return $"it is not JSON ({e.Message.Split('.')[0]})";
        }
        if (root is not JsonObject notebook || notebook["cells"] is not JsonArray cells) return "it has no \"cells\" list";
        bool IsCode(JsonNode? cell) => cell is JsonObject c && c["cell_type"]?.GetValueKind() == JsonValueKind.String && (string)c["cell_type"]! == "code";
        return cells.Any(IsCode) ? null : "it has no code cell to run";
    }

    public async Task<IReadOnlyList<NotebookRunStatus>> RunAsync(NotebookRunOptions options)
    {
        var outFolder = Path.GetFullPath(options.OutFolder);
        Directory.CreateDirectory(outFolder);
        var resultsFolder = Path.Combine(outFolder, "results");
        // Results of an earlier run in this folder (the caller made sure it is the runner's own) would mix into this
        // run's report: the runner's own results files go, anything else in results/ stays.
        if (Directory.Exists(resultsFolder))
            foreach (var old in Directory.GetFiles(resultsFolder, "*.json").Where(ResultsRecord.IsResultsFile)) File.Delete(old);
        Directory.CreateDirectory(resultsFolder);

        log.WriteLine($"Running {options.Notebooks.Count} notebook(s) with profile '{options.Profile.Name}' ({options.Profile.Description}); outputs in {outFolder}");
        var statuses = new List<NotebookRunStatus>();
        foreach (var notebook in options.Notebooks)
            statuses.Add(await RunOneAsync(Path.GetFullPath(notebook), options, outFolder, resultsFolder));

        var reportPath = Path.Combine(outFolder, "report.html");
        var report = new RunReport(options.Profile.Name, TorchRuntime.Describe(), statuses, ResultsRecord.ReadFolder(resultsFolder));
        AtomicFile.WriteAllText(reportPath, report.ToHtml());
        log.WriteLine($"Report: {reportPath}");
        return statuses;
    }

    async Task<NotebookRunStatus> RunOneAsync(string notebook, NotebookRunOptions options, string outFolder, string resultsFolder)
    {
        var name = Path.GetFileNameWithoutExtension(notebook);
        var statusPath = NotebookRunStatus.PathFor(outFolder, name);
        if (File.Exists(statusPath)) File.Delete(statusPath);
        var executedPath = Path.Combine(outFolder, Path.GetFileName(notebook));

        if (MissingLibraryReference(notebook) is { } missing)
        {
            var failed = Failed(name, notebook, executedPath, 1, missing);
            log.WriteLine(failed.FailureMessage);
            return failed;
        }

        var start = ChildProcess(["notebooks", "run-one", notebook, "--out", outFolder, "--cell-timeout", ((int)Math.Ceiling(options.CellTimeout.TotalSeconds)).ToString() + "s"]);
        start.WorkingDirectory = Path.GetDirectoryName(notebook)!;
        start.Environment[RunProfile.Variable] = options.Profile.Name;
        start.Environment[ResultsRecord.FolderVariable] = resultsFolder;
        start.Environment[NotebookSession.NotebookVariable] = name;

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start nbh for " + notebook);
        // The child's output is inherited: its live progress goes straight to this console.
        await process.WaitForExitAsync();

        if (File.Exists(statusPath)) return NotebookRunStatus.FromJson(await File.ReadAllTextAsync(statusPath));
        // The child prints its own failures; one that died without a status cannot have.
        var crashed = Failed(name, notebook, executedPath, null, $"the notebook process exited with code {process.ExitCode} before reporting (crashed?)")
            with
        { Seconds = watch.Elapsed.TotalSeconds };
        log.WriteLine(crashed.FailureMessage);
        return crashed;
    }

    /// <summary>The library a notebook's first cell references must be built; say so plainly instead of a CS0006.</summary>
    static string? MissingLibraryReference(string notebook)
    {
        var text = File.ReadAllText(notebook);
        foreach (Match m in Regex.Matches(text, @"#r \\""([^""\\]+\.dll)\\"""))
        {
            var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(notebook)!, m.Groups[1].Value));
            if (!File.Exists(path))
                return $"it references {m.Groups[1].Value}, which is not built ({path} is missing). Run `dotnet build` in the repository first.";
        }
        return null;
    }

    static NotebookRunStatus Failed(string name, string notebook, string executedPath, int? cell, string error) =>
        new(name, RepoPaths.Display(notebook), executedPath, false, 0, 0, 0, cell, null, error);

    /// <summary>Starts this same program again: through its apphost, or through <c>dotnet nbh.dll</c> when it was started that way.</summary>
    static ProcessStartInfo ChildProcess(IEnumerable<string> arguments)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            start.ArgumentList.Add(typeof(NotebookRunner).Assembly.Location);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        return start;
    }
}
