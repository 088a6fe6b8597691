using System.CommandLine;
using NotebookHelpers.Core;
using NotebookHelpers.Data;
using NotebookHelpers.Papers.ScoreCam;
using NotebookHelpers.Training;
using Spectre.Console;

namespace NotebookHelpers.Cli.Papers;

/// <summary>The Score-CAM paper's subcommands of the shared verbs: <c>nbh train defect-classifier</c>, the classifier the seed article explains.</summary>
public static class ScoreCamCommands
{
    public static void AddTo(Verbs verbs) => verbs.Train.Add(TrainDefectClassifier());

    static Command TrainDefectClassifier()
    {
        var profile = new Option<string?>("--profile") { Description = "smoke, workshop or paper (default: NBH_PROFILE, else by machine)." };
        var data = new Option<string?>("--data") { Description = "synthetic (DAGM-like textures, runs anywhere) or dagm (DAGM 2007, data-scripts/dagm.sh); default: dagm under the paper profile when it is installed, else synthetic." };
        var dagmClass = new Option<int?>("--class") { Description = "The DAGM 2007 class, 1 to 6 (default 1); with synthetic data, only the texture that stands in for it (default: all six)." };
        var epochs = new Option<int?>("--epochs") { Description = "Train this many epochs instead of the profile's." };
        var output = new Option<string?>("--out") { Description = "Folder for checkpoints, metrics.csv and scores.json (default artifacts/defect-classifier)." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0 };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its newest checkpoint (after a crash or a kill)." };
        var every = new Option<long>("--checkpoint-every") { Description = "Save a checkpoint every N steps, besides every epoch's end.", DefaultValueFactory = _ => 50 };
        var force = CliInput.ForceOption();
        var command = new Command("defect-classifier", "The seed article's defect classifier (ResNet-50 to layer2, DAGM 2007 or synthetic defects): trains, then scores on the held-out split beside the majority class.")
        {
            profile, data, dagmClass, epochs, output, seed, resume, every, force,
        };
        command.SetAction(parse =>
        {
            var runProfile = CliInput.Profile(parse.GetValue(profile));
            if (parse.GetValue(every) < 1) throw new UsageException($"--checkpoint-every {parse.GetValue(every)}: give a number of steps of at least 1.");
            var k = parse.GetValue(dagmClass);
            if (k is < 1 or > Dagm2007.ClassCount) throw new UsageException($"--class {k}: give a DAGM 2007 class from 1 to {Dagm2007.ClassCount}.");
            var plan = DefectPlan.For(runProfile, Dagm2007.Exists(k ?? 1));
            if (parse.GetValue(epochs) is { } n)
            {
                if (n < 1 || n > 100_000) throw new UsageException($"--epochs {n}: give a whole number from 1 to 100000.");
                plan = plan with { Training = plan.Training with { Epochs = n } };
            }
            var source = parse.GetValue(data) switch
            {
                null => plan.DefaultData(k),
                "synthetic" => DefectDataSource.Synthetic(k),
                "dagm" => DefectDataSource.Dagm(k ?? 1),
                var other => throw new UsageException($"--data {other}: give synthetic or dagm."),
            };
            if (source.Kind == DefectDataKind.Dagm && !Dagm2007.Exists(source.Class!.Value))
                throw new UsageException($"--data dagm: DAGM 2007 class {source.Class} is not installed (no Class{source.Class}/ and Class{source.Class}_def/ in " +
                                         $"{RepoPaths.Display(DatasetLocation.Resolve(Dagm2007.Name))}). Run {Dagm2007.Script}, or set {DatasetLocation.VariableFor(Dagm2007.Name)} to its folder.");
            var folder = CliInput.OutFolder(parse.GetValue(output) ?? Path.Combine(RepoPaths.Artifacts, "defect-classifier"), "train defect-classifier", parse.GetValue(force));
            var request = new DefectRunRequest(plan, runProfile, source, folder, parse.GetValue(seed), parse.GetValue(resume), parse.GetValue(every));
            TrainingProgress? line = null;
            DefectRunResult result;
            try
            {
                result = DefectClassifierRun.Train(request, Console.Out, (step, steps, values) =>
                {
                    line ??= TrainingProgress.Start("defect classifier", steps, new ProgressOptions { StartStep = step - 1 });
                    line.Report(step, values);
                });
            }
            finally
            {
                line?.Dispose();
            }
            var table = new Table().AddColumn("System");
            foreach (var (spec, _) in result.Scores.Named()) table.AddColumn(spec.Name);
            foreach (var (label, scores) in new[] { ("defect classifier", result.Scores), ("majority class", result.MajorityClass) })
                table.AddRow([label, .. scores.Named().Select(n => n.Spec.FormatValue(n.Value))]);
            AnsiConsole.Write(table);
            Console.WriteLine($"Scored on {result.Evaluated}. Checkpoint: {RepoPaths.Display(result.Checkpoint.Folder)}; scores in {RepoPaths.Display(Path.Combine(folder, "scores.json"))}");
            return 0;
        });
        return command;
    }
}
