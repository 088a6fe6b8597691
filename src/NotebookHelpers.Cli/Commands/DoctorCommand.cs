using System.CommandLine;
using NotebookHelpers.Core;
using Spectre.Console;

namespace NotebookHelpers.Cli.Commands;

/// <summary><c>nbh doctor</c>: what this machine has and lacks, and what to do about each.</summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Report what this machine has and lacks (SDK, natives, GPU, datasets, weights) and what to do about each.");
        command.SetAction(_ =>
        {
            var results = EnvironmentCheck.Run();
            var table = new Table().AddColumns("Area", "Item", "State", "Found", "What to do");
            foreach (var r in results)
                table.AddRow(Markup.Escape(r.Area), Markup.Escape(r.Item), State(r.State), Markup.Escape(r.Found), Markup.Escape(r.Action));
            AnsiConsole.Write(table);
            int errors = results.Count(r => r.State == CheckState.Error);
            Console.WriteLine(errors == 0
                ? "Ready: the notebooks can run here. Missing items are needed only for the runs that name them."
                : $"{errors} problem(s) stop the notebooks from running here: see 'What to do'.");
            return errors == 0 ? 0 : 1;
        });
        return command;
    }

    static string State(CheckState state) => state switch
    {
        CheckState.Ok => "[green]ok[/]",
        CheckState.Missing => "[yellow]missing[/]",
        _ => "[red]error[/]",
    };
}
