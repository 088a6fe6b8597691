using System.CommandLine;
using NotebookHelpers.Core;
using NotebookHelpers.Imaging;
using NotebookHelpers.Metrics;
using NotebookHelpers.Papers.Glcic;
using NotebookHelpers.Training;
using Spectre.Console;

namespace NotebookHelpers.Cli.Papers;

/// <summary>
/// GLCIC's commands: <c>nbh train glcic</c> (the three phases, resumable) and <c>nbh complete</c> (one image and its
/// mask through a trained checkpoint). The folder scoring, <c>nbh eval quality</c>, is general and lives in <c>Commands/</c>.
/// </summary>
public static class GlcicCommands
{
    public static void AddTo(Verbs verbs, RootCommand root)
    {
        verbs.Train.Add(Train());
        root.Add(Complete());
    }

    static Command Train()
    {
        var variant = new Option<string>("--variant") { Description = "paper (ReLU, sigmoid, ADADELTA) or article (the seed article's LeakyReLU, tanh, Adam).", DefaultValueFactory = _ => "paper" };
        var profile = new Option<string?>("--profile") { Description = "smoke, workshop or paper (default: NBH_PROFILE, else by machine)." };
        var iterations = new Option<long?>("--iterations") { Description = "T_train instead of the profile's; T_C and T_D keep their share of it." };
        var photos = new Option<string?>("--photos") { Description = "Train on a folder of your own photographs (PNG or JPEG, searched recursively) instead of the profile's data." };
        var output = new Option<string?>("--out") { Description = "Folder for checkpoints, metrics.csv and scores.json (default artifacts/glcic)." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0 };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its newest checkpoint (after a crash or a kill)." };
        var every = new Option<long>("--checkpoint-every") { Description = "Save a checkpoint every N iterations, besides every epoch's end.", DefaultValueFactory = _ => 200 };
        var force = CliInput.ForceOption();
        var glcic = new Command("glcic", "GLCIC (Iizuka et al., 2017): the completion network alone, the discriminators alone, then both; scores the held-out images beside the mean-colour fill.")
        {
            variant, profile, iterations, photos, output, seed, resume, every, force,
        };
        glcic.SetAction(parse =>
        {
            var chosen = parse.GetValue(variant) switch
            {
                "paper" => GlcicVariant.Paper,
                "article" => GlcicVariant.Article,
                var other => throw new UsageException($"--variant {other}: give paper or article."),
            };
            var runProfile = CliInput.Profile(parse.GetValue(profile));
            if (parse.GetValue(every) < 1) throw new UsageException($"--checkpoint-every {parse.GetValue(every)}: give a number of iterations of at least 1.");
            var photoFolder = parse.GetValue(photos) is { } p ? CliInput.ExistingFolder(p, "--photos") : null;
            var plan = GlcicPlan.For(runProfile, Places2.Exists("train") && Places2.Exists("val"));
            if (parse.GetValue(iterations) is { } n)
            {
                if (n < 1 || n > 10_000_000) throw new UsageException($"--iterations {n}: give a whole number from 1 to 10000000.");
                plan = plan with { Training = Rescaled(plan.Training, n) };
            }
            var folder = CliInput.OutFolder(parse.GetValue(output) ?? Path.Combine(RepoPaths.Artifacts, "glcic"), "train glcic", parse.GetValue(force));
            var request = new GlcicRunRequest(plan, runProfile, chosen, folder, parse.GetValue(seed), parse.GetValue(resume), parse.GetValue(every), photoFolder);
            TrainingProgress? line = null;
            GlcicRunResult result;
            try
            {
                result = GlcicRun.Train(request, Console.Out, (step, steps, values) =>
                {
                    line ??= TrainingProgress.Start("GLCIC", steps, new ProgressOptions { StartStep = step - 1 });
                    line.Report(step, values);
                });
            }
            finally
            {
                line?.Dispose();
            }
            var table = new Table().AddColumn("Fill");
            foreach (var spec in ImageQualityMetricSpecs.All) table.AddColumn($"{spec.Name} {spec.Arrow}");
            foreach (var (name, scores) in result.Scores)
                table.AddRow([name, .. scores.Named().Select(s => ImageQualityMetricSpecs.Get(s.Name).FormatValue(s.Value))]);
            AnsiConsole.Write(table);
            Console.WriteLine($"Seam L1 (hole pixels within 2 px of its edge): raw {result.SeamRaw:F2}, blended {result.SeamBlended:F2}. Scored on {result.Evaluated}.");
            Console.WriteLine($"Checkpoint: {RepoPaths.Display(result.Checkpoint.Folder)}; scores in {RepoPaths.Display(Path.Combine(folder, "scores.json"))}");
            return 0;
        });
        return glcic;
    }

    /// <summary>The schedule with T_train = <paramref name="total"/>, T_C and T_D at the same fractions of it.</summary>
    static GlcicTrainingConfig Rescaled(GlcicTrainingConfig training, long total)
    {
        double scale = total / (double)training.TotalIterations;
        return training with
        {
            TotalIterations = total,
            CompletionIterations = (long)Math.Round(training.CompletionIterations * scale),
            DiscriminatorIterations = (long)Math.Round(training.DiscriminatorIterations * scale),
        };
    }

    static Command Complete()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "The folder `nbh train glcic` wrote (its newest checkpoint is used; default artifacts/glcic)." };
        var image = new Option<string>("--image") { Description = "The image to complete (PNG or JPEG).", Required = true };
        var mask = new Option<string>("--mask") { Description = "The hole: a grey PNG of the image's size, white (0.2 or more) where to complete.", Required = true };
        var output = new Option<string>("--out") { Description = "The completed image, a .png file.", Required = true };
        var noBlend = new Option<bool>("--no-blend") { Description = "Skip the post-processing (fast-marching fill and Poisson blending)." };
        var force = new Option<bool>("--force") { Description = "Overwrite --out if it exists." };
        var command = new Command("complete", "Complete the hole of one image with a trained GLCIC checkpoint, post-processed as in the paper unless --no-blend.")
        {
            checkpoint, image, mask, output, noBlend, force,
        };
        command.SetAction(parse =>
        {
            var imagePath = CliInput.ExistingFile(parse.GetValue(image)!, "--image");
            var maskPath = CliInput.ExistingFile(parse.GetValue(mask)!, "--mask");
            var outPath = Path.GetFullPath(parse.GetValue(output)!);
            if (!string.Equals(Path.GetExtension(outPath), ".png", StringComparison.OrdinalIgnoreCase))
                throw new UsageException($"--out {parse.GetValue(output)}: give a .png file (the completion is saved losslessly).");
            if (Directory.Exists(outPath)) throw new UsageException($"--out {outPath} is a folder; give a .png file.");
            if (File.Exists(outPath) && !parse.GetValue(force))
                throw new UsageException($"--out {outPath} exists; choose another name, or add --force to overwrite it.");
            if (outPath == imagePath || outPath == maskPath)
                throw new UsageException($"--out {outPath} is one of the inputs; choose another name.");
            var checkpointFolder = CliInput.ExistingFolder(parse.GetValue(checkpoint) ?? Path.Combine(RepoPaths.Artifacts, "glcic"), "--checkpoint");

            var picture = ImageIO.LoadRgb(imagePath);
            var hole = GlcicRun.ReadMask(maskPath, (int)picture.shape[1], (int)picture.shape[2]);
            var (trainer, config, used) = GlcicRun.Load(checkpointFolder, TorchRuntime.Device);
            using (trainer)
            {
                Console.WriteLine($"Using the checkpoint {RepoPaths.Display(used.Folder)} ({config.Variant} choices, step {used.Step}, trained on {config.Data}).");
                var completed = GlcicRun.CompleteImage(trainer, picture, hole, !parse.GetValue(noBlend), TorchRuntime.Device);
                Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
                ImageIO.SaveRgb(completed, outPath);
                Console.WriteLine($"Completed {hole.sum().item<float>():F0} pixels{(parse.GetValue(noBlend) ? "" : ", blended")}: {RepoPaths.Display(outPath)}");
            }
            return 0;
        });
        return command;
    }
}
