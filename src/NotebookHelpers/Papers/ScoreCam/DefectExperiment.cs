using System.Text.Json.Serialization;
using NotebookHelpers.Data;
using NotebookHelpers.Metrics;
using NotebookHelpers.Notebooks;
using NotebookHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.ScoreCam;

/// <summary>
/// A split held in memory: images (N,3,S,S) in [0,1], labels (N) int64 (1: defect), the defects' masks (N,S,S) bool,
/// and each image's ellipse (null for a defect-free one). The images are grey, one plane expanded to three channels
/// (a view, no copy): clone them before changing them in place.
/// </summary>
public sealed record DefectSplit(Tensor Images, Tensor Labels, Tensor Masks, IReadOnlyList<DefectEllipse?> Ellipses) : IDisposable
{
    public long Count => Images.shape[0];

    /// <summary>How many images carry a defect.</summary>
    public long DefectCount => Ellipses.Count(e => e is not null);

    /// <summary>
    /// The split's images, ImageNet-normalised, with their labels, in a seeded random order, <paramref name="batchSize"/>
    /// at a time, on <paramref name="device"/>. A batch is freed when the next one is asked for.
    /// </summary>
    public IEnumerable<(Tensor Inputs, Tensor Labels)> Batches(int batchSize, Generator generator, Device device) =>
        DataLoaders.NormalizedBatches(Images, Labels, batchSize, generator, device);

    /// <summary>The split of <paramref name="defects"/>; it takes over their tensors.</summary>
    public static DefectSplit From(SyntheticDefects defects) => new(defects.Images, defects.Labels, defects.Masks, defects.Ellipses);

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
        Masks.Dispose();
    }
}

/// <summary>Where the images come from.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DefectDataKind>))]
public enum DefectDataKind
{
    /// <summary><see cref="SyntheticDefects"/>.</summary>
    Synthetic,

    /// <summary>One class of <see cref="Dagm2007"/>'s development set.</summary>
    Dagm,
}

/// <summary>
/// The images a run trains on: synthetic defects (<see cref="Class"/> 1..6 picks one <see cref="TextureKind"/>, the
/// one standing in for that DAGM class; null mixes all six), or DAGM 2007 class <see cref="Class"/>.
/// </summary>
public sealed record DefectDataSource(DefectDataKind Kind, int? Class = null)
{
    public static DefectDataSource Synthetic(int? texture = null) => new(DefectDataKind.Synthetic, texture);

    public static DefectDataSource Dagm(int k) => new(DefectDataKind.Dagm, k);

    /// <summary>The texture of a synthetic source, or null for all six.</summary>
    [JsonIgnore]
    public TextureKind? Texture => Kind == DefectDataKind.Synthetic && Class is { } k ? (TextureKind)(k - 1) : null;

    /// <summary>In words: <c>DAGM 2007 class 3</c>, <c>synthetic defects (six textures)</c>.</summary>
    public override string ToString() => Kind == DefectDataKind.Dagm
        ? $"DAGM 2007 class {Class}"
        : $"synthetic defects ({(Texture is { } texture ? texture.ToString() : "six textures")})";
}

/// <summary>The held-out scores of a defect classifier: accuracy, balanced accuracy (the mean of the two recalls) and the recall of defects.</summary>
public sealed record DefectScores(double Accuracy, double BalancedAccuracy, double DefectRecall, long TrueNegatives, long FalsePositives, long FalseNegatives, long TruePositives)
{
    /// <summary>The scores from predicted and true labels (N) int64: <c>balanced accuracy = ½ (TN / (TN + FP) + TP / (TP + FN))</c>.</summary>
    public static DefectScores Of(Tensor predicted, Tensor labels)
    {
        if (!predicted.shape.SequenceEqual(labels.shape) || predicted.dim() != 1)
            throw new ArgumentException($"Predicted and true labels must both be (N); got [{string.Join(", ", predicted.shape)}] and [{string.Join(", ", labels.shape)}].");
        using var scope = NewDisposeScope();
        var (p, t) = (predicted.cpu().eq(1), labels.cpu().eq(1));
        long Count(Tensor both) => both.sum().item<long>();
        long tp = Count(p & t), fp = Count(p & ~t), fn = Count(~p & t), tn = Count(~p & ~t);
        double cleanRecall = Ratio(tn, tn + fp), defectRecall = Ratio(tp, tp + fn);
        return new DefectScores(Ratio(tp + tn, tp + tn + fp + fn), (cleanRecall + defectRecall) / 2, defectRecall, tn, fp, fn, tp);
    }

    /// <summary>The three scores under their <see cref="MetricSpec"/> names.</summary>
    public IReadOnlyList<(MetricSpec Spec, double Value)> Named() =>
        [(ScoreCamCatalog.Accuracy, Accuracy), (ScoreCamCatalog.BalancedAccuracy, BalancedAccuracy), (ScoreCamCatalog.DefectRecall, DefectRecall)];

    static double Ratio(long part, long whole) => whole == 0 ? double.NaN : (double)part / whole;
}

/// <summary>
/// What one run profile trains: the classifier's width and schedule, and the synthetic split's sizes (used when the
/// data are synthetic; DAGM's come from its folders).
/// <para><c>smoke</c>: synthetic defects at 64×64 with a quarter-width classifier, seconds on a CPU; <c>workshop</c>:
/// bigger images, more of them, a wider classifier, minutes on a CPU; <c>paper</c>: the article's classifier and
/// schedule at 224×224, on DAGM 2007 when it is installed (<see cref="UseDagm"/>), else on synthetic defects of
/// DAGM's size (1000 and 150 images, split 80/20).</para>
/// </summary>
public sealed record DefectPlan(DefectTrainingConfig Training, double Width, int TrainClean, int TrainDefective, int TestClean, int TestDefective, bool UseDagm)
{
    /// <summary>The plan of a profile; <paramref name="dagmInstalled"/> only matters for <c>paper</c>.</summary>
    public static DefectPlan For(RunProfile profile, bool dagmInstalled) => profile.Choose(
        smoke: new DefectPlan(CpuTraining with { InputSize = 64, Epochs = 5 }, 0.25, 640, 120, 160, 40, false),
        workshop: new DefectPlan(CpuTraining with { InputSize = 96, Epochs = 8 }, 0.5, 1200, 200, 300, 60, false),
        paper: new DefectPlan(new DefectTrainingConfig(), 1.0, 800, 120, 200, 30, dagmInstalled));

    /// <summary>
    /// CPU runs: the article's Adam, loss and class weights, in batches of 16 so that the few hundred images make
    /// enough steps. The defect share is raised from DAGM's 1 in 7.7 to about 1 in 6 (1 in 5 held out), so that a few hundred
    /// images hold enough defects to learn from and to score; the class weights stay the article's.
    /// </summary>
    static readonly DefectTrainingConfig CpuTraining = new() { BatchSize = 16 };

    /// <summary>The default data of this plan: DAGM class 1 when the plan uses DAGM, else synthetic defects of all six textures.</summary>
    public DefectDataSource DefaultData(int? k = null) => UseDagm ? DefectDataSource.Dagm(k ?? 1) : DefectDataSource.Synthetic(k);
}

/// <summary>The pieces of the defect-classifier experiment the notebook and <c>nbh train defect-classifier</c> share.</summary>
public static class DefectExperiment
{
    /// <summary>The names <see cref="Validate"/> logs under.</summary>
    public const string ValidationLoss = "val_loss", ValidationBalancedAccuracy = "val_balanced_accuracy";

    /// <summary>
    /// The training and held-out splits of <paramref name="data"/> at the plan's size: DAGM's class split 80/20 as the
    /// article does (<see cref="Dagm2007.Split"/>), or synthetic defects of the plan's counts, the held-out ones from
    /// the next seed.
    /// </summary>
    public static (DefectSplit Train, DefectSplit Test, string Description) LoadData(DefectPlan plan, DefectDataSource data, int seed, TextWriter? log = null)
    {
        int size = plan.Training.InputSize;
        if (data.Kind == DefectDataKind.Dagm)
        {
            var samples = Dagm2007.Samples(data.Class ?? 1, log: log);
            var (train, test) = Dagm2007.Split(samples);
            return (Dagm2007.Load(train, size), Dagm2007.Load(test, size),
                $"{data}, {train.Count} train / {test.Count} test images, {test.Count(s => s.Label == 1)} of them with a defect, at {size}×{size}");
        }
        var texture = data.Texture;
        return (DefectSplit.From(SyntheticDefects.Generate(plan.TrainClean, plan.TrainDefective, size, seed, texture)),
            DefectSplit.From(SyntheticDefects.Generate(plan.TestClean, plan.TestDefective, size, seed + 1, texture)),
            $"{data}, {plan.TrainClean + plan.TrainDefective} train / {plan.TestClean + plan.TestDefective} test images, {plan.TestDefective} of them with a defect, at {size}×{size}");
    }

    /// <summary>
    /// Trains with <paramref name="run"/> (resumable when it has a folder): every batch one step, every epoch ends with
    /// <see cref="Validate"/> on <paramref name="heldOut"/> when given, logged but never used to pick weights.
    /// <paramref name="report"/> receives each step.
    /// </summary>
    public static void Train(DefectTrainer trainer, DefectSplit train, TrainingRun run, Device device,
        Action<long, DefectStep>? report = null, DefectSplit? heldOut = null)
    {
        foreach (var epoch in run.Epochs(trainer.Config.Epochs))
        {
            foreach (var (inputs, labels) in run.Skip(train.Batches(trainer.Config.BatchSize, run.Shuffle, device)))
            {
                var step = trainer.Step(inputs, labels);
                LossGuard.Check(step.Loss, run.Step + 1, "weighted cross-entropy");
                run.Completed(epoch, step.Values());
                report?.Invoke(run.Step, step);
            }
            run.EndEpoch(epoch, heldOut is null ? [] : Validate(trainer, heldOut, device));
        }
    }

    /// <summary>Trains in memory, without checkpoints (the notebook's runs).</summary>
    public static MetricsLog Train(DefectTrainer trainer, DefectSplit train, int seed, Device device,
        Action<long, DefectStep>? report = null, DefectSplit? heldOut = null)
    {
        using var run = TrainingRun.Start(new TrainingRunOptions(Directory: null), trainer.State(), "{}", (ulong)seed);
        Train(trainer, train, run, device, report, heldOut);
        return run.Log;
    }

    /// <summary>The weighted loss and the balanced accuracy on a held-out split.</summary>
    public static (string Name, double Value)[] Validate(DefectTrainer trainer, DefectSplit heldOut, Device device)
    {
        using var scope = NewDisposeScope();
        var logits = Logits(trainer.Network, heldOut.Images, trainer.Config.BatchSize, device);
        var loss = DefectTrainer.Loss(logits, heldOut.Labels, trainer.ClassWeights.cpu()).item<float>();
        var scores = DefectScores.Of(logits.argmax(1), heldOut.Labels);
        return [(ValidationLoss, loss), (ValidationBalancedAccuracy, scores.BalancedAccuracy)];
    }

    /// <summary>The logits (N,2) on the CPU for images in [0,1], a batch at a time, in evaluation mode.</summary>
    public static Tensor Logits(DefectClassifier network, Tensor images, int batchSize, Device device)
    {
        network.eval();
        return DataLoaders.PredictInBatches(images, batchSize, device, batch => network.call(batch));
    }

    /// <summary>The predicted labels (N) int64 on the CPU: 1 where the defect's logit is the larger.</summary>
    public static Tensor Predict(DefectClassifier network, Tensor images, int batchSize, Device device)
    {
        using var logits = Logits(network, images, batchSize, device);
        return logits.argmax(1);
    }

    /// <summary>The label most training images have (the trivial baseline predicts it for every image).</summary>
    public static long MajorityClass(DefectSplit train) => 2 * train.DefectCount > train.Count ? 1 : 0;
}
