using System.CommandLine;
using NotebookHelpers.Core;
using NotebookHelpers.Metrics;
using NotebookHelpers.Papers.SegNet;
using NotebookHelpers.Training;
using Spectre.Console;

namespace NotebookHelpers.Cli.Papers;

/// <summary>
/// SegNet's subcommands of the shared verbs: <c>nbh train segnet</c> and <c>nbh predict segnet</c> (the folder scoring,
/// <c>nbh eval segmentation</c>, is shared with SPIGAN and lives in <c>Commands/SegmentationCommands</c>).
/// </summary>
public static class SegNetCommands
{
    public static void AddTo(Verbs verbs)
    {
        verbs.Train.Add(Train());
        verbs.Predict.Add(Predict());
    }

    /// <summary>The <c>--system</c> names, as a user types them.</summary>
    static readonly Dictionary<string, SegNetSystem> Systems = new(StringComparer.Ordinal)
    {
        ["segnet"] = SegNetSystem.SegNet,
        ["baseline"] = SegNetSystem.Baseline,
        ["segnet-basic"] = SegNetSystem.SegNetBasic,
        ["fcn-basic"] = SegNetSystem.FcnBasic,
        ["segnet-vgg16"] = SegNetSystem.SegNetVgg16,
    };

    static Command Train()
    {
        var system = new Option<string>("--system") { Description = "segnet or baseline (the seed article's pair, VOC 2012 at 64×64), segnet-basic or fcn-basic (the paper's CamVid pair), segnet-vgg16 (the paper's full SegNet, on CamVid).", DefaultValueFactory = _ => "segnet" };
        var profile = new Option<string?>("--profile") { Description = "smoke, workshop or paper (default: NBH_PROFILE, else by machine)." };
        var epochs = new Option<int?>("--epochs") { Description = "Train this many epochs instead of the profile's." };
        var output = new Option<string?>("--out") { Description = "Folder for checkpoints, metrics.csv and scores.json (default artifacts/<system>)." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0 };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its newest checkpoint (after a crash or a kill)." };
        var every = new Option<long>("--checkpoint-every") { Description = "Save a checkpoint every N steps, besides every epoch's end.", DefaultValueFactory = _ => 200 };
        var force = CliInput.ForceOption();
        var segnet = new Command("segnet", "SegNet (Badrinarayanan et al., 2017) or its baselines: trains, then scores on the held-out split beside the majority class.")
        {
            system, profile, epochs, output, seed, resume, every, force,
        };
        segnet.SetAction(parse =>
        {
            var name = parse.GetValue(system)!;
            if (!Systems.TryGetValue(name, out var chosen))
                throw new UsageException($"--system {name}: give one of {string.Join(", ", Systems.Keys)}.");
            var runProfile = CliInput.Profile(parse.GetValue(profile));
            if (parse.GetValue(every) < 1) throw new UsageException($"--checkpoint-every {parse.GetValue(every)}: give a number of steps of at least 1.");
            var plan = SegNetPlan.For(runProfile, PascalVoc.Exists("train") && PascalVoc.Exists("val"), CamVid.Exists("train") && CamVid.Exists("test"));
            if (parse.GetValue(epochs) is { } n)
            {
                if (n < 1 || n > 100_000) throw new UsageException($"--epochs {n}: give a whole number from 1 to 100000.");
                plan = plan with { BasicTraining = plan.BasicTraining with { Epochs = n }, ArticleTraining = plan.ArticleTraining with { Epochs = n } };
            }
            var folder = CliInput.OutFolder(parse.GetValue(output) ?? Path.Combine(RepoPaths.Artifacts, name), "train segnet", parse.GetValue(force));
            var request = new SegNetRunRequest(plan, runProfile, chosen, folder, parse.GetValue(seed), parse.GetValue(resume), parse.GetValue(every));
            TrainingProgress? line = null;
            SegNetRunResult result;
            try
            {
                result = SegNetRun.Train(request, Console.Out, (step, steps, values) =>
                {
                    line ??= TrainingProgress.Start(SegNetExperiment.Name(chosen), steps, new ProgressOptions { StartStep = step - 1 });
                    line.Report(step, values);
                });
            }
            finally
            {
                line?.Dispose();
            }
            var table = new Table().AddColumn("System");
            foreach (var spec in SegmentationMetricSpecs.All) table.AddColumn(spec.Name);
            foreach (var (label, scores) in new[] { (SegNetExperiment.Name(chosen), result.Scores), ("majority class", result.MajorityClass) })
                table.AddRow([label, .. scores.Named().Select(n => n.Value is { } v ? SegmentationMetricSpecs.Get(n.Name).FormatValue(v) : "–")]);
            AnsiConsole.Write(table);
            Console.WriteLine($"Scored on {result.Evaluated}. Checkpoint: {RepoPaths.Display(result.Checkpoint.Folder)}; scores in {RepoPaths.Display(Path.Combine(folder, "scores.json"))}");
            return 0;
        });
        return segnet;
    }

    static Command Predict()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "The folder `nbh train segnet` wrote (its latest checkpoint is used).", Required = true };
        var images = new Option<string>("--images") { Description = "Folder of PNG or JPEG images.", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for the predictions: 8-bit PNGs whose value is the class id, each at its image's size.", Required = true };
        var force = CliInput.ForceOption();
        var segnet = new Command("segnet", "Class-id maps for a folder of images, ready for `nbh eval segmentation`.") { checkpoint, images, output, force };
        segnet.SetAction(parse =>
        {
            var checkpointFolder = CliInput.ExistingFolder(parse.GetValue(checkpoint)!, "--checkpoint");
            var imageFolder = CliInput.ExistingFolder(parse.GetValue(images)!, "--images");
            var outFolder = CliInput.OutFolder(parse.GetValue(output)!, "predict segnet", parse.GetValue(force));
            var (network, config, used) = SegNetRun.LoadNetwork(checkpointFolder, TorchRuntime.Device);
            using (network)
            {
                Console.WriteLine($"Using the checkpoint {RepoPaths.Display(used.Folder)} ({SegNetExperiment.Name(config.System)}, step {used.Step}, saved {used.SavedAt:yyyy-MM-dd HH:mm} UTC).");
                var (written, skipped) = SegNetRun.PredictFolder(network, config, imageFolder, outFolder, TorchRuntime.Device, Console.Error);
                Console.WriteLine($"{written} class-id maps written to {RepoPaths.Display(outFolder)}; {skipped} image(s) skipped.");
                return skipped == 0 ? 0 : 1;
            }
        });
        return segnet;
    }
}
