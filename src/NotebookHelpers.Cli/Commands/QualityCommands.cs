using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NotebookHelpers.Metrics;
using Spectre.Console;

namespace NotebookHelpers.Cli.Commands;

/// <summary>
/// <c>nbh eval quality</c>: mean PSNR, SSIM and L1 of a folder of test images (an inpainting's completions) against a
/// folder of references, as scikit-image computes them (<see cref="ImageQuality"/>).
/// </summary>
public static class QualityCommands
{
    public static void AddTo(Verbs verbs) => verbs.Eval.Add(Quality());

    static Command Quality()
    {
        var reference = new Option<string?>("--reference") { Description = "Folder of the reference (original) images, RGB PNG." };
        var test = new Option<string?>("--test") { Description = "Folder of the test images, RGB PNG, matched to the references by file name stem, each of its reference's size." };
        var json = new Option<bool>("--json") { Description = "Print the scores as one JSON object (PSNR, SSIM, L1, count) on standard output instead of a table." };
        var command = new Command("quality", "Mean PSNR (dB, capped at 100), SSIM (11×11 Gaussian window) and L1 (0..255) over pairs of PNG images. Every file must pair and read: otherwise each problem goes to standard error, no score is printed and the exit code is 1.")
        {
            reference, test, json,
        };
        // Unknown arguments reach the action, so that they exit with 2 like the other usage errors.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            if (parse.UnmatchedTokens.Count > 0)
                throw new UsageException($"Unknown argument(s): {string.Join(' ', parse.UnmatchedTokens)}. See 'nbh eval quality --help'.");
            var missing = new[] { ("--reference DIR", parse.GetValue(reference)), ("--test DIR", parse.GetValue(test)) }
                .Where(option => option.Item2 is null).Select(option => option.Item1).ToList();
            if (missing.Count > 0)
                throw new UsageException($"Give {string.Join(" and ", missing)} (nbh eval quality --reference DIR --test DIR).");
            var references = CliInput.ExistingFolder(parse.GetValue(reference)!, "--reference");
            var tests = CliInput.ExistingFolder(parse.GetValue(test)!, "--test");
            if (!ImageQualityEvaluation.TryEvaluateFolders(references, tests, out var result, out var problems))
            {
                foreach (var problem in problems)
                    Console.Error.WriteLine(problem);
                Console.Error.WriteLine($"{problems.Count} problem(s), so no scores: a mean over part of the folders would not be theirs. Fix the files named above.");
                return ErrorBoundary.Failed;
            }
            if (parse.GetValue(json))
                WriteJson(result);
            else
                WriteTable(result);
            return 0;
        });
        return command;
    }

    static void WriteTable(ImageQualityEvaluationResult result)
    {
        var table = new Table().AddColumns("Metric", "Value");
        foreach (var (spec, value) in new[] { (ImageQualityMetricSpecs.Psnr, result.Psnr), (ImageQualityMetricSpecs.Ssim, result.Ssim), (ImageQualityMetricSpecs.L1, result.L1) })
            table.AddRow($"{spec.Symbol ?? spec.Name} {spec.Arrow}", spec.FormatValue(value));
        table.AddRow("images", result.Count.ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
    }

    /// <summary>One object: PSNR, SSIM, L1 and count; every score is finite (PSNR is capped).</summary>
    static void WriteJson(ImageQualityEvaluationResult result)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout))
        {
            writer.WriteStartObject();
            writer.WriteNumber(ImageQualityMetricSpecs.Psnr.Name, result.Psnr);
            writer.WriteNumber(ImageQualityMetricSpecs.Ssim.Name, result.Ssim);
            writer.WriteNumber(ImageQualityMetricSpecs.L1.Name, result.L1);
            writer.WriteNumber("count", result.Count);
            writer.WriteEndObject();
        }
        stdout.Write("\n"u8);
    }
}
