using System.CommandLine;
using NotebookHelpers.Cli.Runner;
using NotebookHelpers.Core;
using NotebookHelpers.Notebooks;
using Spectre.Console;

namespace NotebookHelpers.Cli.Commands;

/// <summary><c>nbh notebooks run</c> and the per-notebook child it starts.</summary>
public static class NotebookCommands
{
    static readonly TimeSpan DefaultCellTimeout = TimeSpan.FromMinutes(15);

    public static Command Create()
    {
        var command = new Command("notebooks", "Execute the Polyglot notebooks with the real .NET Interactive C# kernel.");
        command.Add(Run());
        command.Add(RunOne());
        return command;
    }

    static Option<string> CellTimeoutOption() => new("--cell-timeout")
    {
        Description = "Time limit of one cell (900, 900s, 15m, 1h); a cell past it fails its notebook.",
        DefaultValueFactory = _ => "15m",
    };

    static Command Run()
    {
        var notebooks = new Argument<string[]>("notebook") { Description = "Notebooks to run (default: every notebook in notebooks/, in order).", Arity = ArgumentArity.ZeroOrMore };
        var profile = new Option<string?>("--profile") { Description = "smoke, workshop or paper (default: NBH_PROFILE, else workshop on a GPU and smoke otherwise)." };
        var outFolder = new Option<string?>("--out") { Description = "Folder for the executed notebooks, results and report.html (default: artifacts/notebooks)." };
        var cellTimeout = CellTimeoutOption();
        var force = CliInput.ForceOption();
        var command = new Command("run", "Run notebooks, one process each, and write executed copies and an HTML report.") { notebooks, profile, outFolder, cellTimeout, force };
        command.SetAction(async (parse, _) =>
        {
            // Everything is checked before the first notebook starts.
            var list = parse.GetValue(notebooks) is { Length: > 0 } given ? given.Select(Path.GetFullPath).ToList() : NotebookRunner.SeriesNotebooks();
            NotebookRunner.CheckNotebooks(list);
            var runProfile = CliInput.Profile(parse.GetValue(profile));
            var timeout = CliInput.Duration(parse.GetValue(cellTimeout)!, "--cell-timeout");
            // The default folder under artifacts/ is this repository's own output area.
            var chosen = parse.GetValue(outFolder);
            var folder = chosen ?? Path.Combine(RepoPaths.Artifacts, "notebooks");
            NotebookRunner.CheckOutFolder(list, folder);
            folder = CliInput.OutFolder(folder, "notebooks run", force: chosen is null || parse.GetValue(force));
            var options = new NotebookRunOptions(list, runProfile, folder, timeout);
            var statuses = await new NotebookRunner(Console.Out).RunAsync(options);
            PrintSummary(statuses);
            return statuses.All(s => s.Succeeded) ? 0 : 1;
        });
        return command;
    }

    static Command RunOne()
    {
        var notebook = new Argument<string>("notebook");
        var outFolder = new Option<string>("--out") { Required = true };
        var cellTimeout = CellTimeoutOption();
        var command = new Command("run-one", "Execute one notebook in this process (the runner starts this per notebook).") { notebook, outFolder, cellTimeout };
        command.Hidden = true;
        command.SetAction(async (parse, _) =>
        {
            // The kernel redirects Console.Out while a cell runs; progress goes to the real standard output.
            var log = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
            var executor = new NotebookExecutor(parse.GetValue(notebook)!, parse.GetValue(outFolder)!, CliInput.Duration(parse.GetValue(cellTimeout)!, "--cell-timeout"), log);
            var status = await executor.RunAsync();
            return status.Succeeded ? 0 : 1;
        });
        return command;
    }

    static void PrintSummary(IReadOnlyList<NotebookRunStatus> statuses)
    {
        var table = new Table().AddColumns("Notebook", "Status", "Cells", "Time", "Error");
        foreach (var s in statuses)
            table.AddRow(
                Markup.Escape(s.Notebook),
                s.Succeeded ? "[green]passed[/]" : "[red]failed[/]",
                $"{s.CellsRun}/{s.CodeCells}",
                $"{s.Seconds:F1} s",
                Markup.Escape(s.Succeeded ? "" : s.FailureMessage));
        AnsiConsole.Write(table);
        int failed = statuses.Count(s => !s.Succeeded);
        Console.WriteLine($"notebooks: {statuses.Count - failed} passed, {failed} failed");
    }
}
