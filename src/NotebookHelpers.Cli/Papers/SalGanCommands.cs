using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NotebookHelpers.Core;
using NotebookHelpers.Notebooks;
using NotebookHelpers.Papers.SalGan;
using NotebookHelpers.Training;
using Spectre.Console;

namespace NotebookHelpers.Cli.Papers;

/// <summary>
/// SalGAN's subcommands of the shared verbs: <c>nbh train salgan</c>, <c>nbh predict salgan</c>,
/// <c>nbh eval saliency</c> and <c>nbh data salicon-fixations</c>. Each parses, validates and calls the library.
/// </summary>
public static class SalGanCommands
{
    public static void AddTo(Verbs verbs)
    {
        verbs.Train.Add(Train());
        verbs.Predict.Add(Predict());
        verbs.Eval.Add(Saliency());
        verbs.Data.Add(SaliconFixationsCommand());
    }

    static Command Train()
    {
        var bceOnly = new Option<bool>("--bce-only") { Description = "Train the BCE/4 baseline: the generator on the content loss alone." };
        var profile = new Option<string?>("--profile") { Description = "smoke, workshop or paper (default: NBH_PROFILE, else by machine)." };
        var alpha = new Option<double?>("--alpha") { Description = $"Weight of the content loss (default 0.05, the authors'; the seed article used {SalGanConfig.ArticleAlpha})." };
        var schedule = new Option<string?>("--schedule") { Description = "alternating (the authors' code: D and G on alternate batches, the default) or every-batch (a D step, then a G step, on every batch)." };
        var discriminatorSteps = new Option<int?>("--discriminator-steps") { Description = "With the alternating schedule, discriminator batches per generator batch (default 1, the authors'; workshop uses 5)." };
        var weightDecay = new Option<double?>("--weight-decay") { Description = "L2 weight decay of both networks (default 1e-4, the paper's text; the authors' code applied none: 0)." };
        var output = new Option<string?>("--out") { Description = "Folder for checkpoints, metrics.csv and scores.json (default artifacts/salgan or artifacts/salgan-bce)." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0 };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its newest checkpoint (after a crash or a kill)." };
        var every = new Option<long>("--checkpoint-every") { Description = "Save a checkpoint every N steps, besides every epoch's end.", DefaultValueFactory = _ => 200 };
        var force = CliInput.ForceOption();
        var salgan = new Command("salgan", "SalGAN (Pan et al., 2017): BCE pre-training, then adversarial training; scores on validation.") { bceOnly, profile, alpha, schedule, discriminatorSteps, weightDecay, output, seed, resume, every, force };
        salgan.SetAction(parse =>
        {
            var runProfile = CliInput.Profile(parse.GetValue(profile));
            if (parse.GetValue(every) < 1) throw new UsageException($"--checkpoint-every {parse.GetValue(every)}: give a number of steps of at least 1.");
            var plan = SalGanPlan.For(runProfile, Salicon.Exists("train") && Salicon.Exists("val"));
            if (parse.GetValue(alpha) is { } a)
                plan = plan with { Config = plan.Config with { Alpha = NonNegative(a, "--alpha", "a weight of 0 or more, such as 0.05") } };
            if (parse.GetValue(schedule) is { } order)
                plan = plan with
                {
                    Config = plan.Config with
                    {
                        Schedule = order switch
                        {
                            "alternating" => SalGanSchedule.Alternating,
                            "every-batch" => SalGanSchedule.EveryBatch,
                            _ => throw new UsageException($"--schedule {order}: give alternating or every-batch."),
                        }
                    }
                };
            if (parse.GetValue(discriminatorSteps) is { } k)
                plan = plan with
                {
                    Config = plan.Config with
                    {
                        DiscriminatorSteps = k >= 1 ? k : throw new UsageException($"--discriminator-steps {k}: give a whole number of at least 1, such as 1 (the authors') or 5."),
                    }
                };
            if (parse.GetValue(weightDecay) is { } decay)
                plan = plan with { Config = plan.Config with { WeightDecay = NonNegative(decay, "--weight-decay", "0 or more, such as 1e-4") } };
            bool baseline = parse.GetValue(bceOnly);
            var folder = CliInput.OutFolder(parse.GetValue(output) ?? Path.Combine(RepoPaths.Artifacts, baseline ? "salgan-bce" : "salgan"),
                "train salgan", parse.GetValue(force));
            var request = new SalGanRunRequest(plan, runProfile, baseline, folder, parse.GetValue(seed), parse.GetValue(resume), parse.GetValue(every));
            // The progress line starts with the first step, when the run knows how many steps it has; it is closed
            // before any error reaches the error boundary, so the error stands on a line of its own.
            TrainingProgress? line = null;
            SalGanRunResult result;
            try
            {
                result = SalGanRun.Train(request, Console.Out, (step, steps, values) =>
                {
                    // A resumed run's first step is not step 1: its ETA counts only this process's pace.
                    line ??= TrainingProgress.Start(SalGanRun.Name(baseline), steps, new ProgressOptions { StartStep = step - 1 });
                    line.Report(step, values);
                });
            }
            finally
            {
                line?.Dispose();
            }
            PrintScores(SalGanRun.Name(baseline), result.Scores, result.CentreBias);
            Console.WriteLine($"Checkpoint: {RepoPaths.Display(result.Checkpoint.Folder)}; validation scores in {RepoPaths.Display(Path.Combine(folder, "scores.json"))}");
            return 0;
        });
        return salgan;
    }

    /// <summary>A finite value of 0 or more (NaN and infinities included in what is refused), else a usage error.</summary>
    static double NonNegative(double value, string option, string expected) =>
        value >= 0 && !double.IsInfinity(value) ? value : throw new UsageException($"{option} {value}: give {expected}.");

    static void PrintScores(string system, SaliencyBenchmarkScores scores, SaliencyBenchmarkScores centre)
    {
        var table = new Table().AddColumn("System");
        foreach (var (name, _) in scores.Named()) table.AddColumn(name);
        table.AddRow([system, .. scores.Named().Select(n => SaliencyMetricSpecs.Get(n.Name).FormatValue(n.Value))]);
        table.AddRow(["centre bias", .. centre.Named().Select(n => SaliencyMetricSpecs.Get(n.Name).FormatValue(n.Value))]);
        AnsiConsole.Write(table);
    }

    static Command Predict()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "The folder `nbh train salgan` wrote (its latest checkpoint is used).", Required = true };
        var images = new Option<string>("--images") { Description = "Folder of PNG or JPEG images.", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for the predicted maps (8-bit grayscale PNG, each at its image's size).", Required = true };
        var force = CliInput.ForceOption();
        var salgan = new Command("salgan", "Saliency maps for a folder of images, ready for `nbh eval saliency`.") { checkpoint, images, output, force };
        salgan.SetAction(parse =>
        {
            var checkpointFolder = CliInput.ExistingFolder(parse.GetValue(checkpoint)!, "--checkpoint");
            var imageFolder = CliInput.ExistingFolder(parse.GetValue(images)!, "--images");
            var outFolder = CliInput.OutFolder(parse.GetValue(output)!, "predict salgan", parse.GetValue(force));
            var (generator, used) = SalGanRun.LoadGenerator(checkpointFolder, TorchRuntime.Device);
            using (generator)
            {
                Console.WriteLine($"Using the checkpoint {RepoPaths.Display(used.Folder)} (step {used.Step}, saved {used.SavedAt:yyyy-MM-dd HH:mm} UTC).");
                var (written, skipped) = SalGanRun.PredictFolder(generator, imageFolder, outFolder, TorchRuntime.Device, Console.Error);
                Console.WriteLine($"{written} saliency maps written to {RepoPaths.Display(outFolder)}; {skipped} image(s) skipped.");
                return skipped == 0 ? 0 : 1;
            }
        });
        return salgan;
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
            CliInput.ExistingFolder(predictionsFolder, "--predictions");
            CliInput.ExistingFolder(fixationsFolder, "--fixations");
            if (parse.GetValue(maps) is { } mapsFolder) CliInput.ExistingFolder(mapsFolder, "--maps");
            var result = SaliencyEvaluation.EvaluateFolders(predictionsFolder, fixationsFolder, parse.GetValue(maps), parse.GetValue(seed));
            if (parse.GetValue(json))
                WriteJson(result);
            else
                WriteTable(result);
            foreach (var note in result.Notes)
                Console.Error.WriteLine("note: " + note);
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

    static Command SaliconFixationsCommand()
    {
        var mat = new Option<string>("--mat") { Description = "Folder of SALICON's .mat fixation files (one per image).", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for the PNG fixation maps (255 = fixated).", Required = true };
        var force = CliInput.ForceOption();
        var command = new Command("salicon-fixations", "Convert SALICON's .mat fixations into the PNG fixation maps the loader and `nbh eval saliency` read.") { mat, output, force };
        command.SetAction(parse =>
        {
            var matFolder = CliInput.ExistingFolder(parse.GetValue(mat)!, "--mat");
            var outFolder = CliInput.OutFolder(parse.GetValue(output)!, "data salicon-fixations", parse.GetValue(force));
            var (converted, skipped) = SaliconFixations.ConvertFolder(matFolder, outFolder, Console.Error);
            Console.WriteLine($"{converted} fixation maps written to {RepoPaths.Display(outFolder)}; {skipped} file(s) skipped.");
            return skipped == 0 && converted > 0 ? 0 : 1;
        });
        return command;
    }
}
