using System.CommandLine;
using System.Text.Json;
using NotebookHelpers.Imaging;
using NotebookHelpers.Models;
using Spectre.Console;

namespace NotebookHelpers.Cli.Commands;

/// <summary><c>nbh weights check|verify</c> and <c>nbh classify</c>: torchvision checkpoints from the command line.</summary>
public static class WeightsCommands
{
    static Option<string> ModelOption() => new("--model")
    {
        Description = $"The backbone: {string.Join(", ", Backbones.All.Select(k => k.Name()))}.",
        Required = true,
    };

    const int MaxProblems = 10;
    const string WeightsHint = "torchvision's checkpoints download with data-scripts/weights.sh.";

    static bool Fits(string path, BackboneKind kind)
    {
        using var backbone = Backbones.Create(kind);
        return PretrainedWeights.Check(backbone, path, kind).Fits;
    }

    public static Command Weights()
    {
        var command = new Command("weights", "Check torchvision checkpoints against the library's backbones.");
        command.Add(Check());
        command.Add(Verify());
        return command;
    }

    static Command Check()
    {
        var model = ModelOption();
        var file = new Argument<string>("file") { Description = "A .pth (zip or legacy format) or .safetensors checkpoint." };
        var command = new Command("check", "Say whether FILE loads into the model: keys, shapes, and the hash prefix its name carries.") { model, file };
        command.SetAction(parse =>
        {
            var kind = Backbones.Parse(parse.GetValue(model)!);
            var path = CliInput.ExistingFile(parse.GetValue(file)!, "FILE");
            using var backbone = Backbones.Create(kind);
            var report = PretrainedWeights.Check(backbone, path, kind);
            if (report.NamedHash is { } named)
                Console.WriteLine($"hash: name says {named}, SHA-256 is {report.ActualHash}");
            if (report.Fits)
            {
                Console.WriteLine($"{report.File} fits {kind.Name()}: {report.Tensors} tensors, every key and shape as expected.");
                return 0;
            }
            // A whole other architecture gives hundreds of key problems: name the one it fits instead of listing them all.
            var fits = Backbones.All.Where(k => k != kind).FirstOrDefault(k => Fits(path, k));
            Console.Error.WriteLine(fits is { } other
                ? $"{report.File} does not fit {kind.Name()}: it is a {other.Name()} checkpoint; check it with --model {other.Name()}."
                : $"{report.File} does not fit {kind.Name()}:");
            foreach (var problem in report.Problems.Take(MaxProblems)) Console.Error.WriteLine("  - " + problem);
            if (report.Problems.Count > MaxProblems) Console.Error.WriteLine($"  ... and {report.Problems.Count - MaxProblems} more");
            return 1;
        });
        return command;
    }

    static Command Verify()
    {
        var model = ModelOption();
        var weights = new Option<string>("--weights") { Description = "The checkpoint to load.", Required = true };
        var reference = new Option<string>("--reference") { Description = "torch.save({\"input\": x, \"logits\": model(x)}) from PyTorch.", Required = true };
        var tolerance = new Option<double>("--tolerance") { Description = "Largest acceptable absolute difference of a logit.", DefaultValueFactory = _ => 1e-4 };
        var command = new Command("verify", "Compare this library's logits with PyTorch's on the same input and weights.") { model, weights, reference, tolerance };
        command.SetAction(parse =>
        {
            var kind = Backbones.Parse(parse.GetValue(model)!);
            var result = ReferenceComparison.Run(kind, CliInput.ExistingFile(parse.GetValue(weights)!, "--weights", WeightsHint), CliInput.ExistingFile(parse.GetValue(reference)!, "--reference"));
            var limit = parse.GetValue(tolerance);
            Console.WriteLine($"{kind.Name()}: input {string.Join("x", result.InputShape)}, max |logit| {result.MaxAbsLogit:G4}, " +
                              $"max |difference| {result.MaxAbsDifference:E2} ({(result.MaxAbsDifference <= limit ? "within" : "ABOVE")} {limit:G2})");
            return result.MaxAbsDifference <= limit ? 0 : 1;
        });
        return command;
    }

    public static Command Classify()
    {
        var model = ModelOption();
        var weights = new Option<string>("--weights") { Description = "The ImageNet checkpoint to load.", Required = true };
        var image = new Option<string>("--image") { Description = "A PNG or JPEG image.", Required = true };
        var top = new Option<int>("--top") { Description = "How many classes to list.", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print exactly one JSON object and nothing else." };
        var command = new Command("classify", "Classify an image with an ImageNet backbone (torchvision's preprocessing).") { model, weights, image, top, json };
        command.SetAction(parse =>
        {
            var kind = Backbones.Parse(parse.GetValue(model)!);
            if (parse.GetValue(top) < 1) throw new UsageException($"--top {parse.GetValue(top)}: list at least 1 class.");
            var weightsFile = CliInput.ExistingFile(parse.GetValue(weights)!, "--weights", WeightsHint);
            var imageFile = CliInput.ExistingFile(parse.GetValue(image)!, "--image");
            // The image first: a bad one fails in milliseconds, not after the weights have loaded.
            using var picture = ImageIO.LoadRgb(imageFile);
            using var backbone = Backbones.Create(kind);
            PretrainedWeights.Load(backbone, weightsFile, kind);
            var scores = ImageNetClassifier.Classify(backbone, picture, parse.GetValue(top));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    model = kind.Name(),
                    top = scores.Select(s => new { index = s.Index, name = s.Name, probability = s.Probability }),
                }));
                return 0;
            }
            var table = new Table().AddColumns("#", "Class", "Index", "Probability");
            foreach (var (score, rank) in scores.Select((s, i) => (s, i + 1)))
                table.AddRow(rank.ToString(), Markup.Escape(score.Name), score.Index.ToString(), score.Probability.ToString("P2"));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
