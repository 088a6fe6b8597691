using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NotebookHelpers.Core;
using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using NotebookHelpers.Metrics;
using NotebookHelpers.Models;
using NotebookHelpers.Notebooks;
using NotebookHelpers.Training;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Cli.Commands;

/// <summary><c>nbh train salgan</c> and <c>nbh predict salgan</c>: the SalGAN experiment without the notebook.</summary>
public static class SalGanCommands
{
    public static Command Train()
    {
        var command = new Command("train", "Train a paper's model with the library code its notebook uses.");
        var bceOnly = new Option<bool>("--bce-only") { Description = "Train the BCE/4 baseline: the generator on the content loss alone." };
        var profile = new Option<string?>("--profile") { Description = "smoke, workshop or paper (default: NBH_PROFILE, else by machine)." };
        var alpha = new Option<double?>("--alpha") { Description = $"Weight of the content loss (default 0.05, the authors'; the seed article used {SalGanConfig.ArticleAlpha})." };
        var output = new Option<string?>("--out") { Description = "Folder for checkpoints, metrics.csv and scores.json (default artifacts/salgan or artifacts/salgan-bce)." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0 };
        var salgan = new Command("salgan", "SalGAN (Pan et al., 2017): BCE pre-training, then adversarial training; scores on validation.") { bceOnly, profile, alpha, output, seed };
        salgan.SetAction(parse =>
        {
            var runProfile = parse.GetValue(profile) is { } p ? RunProfile.Parse(p) : RunProfile.Current;
            var plan = SalGanPlan.For(runProfile, Salicon.Exists("train") && Salicon.Exists("val"));
            if (parse.GetValue(alpha) is { } a) plan = plan with { Config = plan.Config with { Alpha = a } };
            bool baseline = parse.GetValue(bceOnly);
            var folder = parse.GetValue(output) ?? Path.Combine(RepoPaths.Artifacts, baseline ? "salgan-bce" : "salgan");
            return Run(plan, runProfile, baseline, folder, parse.GetValue(seed));
        });
        command.Add(salgan);
        return command;
    }

    static int Run(SalGanPlan plan, RunProfile profile, bool bceOnly, string folder, int seed)
    {
        Console.WriteLine(TorchRuntime.Describe());
        manual_seed(seed);
        var (train, validation, description) = SalGanExperiment.LoadData(plan, seed);
        Console.WriteLine($"{(bceOnly ? "BCE/4 baseline" : "SalGAN")}, profile {profile.Name}: {description}; {plan.Config.Epochs} epochs" +
                          (bceOnly ? "" : $", {plan.Config.PretrainEpochs} of them BCE pre-training, α = {plan.Config.Alpha}"));
        using var trainer = new SalGanTrainer(plan.Config, TorchRuntime.Device);
        trainer.Generator.TryLoadImageNetEncoder();
        Directory.CreateDirectory(folder);
        using var log = MetricsLog.CreateCsv(Path.Combine(folder, "metrics.csv"));
        var total = SalGanExperiment.StepsPerEpoch(train, plan.Config) * plan.Config.Epochs;
        using (var progress = TrainingProgress.Start(bceOnly ? "BCE/4" : "SalGAN", total))
        {
            SalGanExperiment.Train(trainer, train, seed, TorchRuntime.Device, bceOnly, (epoch, step, losses) =>
            {
                var values = Values(losses);
                log.Log(step, epoch, values);
                progress.Report(step, values);
            });
        }
        var saved = Checkpoint.Save(folder, new TrainingState().Add("generator", trainer.Generator), total, plan.Config.Epochs,
            notes: Notes(plan.Config, bceOnly));
        var scores = SalGanExperiment.Score(SalGanExperiment.Predict(trainer.Generator, validation.Inputs, plan.Config.BatchSize, TorchRuntime.Device), validation);
        var (centre, _) = SalGanExperiment.Baselines(validation, seed);
        var centreScores = SalGanExperiment.Score(centre, validation);
        PrintScores(bceOnly ? "BCE/4" : "SalGAN", scores, centreScores);
        AtomicFile.WriteAllText(Path.Combine(folder, "scores.json"), JsonSerializer.Serialize(
            scores.Named().ToDictionary(n => n.Name, n => n.Value), new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        Console.WriteLine($"Checkpoint: {RepoPaths.Display(saved.Folder)}; validation scores in {RepoPaths.Display(Path.Combine(folder, "scores.json"))}");
        return 0;
    }

    static (string, double)[] Values(SalGanStep losses)
    {
        var values = new List<(string, double)> { ("content", losses.Content) };
        if (losses.Generator is { } g) values.Add(("generator", g));
        if (losses.Discriminator is { } d) values.Add(("discriminator", d));
        return [.. values];
    }

    static Dictionary<string, string> Notes(SalGanConfig c, bool bceOnly) => new()
    {
        ["height"] = c.Height.ToString(CultureInfo.InvariantCulture),
        ["width"] = c.Width.ToString(CultureInfo.InvariantCulture),
        ["channelScale"] = c.ChannelScale.ToString(CultureInfo.InvariantCulture),
        ["alpha"] = c.Alpha.ToString(CultureInfo.InvariantCulture),
        ["bceOnly"] = bceOnly.ToString(),
    };

    static void PrintScores(string system, SaliencyBenchmarkScores scores, SaliencyBenchmarkScores centre)
    {
        var table = new Table().AddColumn("System");
        foreach (var (name, _) in scores.Named()) table.AddColumn(name);
        table.AddRow([system, .. scores.Named().Select(n => n.Value.ToString("F3", CultureInfo.InvariantCulture))]);
        table.AddRow(["centre bias", .. centre.Named().Select(n => n.Value.ToString("F3", CultureInfo.InvariantCulture))]);
        AnsiConsole.Write(table);
    }

    public static Command Predict()
    {
        var command = new Command("predict", "Predict with a trained paper model.");
        var checkpoint = new Option<string>("--checkpoint") { Description = "The folder `nbh train salgan` wrote (its latest checkpoint is used).", Required = true };
        var images = new Option<string>("--images") { Description = "Folder of PNG or JPEG images.", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for the predicted maps (8-bit grayscale PNG, each at its image's size).", Required = true };
        var salgan = new Command("salgan", "Saliency maps for a folder of images, ready for `nbh eval saliency`.") { checkpoint, images, output };
        salgan.SetAction(parse =>
        {
            var latest = Checkpoint.FindLatest(parse.GetValue(checkpoint)!);
            if (latest is null)
            {
                Console.Error.WriteLine($"No checkpoint in {parse.GetValue(checkpoint)}: train one with `nbh train salgan --out DIR`.");
                return 2;
            }
            if (!Directory.Exists(parse.GetValue(images)))
            {
                Console.Error.WriteLine($"No folder {parse.GetValue(images)}.");
                return 2;
            }
            var config = new SalGanConfig
            {
                Height = int.Parse(latest.Notes["height"], CultureInfo.InvariantCulture),
                Width = int.Parse(latest.Notes["width"], CultureInfo.InvariantCulture),
                ChannelScale = double.Parse(latest.Notes["channelScale"], CultureInfo.InvariantCulture),
            };
            using var generator = new SalGanGenerator(config);
            Checkpoint.Load(latest.Folder, new TrainingState().Add("generator", generator));
            generator.to(TorchRuntime.Device);
            int written = 0, skipped = 0;
            foreach (var file in Directory.GetFiles(parse.GetValue(images)!).Where(f => FilePairing.ImageExtensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal))
            {
                try
                {
                    using var scope = NewDisposeScope();
                    var image = ImageIO.LoadRgb(file);
                    var input = ImageTransforms.NormalizeImageNet(ImageTransforms.Resize(image, config.Height, config.Width)).unsqueeze(0);
                    var map = SalGanExperiment.Predict(generator, input, 1, TorchRuntime.Device)[0];
                    var original = ImageTransforms.Resize(map, (int)image.shape[1], (int)image.shape[2], antialias: false);
                    ImageIO.SaveGray(original, Path.Combine(parse.GetValue(output)!, Path.GetFileNameWithoutExtension(file) + ".png"));
                    written++;
                }
                catch (InvalidDataException e)
                {
                    Console.Error.WriteLine($"skipped {file}: {e.Message}");
                    skipped++;
                }
            }
            Console.WriteLine($"{written} saliency maps written to {parse.GetValue(output)}; {skipped} image(s) skipped.");
            return skipped == 0 ? 0 : 1;
        });
        command.Add(salgan);
        return command;
    }
}
