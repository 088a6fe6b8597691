using System.Text.Json;
using System.Text.Json.Serialization;
using NotebookHelpers.Core;
using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using NotebookHelpers.Notebooks;
using NotebookHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.SalGan;

/// <summary>What <c>nbh train salgan</c> asks for: a plan, which of the two systems, where, which seed, and whether to resume.</summary>
public sealed record SalGanRunRequest(SalGanPlan Plan, RunProfile Profile, bool BceOnly, string Folder, int Seed = 0, bool Resume = false, long CheckpointEvery = 200);

/// <summary>A finished run: its last checkpoint and the validation scores of the system and of the centre bias.</summary>
public sealed record SalGanRunResult(CheckpointInfo Checkpoint, SaliencyBenchmarkScores Scores, SaliencyBenchmarkScores CentreBias);

/// <summary>
/// A whole SalGAN training run as <c>nbh train salgan</c> makes it, in the library so that the command and any other
/// program share it: seed, data, networks, the resumable schedule, the final checkpoint, validation scores beside
/// the centre bias, and <c>scores.json</c>.
/// </summary>
public static class SalGanRun
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The configuration saved with every checkpoint of a run (and compared when it resumes).</summary>
    public sealed record SavedConfig(SalGanConfig Config, bool BceOnly, int Seed);

    /// <summary>
    /// Runs the request. <paramref name="progress"/> receives after every step the step, the total and the values to
    /// show: the step's losses and the latest between-epoch validation (<see cref="SalGanExperiment.Validate"/>).
    /// </summary>
    public static SalGanRunResult Train(SalGanRunRequest request, TextWriter output, Action<long, long, (string Name, double Value)[]>? progress = null)
    {
        var (plan, config) = (request.Plan, request.Plan.Config);
        manual_seed(request.Seed);
        using var trainer = new SalGanTrainer(config, TorchRuntime.Device);
        // The run starts before the data loads, so a resumed run says so first and a folder that is refused is
        // refused at once, not after minutes of loading.
        Directory.CreateDirectory(request.Folder);
        var saved = JsonSerializer.Serialize(new SavedConfig(config, request.BceOnly, request.Seed), Json);
        using var run = TrainingRun.Start(new TrainingRunOptions(request.Folder, request.CheckpointEvery, Resume: request.Resume),
            trainer.State(), saved, (ulong)request.Seed, output);
        output.WriteLine(TorchRuntime.Describe());
        var (train, validation, description) = SalGanExperiment.LoadData(plan, request.Seed);
        output.WriteLine($"{Name(request.BceOnly)}, profile {request.Profile.Name}: {description}; {config.Epochs} epochs" +
                         (request.BceOnly ? "" : $", {config.PretrainEpochs} of them BCE pre-training, α = {config.Alpha}"));
        // A resumed run has its weights from the checkpoint; only a fresh one starts from ImageNet's encoder.
        if (run.ResumedFrom is null) trainer.Generator.TryLoadImageNetEncoder(output);
        var total = SalGanExperiment.StepsPerEpoch(train, config) * config.Epochs;
        SalGanExperiment.Train(trainer, train, run, TorchRuntime.Device, request.BceOnly,
            (_, step, losses) => progress?.Invoke(step, total, [.. losses.Values(), .. LatestValidation(run.Log)]), validation);
        var checkpoint = run.Save()!;

        var scores = SalGanExperiment.Score(SalGanExperiment.Predict(trainer.Generator, validation.Images, config.BatchSize, TorchRuntime.Device), validation);
        var (centre, _) = SalGanExperiment.Baselines(validation, request.Seed);
        var centreScores = SalGanExperiment.Score(centre, validation);
        AtomicFile.WriteAllText(Path.Combine(request.Folder, "scores.json"),
            JsonSerializer.Serialize(scores.Named().ToDictionary(n => n.Name, n => n.Value), Json));
        return new SalGanRunResult(checkpoint, scores, centreScores);
    }

    static IEnumerable<(string, double)> LatestValidation(MetricsLog log) =>
        new[] { SalGanExperiment.ValidationCc, SalGanExperiment.ValidationKld, SalGanExperiment.DiscriminatorAccuracyReal, SalGanExperiment.DiscriminatorAccuracyPredicted }.Where(log.Contains).Select(name => (name, log.Last(name)));

    public static string Name(bool bceOnly) => bceOnly ? "BCE/4" : "SalGAN";

    /// <summary>
    /// The generator of the newest checkpoint in <paramref name="folder"/> (a run's folder or one <c>step-…</c> folder
    /// of it), built from the configuration saved with it, and the checkpoint it came from.
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder holds no complete checkpoint (the message says what it holds instead).</exception>
    /// <exception cref="InvalidDataException">The checkpoint's files are damaged.</exception>
    public static (SalGanGenerator Generator, CheckpointInfo Checkpoint) LoadGenerator(string folder, Device device)

    {
        var (generator, _, checkpoint) = TrainingRun.LoadNetwork(folder, "nbh train salgan", "generator", (SavedConfig saved) => new SalGanGenerator(saved.Config), device);
        return (generator, checkpoint);
    }

    /// <summary>
    /// A saliency map (8-bit grey PNG, at its image's size) in <paramref name="outputFolder"/> for every PNG or JPEG in
    /// <paramref name="imageFolder"/>; an unreadable image is reported to <paramref name="problems"/> and skipped.
    /// </summary>
    public static (int Written, int Skipped) PredictFolder(SalGanGenerator generator, string imageFolder, string outputFolder, Device device, TextWriter problems)
    {
        var config = generator.Config;
        return ImageFolderOutputs.ForEachImage(imageFolder, problems, "maps", (file, stem) =>
        {
            using var scope = NewDisposeScope();
            var image = ImageIO.LoadRgb(file);
            var input = ImageTransforms.Resize(image, config.Height, config.Width).unsqueeze(0);
            var map = SalGanExperiment.Predict(generator, input, 1, device)[0];
            var original = ImageTransforms.Resize(map, (int)image.shape[1], (int)image.shape[2], antialias: false);
            ImageIO.SaveGray(original, Path.Combine(outputFolder, stem + ".png"));
        });
    }
}
