using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NotebookHelpers.Metrics;
using Spectre.Console;

namespace NotebookHelpers.Cli.Commands;

/// <summary>
/// <c>nbh eval segmentation</c>: the FCN evaluation's pixel accuracy, mean accuracy, mIoU and fwIoU and SegNet's
/// boundary F1 of a folder of predicted class-id maps against a folder of labels, for every paper that segments.
/// </summary>
public static class SegmentationCommands
{
    /// <summary>The most classes an 8-bit class-id PNG can name.</summary>
    public const int MaxClasses = 256;

    public static void AddTo(Verbs verbs) => verbs.Eval.Add(Segmentation());

    static Command Segmentation()
    {
        var predictions = new Option<string?>("--predictions") { Description = "Folder of predicted class-id maps (8-bit grey PNG, value = class id, or palette PNG)." };
        var labels = new Option<string?>("--labels") { Description = "Folder of label maps of the same kind, matched to the predictions by file name stem." };
        var classes = new Option<string?>("--classes") { Description = $"The number of classes N (ids 0..N-1), 1 to {MaxClasses}: 11 for CamVid, 21 for PASCAL VOC." };
        var ignore = new Option<string?>("--ignore") { Description = "The label left out of every score, 0 to 255, or none (default 255, VOC's void)." };
        var json = new Option<bool>("--json") { Description = "Print the scores as one JSON object on standard output instead of tables." };
        var noBoundary = new Option<bool>("--no-boundary") { Description = "Skip the boundary F1 score (BF), the slow part." };
        var command = new Command("segmentation", "Pixel accuracy, mean accuracy, mIoU, fwIoU and BF over a set of class-id maps. Problems go to standard error and make the exit code 1; the scores printed then cover the images that could be read.")
        {
            predictions, labels, classes, ignore, json, noBoundary,
        };
        // Unknown arguments reach the action, so that they exit with 2 like the other usage errors.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            if (parse.UnmatchedTokens.Count > 0)
                throw new UsageException($"Unknown argument(s): {string.Join(' ', parse.UnmatchedTokens)}. See 'nbh eval segmentation --help'.");
            var missing = new[] { ("--predictions DIR", parse.GetValue(predictions)), ("--labels DIR", parse.GetValue(labels)), ("--classes N", parse.GetValue(classes)) }
                .Where(option => option.Item2 is null).Select(option => option.Item1).ToList();
            if (missing.Count > 0)
                throw new UsageException($"Give {string.Join(" and ", missing)} (nbh eval segmentation --predictions DIR --labels DIR --classes N).");
            var classCount = Whole(parse.GetValue(classes)!, "--classes", 1, MaxClasses, "the number of classes");
            var ignored = parse.GetValue(ignore) is { } text && !text.Equals("none", StringComparison.OrdinalIgnoreCase)
                ? Whole(text, "--ignore", 0, 255, "a label value or none")
                : parse.GetValue(ignore) is null ? 255 : (int?)null;
            var predictionsFolder = CliInput.ExistingFolder(parse.GetValue(predictions)!, "--predictions");
            var labelsFolder = CliInput.ExistingFolder(parse.GetValue(labels)!, "--labels");
            var result = SegmentationEvaluation.EvaluateFolders(predictionsFolder, labelsFolder, classCount, ignored, !parse.GetValue(noBoundary));
            if (parse.GetValue(json))
                WriteJson(result);
            else
                WriteTables(result);
            foreach (var note in result.Notes)
                Console.Error.WriteLine("note: " + note);
            foreach (var problem in result.Problems)
                Console.Error.WriteLine(problem);
            if (!result.IsComplete)
                Console.Error.WriteLine($"{result.Problems.Count} problem(s): the scores cover {result.Count} image(s); see the lines above.");
            return result.IsComplete ? 0 : 1;
        });
        return command;
    }

    /// <summary>A whole number in [min, max], else a usage error naming the option.</summary>
    static int Whole(string text, string option, int min, int max, string what) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new UsageException($"{option} {text}: give {what}, a whole number from {min} to {max}.");

    static void WriteTables(SegmentationEvaluationResult result)
    {
        var scores = result.Scores;
        var overall = new Table().AddColumns("Metric", "Value");
        foreach (var (name, value) in scores.Named())
        {
            var spec = SegmentationMetricSpecs.Get(name);
            overall.AddRow(spec.Symbol is { } symbol && symbol != name ? $"{name} ({symbol})" : name, value is { } v ? spec.FormatValue(v) : "[grey]skipped (--no-boundary)[/]");
        }
        overall.AddRow("images", result.Count.ToString(CultureInfo.InvariantCulture));
        overall.AddRow("pixels", scores.Pixels.ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(overall);

        var perClass = new Table().AddColumns("Class", "IoU", "Accuracy", "Label pixels");
        for (var c = 0; c < scores.Classes; c++)
            perClass.AddRow(
                c.ToString(CultureInfo.InvariantCulture),
                scores.PerClassIoU[c] is { } iou ? SegmentationMetricSpecs.MeanIoU.FormatValue(iou) : "[grey]absent[/]",
                scores.PerClassAccuracy[c] is { } accuracy ? SegmentationMetricSpecs.MeanAccuracy.FormatValue(accuracy) : "[grey]–[/]",
                scores.PerClassPixels[c].ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(perClass);
    }

    /// <summary>One object; NaN (no labelled pixel) and an undefined IoU are null, as JSON has no NaN; BF is null with --no-boundary.</summary>
    static void WriteJson(SegmentationEvaluationResult result)
    {
        var scores = result.Scores;
        using var stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout))
        {
            writer.WriteStartObject();
            Number(writer, "pixel_accuracy", scores.PixelAccuracy);
            Number(writer, "mean_accuracy", scores.MeanAccuracy);
            Number(writer, "mIoU", scores.MeanIoU);
            Number(writer, "fwIoU", scores.FrequencyWeightedIoU);
            writer.WriteStartArray("per_class_IoU");
            foreach (var iou in scores.PerClassIoU)
            {
                if (iou is { } v && double.IsFinite(v)) writer.WriteNumberValue(v);
                else writer.WriteNullValue();
            }
            writer.WriteEndArray();
            Number(writer, "BF", scores.BoundaryF1);
            writer.WriteNumber("count", result.Count);
            writer.WriteEndObject();
        }
        stdout.Write("\n"u8);
    }

    static void Number(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) writer.WriteNumber(name, v);
        else writer.WriteNull(name);
    }
}
