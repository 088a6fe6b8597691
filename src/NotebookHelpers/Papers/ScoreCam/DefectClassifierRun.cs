using System.Text.Json;
using System.Text.Json.Serialization;
using NotebookHelpers.Core;
using NotebookHelpers.Notebooks;
using NotebookHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.ScoreCam;

/// <summary>What <c>nbh train defect-classifier</c> asks for: a plan, the data, where, which seed, and whether to resume.</summary>
public sealed record DefectRunRequest(DefectPlan Plan, RunProfile Profile, DefectDataSource Data, string Folder, int Seed = 0, bool Resume = false, long CheckpointEvery = 50);

/// <summary>A finished run: its last checkpoint, the classifier's held-out scores and those of answering the majority class for every image.</summary>
public sealed record DefectRunResult(CheckpointInfo Checkpoint, DefectScores Scores, DefectScores MajorityClass, string Evaluated);

/// <summary>
/// A whole defect-classifier run as <c>nbh train defect-classifier</c> makes it: seed, data, classifier (ImageNet
/// weights when it is at full width and they are installed), the resumable loop, the final checkpoint, the held-out
/// scores beside the majority-class baseline, and <c>scores.json</c>. The last weights are scored (see
/// <see cref="DefectTrainingConfig.Epochs"/> for why not the article's best-validation ones).
/// </summary>
public static class DefectClassifierRun
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The configuration saved with every checkpoint (compared when a run resumes; what <see cref="LoadNetwork"/> rebuilds the classifier from).</summary>
    public sealed record SavedConfig(double Width, DefectTrainingConfig Training, DefectDataSource Data,
        int TrainClean, int TrainDefective, int TestClean, int TestDefective, int Seed);

    /// <summary>Runs the request; <paramref name="progress"/> receives the step, the total and the values to show after every step.</summary>
    public static DefectRunResult Train(DefectRunRequest request, TextWriter output, Action<long, long, (string Name, double Value)[]>? progress = null)
    {
        var (plan, training) = (request.Plan, request.Plan.Training);
        var options = new TrainingRunOptions(request.Folder, request.CheckpointEvery, Resume: request.Resume);
        // A folder that holds another run is refused before the data load, and data that do not load leave no run behind.
        TrainingRun.EnsureUsable(options);
        var (train, test, description) = DefectExperiment.LoadData(plan, request.Data, request.Seed, output);
        using (train)
        using (test)
        {
            manual_seed(request.Seed);
            using var trainer = new DefectTrainer(new DefectClassifier(plan.Width), training, TorchRuntime.Device);
            var saved = JsonSerializer.Serialize(new SavedConfig(plan.Width, training, request.Data,
                plan.TrainClean, plan.TrainDefective, plan.TestClean, plan.TestDefective, request.Seed), Json);
            Directory.CreateDirectory(request.Folder);
            using var run = TrainingRun.Start(options, trainer.State(), saved, (ulong)request.Seed, output);
            // A fresh full-width classifier starts from ImageNet's ResNet-50 when the file is there (a resumed one has its checkpoint).
            if (run.ResumedFrom is null) trainer.Network.TryLoadImageNet(output);
            output.WriteLine(TorchRuntime.Describe());
            output.WriteLine($"Defect classifier (ResNet-50 to layer2, width {plan.Width:0.###}), profile {request.Profile.Name}: {description}; " +
                             $"{training.Epochs} epochs, batch {training.BatchSize}, Adam{(training.AmsGrad ? " (AMSGrad)" : "")} at {training.LearningRate}, " +
                             $"class weights {training.CleanWeight}:{training.DefectWeight}");
            long total = (train.Count + training.BatchSize - 1) / training.BatchSize * training.Epochs;
            DefectExperiment.Train(trainer, train, run, TorchRuntime.Device,
                (step, values) => progress?.Invoke(step, total, [.. values.Values(), .. LatestValidation(run.Log)]), test);
            var checkpoint = run.Save()!;

            using var predicted = DefectExperiment.Predict(trainer.Network, test.Images, training.BatchSize, TorchRuntime.Device);
            var scores = DefectScores.Of(predicted, test.Labels);
            using var majority = full_like(test.Labels, DefectExperiment.MajorityClass(train));
            var majorityScores = DefectScores.Of(majority, test.Labels);
            AtomicFile.WriteAllText(Path.Combine(request.Folder, "scores.json"), JsonSerializer.Serialize(new
            {
                classifier = $"ResNet-50 to layer2, width {plan.Width:0.###}",
                evaluated = description,
                images = test.Count,
                defects = test.DefectCount,
                scores = Named(scores),
                confusion = new { true_negatives = scores.TrueNegatives, false_positives = scores.FalsePositives, false_negatives = scores.FalseNegatives, true_positives = scores.TruePositives },
                majority_class = Named(majorityScores),
            }, Json));
            return new DefectRunResult(checkpoint, scores, majorityScores, description);
        }
    }

    static Dictionary<string, double> Named(DefectScores scores) => scores.Named().ToDictionary(n => n.Spec.Name, n => n.Value);

    static IEnumerable<(string, double)> LatestValidation(MetricsLog log) =>
        new[] { DefectExperiment.ValidationLoss, DefectExperiment.ValidationBalancedAccuracy }.Where(log.Contains).Select(name => (name, log.Last(name)));

    /// <summary>The classifier of the newest checkpoint in <paramref name="folder"/>, rebuilt from its saved configuration.</summary>
    /// <exception cref="FileNotFoundException">The folder holds no complete checkpoint.</exception>
    public static (DefectClassifier Network, SavedConfig Config, CheckpointInfo Checkpoint) LoadNetwork(string folder, Device device) =>
        TrainingRun.LoadNetwork(folder, "nbh train defect-classifier", "network", (SavedConfig saved) => new DefectClassifier(saved.Width), device);
}
