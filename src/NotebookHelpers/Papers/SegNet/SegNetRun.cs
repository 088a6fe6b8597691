using System.Text.Json;
using System.Text.Json.Serialization;
using NotebookHelpers.Core;
using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using NotebookHelpers.Metrics;
using NotebookHelpers.Notebooks;
using NotebookHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NotebookHelpers.Papers.SegNet;

/// <summary>What <c>nbh train segnet</c> asks for: a plan, which network, where, which seed, and whether to resume.</summary>
public sealed record SegNetRunRequest(SegNetPlan Plan, RunProfile Profile, SegNetSystem System, string Folder, int Seed = 0, bool Resume = false, long CheckpointEvery = 200);

/// <summary>A finished run: its last checkpoint, the network's scores on the held-out split and those of predicting the majority class everywhere.</summary>
public sealed record SegNetRunResult(CheckpointInfo Checkpoint, SegmentationScores Scores, SegmentationScores MajorityClass, string Evaluated);

/// <summary>
/// A whole SegNet training run as <c>nbh train segnet</c> makes it: seed, data, network, the resumable loop, the
/// final checkpoint, the scores on the held-out split beside the majority-class baseline, and <c>scores.json</c>.
/// </summary>
public static class SegNetRun
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The configuration saved with every checkpoint (compared when a run resumes; what <c>predict</c> rebuilds the network from).</summary>
    public sealed record SavedConfig(SegNetSystem System, ArticleNetConfig Article, SegNetBasicConfig Basic, SegNetTrainingConfig Training,
        int Height, int Width, int Seed);

    /// <summary>Runs the request; <paramref name="progress"/> receives the step, the total and the values to show after every step.</summary>
    public static SegNetRunResult Train(SegNetRunRequest request, TextWriter output, Action<long, long, (string Name, double Value)[]>? progress = null)
    {
        var plan = request.Plan;
        bool basic = SegNetExperiment.IsBasic(request.System);
        var training = plan.TrainingFor(request.System);
        var (height, width) = basic ? (plan.BasicHeight, plan.BasicWidth) : (plan.Article.Height, plan.Article.Width);
        manual_seed(request.Seed);
        var network = SegNetExperiment.Create(request.System, plan);
        Directory.CreateDirectory(request.Folder);
        var saved = JsonSerializer.Serialize(new SavedConfig(request.System, plan.Article, plan.Basic, training, height, width, request.Seed), Json);
        var palette = plan.PaletteFor(request.System);
        using var trainer = new SegNetTrainer(network, training, palette.ClassCount, palette.IgnoreIndex, null, TorchRuntime.Device);
        // The run starts before the data load, so that a resumed run says so first and a refused folder is refused at
        // once; the class weights, which come from the training labels, are set when the labels are in.
        using var run = TrainingRun.Start(new TrainingRunOptions(request.Folder, request.CheckpointEvery, Resume: request.Resume),
            trainer.State(), saved, (ulong)request.Seed, output);
        var (train, held, description) = basic ? SegNetExperiment.LoadBasicData(plan, request.Seed, output) : SegNetExperiment.LoadArticleData(plan, request.Seed, output);
        double[]? weights = training.MedianFrequencyBalancing ? SegNetLoss.MedianFrequencyWeights([train.Labels], train.Classes, train.Ignore) : null;
        trainer.UseClassWeights(weights);
        // A fresh full SegNet starts from ImageNet's VGG16-BN when the file is there (a resumed one has its checkpoint).
        if (run.ResumedFrom is null && network is SegNetVgg16 vgg) vgg.TryLoadImageNetEncoder(output);
        output.WriteLine(TorchRuntime.Describe());
        output.WriteLine($"{SegNetExperiment.Name(request.System)}, profile {request.Profile.Name}: {description}; {training.Epochs} epochs, " +
                         $"{training.Optimizer} at {training.LearningRate}{(weights is null ? "" : ", median frequency balancing")}");
        long total = (train.Count + training.BatchSize - 1) / training.BatchSize * training.Epochs;
        SegNetExperiment.Train(trainer, train, run, TorchRuntime.Device,
            (_, step, values) => progress?.Invoke(step, total, [.. values.Values(), .. LatestValidation(run.Log)]), held);
        var checkpoint = run.Save()!;

        using var predictions = SegNetExperiment.Predict(trainer.Network, held.Images, training.BatchSize, TorchRuntime.Device);
        var scores = SegNetExperiment.Score(predictions, held);
        using var majority = full_like(held.Labels, SegNetExperiment.MajorityClass(train));
        var majorityScores = SegNetExperiment.Score(majority, held);
        AtomicFile.WriteAllText(Path.Combine(request.Folder, "scores.json"), JsonSerializer.Serialize(new
        {
            system = SegNetExperiment.Name(request.System),
            evaluated = description,
            scores = scores.Named().ToDictionary(n => n.Name, n => n.Value),
            per_class_IoU = scores.PerClassIoU,
            majority_class = majorityScores.Named().ToDictionary(n => n.Name, n => n.Value),
        }, Json));
        return new SegNetRunResult(checkpoint, scores, majorityScores, description);
    }

    static IEnumerable<(string, double)> LatestValidation(MetricsLog log) =>
        new[] { SegNetExperiment.ValidationPixelAccuracy, SegNetExperiment.ValidationMeanIoU }.Where(log.Contains).Select(name => (name, log.Last(name)));

    /// <summary>The network of the newest checkpoint in <paramref name="folder"/>, rebuilt from its saved configuration.</summary>
    /// <exception cref="FileNotFoundException">The folder holds no complete checkpoint.</exception>
    public static (Module<Tensor, Tensor> Network, SavedConfig Config, CheckpointInfo Checkpoint) LoadNetwork(string folder, Device device) =>
        TrainingRun.LoadNetwork(folder, "nbh train segnet", "network", (SavedConfig saved) => SegNetExperiment.Create(saved.System,
            new SegNetPlan(saved.Article, saved.Training, 0, 0, saved.Basic, saved.Training, saved.Height, saved.Width, 0, 0, false, false)), device);

    /// <summary>
    /// A class-id map (8-bit grey PNG whose value is the class id, at its image's size) in <paramref name="outputFolder"/>
    /// for every PNG or JPEG in <paramref name="imageFolder"/>, ready for <c>nbh eval segmentation</c>. The image is
    /// resized to the network's input, and the prediction back by nearest neighbour. An unreadable image is reported to
    /// <paramref name="problems"/> and skipped.
    /// </summary>
    public static (int Written, int Skipped) PredictFolder(Module<Tensor, Tensor> network, SavedConfig config, string imageFolder, string outputFolder, Device device, TextWriter problems)
    {
        return ImageFolderOutputs.ForEachImage(imageFolder, problems, "predictions", (file, stem) =>
        {
            using var scope = NewDisposeScope();
            var image = ImageIO.LoadRgb(file);
            var input = ImageTransforms.Resize(image, config.Height, config.Width).unsqueeze(0);
            var ids = SegNetExperiment.Predict(network, input, 1, device)[0];
            var original = ImageTransforms.ResizeLabels(ids, (int)image.shape[1], (int)image.shape[2]);
            ImageIO.SaveClassIds(original, Path.Combine(outputFolder, stem + ".png"));
        });
    }
}
