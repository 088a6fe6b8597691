using System.CommandLine;
using System.Text.Json;
using NotebookHelpers.Metrics;
using Spectre.Console;

namespace NotebookHelpers.Cli.Commands;

/// <summary><c>nbh eval saliency</c>: a folder of predicted maps scored with the saliency benchmark's metrics.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var command = new Command("eval", "Score a folder of model outputs with a paper's metrics.");
        command.Add(Saliency());
        return command;
    }

    static Command Saliency()
    {
        var predictions = new Option<string?>("--predictions") { Description = "Folder of predicted saliency maps (8-bit grey PNG or JPEG)." };
        var fixations = new Option<string?>("--fixations") { Description = "Folder of fixation maps (PNG, any nonzero pixel a fixation), matched to the predictions by file name stem." };
        var maps = new Option<string?>("--maps") { Description = "Folder of ground-truth density maps (8-bit grey PNG or JPEG), for CC, KLD and SIM." };
        var json = new Option<bool>("--json") { Description = "Print the means as one JSON object on standard output instead of a table." };
        var seed = new Option<long>("--seed") { Description = "Seed of the random negatives of AUC-Borji and sAUC.", DefaultValueFactory = _ => 0 };
        var command = new Command("saliency", "AUC-Judd, AUC-Borji, sAUC and NSS (and CC, KLD, SIM with --maps), averaged over the images; problems go to standard error and make the exit code 1.")
        {
            predictions, fixations, maps, json, seed,
        };
        // Unknown arguments reach the action, so that they exit with 2 like the other usage errors.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            if (parse.UnmatchedTokens.Count > 0)
            {
                Console.Error.WriteLine($"Unknown argument(s): {string.Join(' ', parse.UnmatchedTokens)}. See 'nbh eval saliency --help'.");
                return 2;
            }
            var (predictionsFolder, fixationsFolder) = (parse.GetValue(predictions), parse.GetValue(fixations));
            if (predictionsFolder is null || fixationsFolder is null)
            {
                Console.Error.WriteLine("Give both --predictions DIR and --fixations DIR (and --maps DIR for CC, KLD and SIM).");
                return 2;
            }
            SaliencyEvaluationResult result;
            try
            {
                result = SaliencyEvaluation.EvaluateFolders(predictionsFolder, fixationsFolder, parse.GetValue(maps), parse.GetValue(seed));
            }
            catch (DirectoryNotFoundException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            if (parse.GetValue(json))
                WriteJson(result);
            else
                WriteTable(result);
            foreach (var problem in result.Problems)
                Console.Error.WriteLine(problem);
            if (!result.IsComplete)
                Console.Error.WriteLine($"{result.Problems.Count} problem(s): the means cover {result.Count} image(s); see the lines above.");
            return result.IsComplete ? 0 : 1;
        });
        return command;
    }

    static void WriteTable(SaliencyEvaluationResult result)
    {
        var table = new Table().AddColumns("Metric", "Mean");
        foreach (var (name, value) in result.Mean.Named())
            table.AddRow(name, value is { } v ? v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) : "[grey]needs --maps[/]");
        table.AddRow("images", result.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
    }

    /// <summary>One object; a NaN mean (an image with an undefined score) is null, as JSON has no NaN.</summary>
    static void WriteJson(SaliencyEvaluationResult result)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in result.Mean.Named())
            {
                if (value is { } v && double.IsFinite(v))
                    writer.WriteNumber(name, v);
                else
                    writer.WriteNull(name);
            }
            writer.WriteNumber("count", result.Count);
            writer.WriteEndObject();
        }
        stdout.Write("\n"u8);
    }
}
