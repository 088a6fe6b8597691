using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using NotebookHelpers.Metrics;
using NotebookHelpers.Notebooks;
using NotebookHelpers.Training;
using NotebookHelpers.Visualization;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NotebookHelpers.Papers.SegNet;

/// <summary>
/// A split held in memory: images (N,3,H,W) in [0,1] and labels (N,H,W) int64, with the palette that names and
/// colours the classes (and says which label, if any, marks pixels to ignore).
/// </summary>
public sealed record SegmentationSplit(Tensor Images, Tensor Labels, Palette Palette)
{
    public long Count => Images.shape[0];

    /// <summary>The number of classes the labels use (the ignore label not counted).</summary>
    public int Classes => Palette.ClassCount;

    /// <summary>The label of pixels the loss and the metrics leave out, or null.</summary>
    public int? Ignore => Palette.IgnoreIndex;

    /// <summary>
    /// The split's images, ImageNet-normalised, with their labels, in a seeded random order, <paramref name="batchSize"/>
    /// at a time, on <paramref name="device"/>. A batch is freed when the next one is asked for.
    /// </summary>
    public IEnumerable<(Tensor Inputs, Tensor Labels)> Batches(int batchSize, Generator generator, Device device) =>
        DataLoaders.NormalizedBatches(Images, Labels, batchSize, generator, device);

    /// <summary><see cref="SyntheticScenes"/> at the given size.</summary>
    public static SegmentationSplit Synthetic(int count, int height, int width, int seed)
    {
        var scenes = SyntheticScenes.Generate(count, height, width, seed);
        return new SegmentationSplit(scenes.Images, scenes.Labels, SyntheticScenes.Palette);
    }

    /// <summary>The first <paramref name="limit"/> samples of a loaded dataset (VOC, CamVid), held in memory.</summary>
    public static SegmentationSplit FromDataset(SegmentationFileDataset dataset, Palette palette, int limit)
    {
        var count = (int)Math.Min(limit, dataset.Count);
        var images = new List<Tensor>(count);
        var labels = new List<Tensor>(count);
        for (int i = 0; i < count; i++)
        {
            var sample = dataset.GetTensor(i);
            images.Add(sample[SegmentationFileDataset.ImageKey]);
            labels.Add(sample[SegmentationFileDataset.LabelKey]);
        }
        var split = new SegmentationSplit(stack(images), stack(labels), palette);
        foreach (var t in images.Concat(labels)) t.Dispose();
        return split;
    }
}

/// <summary>Which of the notebook's networks.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<SegNetSystem>))]
public enum SegNetSystem
{
    /// <summary>The seed article's FCN-style baseline: max pooling and nearest upsampling.</summary>
    Baseline,

    /// <summary>The seed article's SegNet: pooling indices and unpooling.</summary>
    SegNet,

    /// <summary>The paper's FCN-Basic (§3.1).</summary>
    FcnBasic,

    /// <summary>The paper's SegNet-Basic (§3.1).</summary>
    SegNetBasic,

    /// <summary>The paper's full SegNet (§3, VGG16-BN encoder, ImageNet weights when present), on the CamVid data of the basic pair.</summary>
    SegNetVgg16,
}

/// <summary>
/// What one run profile trains: the data, the size, the two pairs of networks and how long.
/// <para><c>smoke</c> and <c>workshop</c> train on <see cref="SyntheticScenes"/> (64×64 for the article's pair, as
/// the article trains on VOC at 64×64); <c>paper</c> on VOC 2012 at 64×64 for the article's pair and CamVid at
/// 360×480 for the paper's, when they are installed.</para>
/// </summary>
public sealed record SegNetPlan(
    ArticleNetConfig Article, SegNetTrainingConfig ArticleTraining, int TrainImages, int ValidationImages,
    SegNetBasicConfig Basic, SegNetTrainingConfig BasicTraining, int BasicHeight, int BasicWidth, int BasicTrainImages, int BasicValidationImages,
    bool UseVoc, bool UseCamVid)
{
    /// <summary>The plan of a profile; <paramref name="vocInstalled"/> and <paramref name="camVidInstalled"/> only matter for <c>paper</c>.</summary>
    public static SegNetPlan For(RunProfile profile, bool vocInstalled, bool camVidInstalled) => profile.Name switch
    {
        "smoke" => new(
            Synthetic with { BaseWidth = 8 }, SmallTraining with { Epochs = 10 }, 384, 64,
            new SegNetBasicConfig { Width = 8, Classes = SyntheticScenes.ClassCount }, SmallTraining with { Epochs = 10 }, 64, 64, 384, 64,
            false, false),
        "workshop" => new(
            Synthetic with { BaseWidth = 16 }, SmallTraining with { Epochs = 15 }, 768, 128,
            new SegNetBasicConfig { Width = 16, Classes = SyntheticScenes.ClassCount }, SmallTraining with { Epochs = 15 }, 64, 64, 512, 128,
            false, false),
        _ => new(
            vocInstalled ? new ArticleNetConfig { Classes = PascalVoc.ClassCount } : Synthetic,
            new SegNetTrainingConfig { Optimizer = SegNetOptimizer.Adam, LearningRate = 1e-3, WeightDecay = 0, BatchSize = 32, Epochs = 50, MedianFrequencyBalancing = false },
            vocInstalled ? PascalVoc.SplitSizes["train"] : 10_000, vocInstalled ? PascalVoc.SplitSizes["val"] : 1000,
            camVidInstalled ? new SegNetBasicConfig() : new SegNetBasicConfig { Classes = SyntheticScenes.ClassCount },
            new SegNetTrainingConfig(), CamVid.Height, CamVid.Width, 367, 233,
            vocInstalled, camVidInstalled),
    };

    /// <summary>
    /// The palette of the labels <paramref name="system"/> trains on under this plan (their classes and ignore label):
    /// VOC's or CamVid's when the plan uses them, else the synthetic scenes'. Known before any data is loaded.
    /// </summary>
    public Palette PaletteFor(SegNetSystem system) => SegNetExperiment.IsBasic(system)
        ? (UseCamVid ? Palettes.CamVid : SyntheticScenes.Palette)
        : (UseVoc ? Palettes.PascalVoc : SyntheticScenes.Palette);

    /// <summary>
    /// The training of <paramref name="system"/>: the article's pair's, or the CamVid pair's; the full SegNet takes the
    /// CamVid pair's with the authors' learning rate for it when that is SGD (<c>segnet_solver.prototxt</c>: 10⁻³,
    /// where SegNet-Basic's is 0.1).
    /// </summary>
    public SegNetTrainingConfig TrainingFor(SegNetSystem system) => system switch
    {
        SegNetSystem.Baseline or SegNetSystem.SegNet => ArticleTraining,
        SegNetSystem.SegNetVgg16 when BasicTraining.Optimizer == SegNetOptimizer.Sgd => BasicTraining with { LearningRate = 1e-3 },
        _ => BasicTraining,
    };

    /// <summary>The article's networks on the synthetic scenes' six classes.</summary>
    static readonly ArticleNetConfig Synthetic = new() { Classes = SyntheticScenes.ClassCount };

    /// <summary>
    /// CPU runs: Adam at 3·10⁻³ learns the synthetic scenes in the few hundred steps a CPU affords (at 10⁻³ the
    /// smoke run's baseline still predicted the background everywhere after 144 steps; measured), where the paper's
    /// SGD at 0.1 needs thousands; plain cross-entropy (the synthetic classes are not as unbalanced as CamVid's).
    /// </summary>
    static readonly SegNetTrainingConfig SmallTraining = new()
    {
        Optimizer = SegNetOptimizer.Adam,
        LearningRate = 3e-3,
        WeightDecay = 0,
        BatchSize = 16,
        MedianFrequencyBalancing = false,
    };
}

/// <summary>The pieces of the SegNet experiment the notebook and <c>nbh train segnet</c> share.</summary>
public static class SegNetExperiment
{
    /// <summary>
    /// The data of the article's pair: VOC 2012 train and val at the article's 64×64 when the plan says so, else
    /// synthetic scenes at the article network's input size.
    /// </summary>
    public static (SegmentationSplit Train, SegmentationSplit Validation, string Description) LoadArticleData(SegNetPlan plan, int seed, TextWriter? log = null)
    {
        var (h, w) = (plan.Article.Height, plan.Article.Width);
        if (plan.UseVoc)
            return (SegmentationSplit.FromDataset(PascalVoc.Load("train", h, w, log: log), plan.PaletteFor(SegNetSystem.SegNet), plan.TrainImages),
                SegmentationSplit.FromDataset(PascalVoc.Load("val", h, w, log: log), plan.PaletteFor(SegNetSystem.SegNet), plan.ValidationImages),
                $"PASCAL VOC 2012 train/val (SegmentationClass) at {w}×{h}");
        return (SegmentationSplit.Synthetic(plan.TrainImages, h, w, seed), SegmentationSplit.Synthetic(plan.ValidationImages, h, w, seed + 1),
            $"synthetic scenes, {plan.TrainImages} train / {plan.ValidationImages} validation at {w}×{h}");
    }

    /// <summary>
    /// The data of the paper's pair: CamVid train and test (the split the paper's Table 1 reports) when the plan says
    /// so, else synthetic scenes at the plan's size.
    /// </summary>
    public static (SegmentationSplit Train, SegmentationSplit Test, string Description) LoadBasicData(SegNetPlan plan, int seed, TextWriter? log = null)
    {
        var (h, w) = (plan.BasicHeight, plan.BasicWidth);
        if (plan.UseCamVid)
            return (SegmentationSplit.FromDataset(CamVid.Load("train", h, w, log: log), plan.PaletteFor(SegNetSystem.SegNetBasic), plan.BasicTrainImages),
                SegmentationSplit.FromDataset(CamVid.Load("test", h, w, log: log), plan.PaletteFor(SegNetSystem.SegNetBasic), plan.BasicValidationImages),
                $"CamVid train/test at {w}×{h}");
        return (SegmentationSplit.Synthetic(plan.BasicTrainImages, h, w, seed + 10), SegmentationSplit.Synthetic(plan.BasicValidationImages, h, w, seed + 11),
            $"synthetic scenes, {plan.BasicTrainImages} train / {plan.BasicValidationImages} test at {w}×{h}");
    }

    /// <summary>A fresh network of <paramref name="system"/> under <paramref name="plan"/>.</summary>
    public static Module<Tensor, Tensor> Create(SegNetSystem system, SegNetPlan plan) => system switch
    {
        SegNetSystem.Baseline => new ArticleEncoderDecoder(plan.Article with { Decoding = Decoding.Upsampling, BottleneckDropout = 0 }),
        SegNetSystem.SegNet => new ArticleEncoderDecoder(plan.Article with { Decoding = Decoding.PoolingIndices }),
        SegNetSystem.FcnBasic => new FcnBasic(plan.Basic),
        SegNetSystem.SegNetBasic => new SegNetBasic(plan.Basic),
        // At SegNet-Basic's reduced width in the CPU profiles, the same fraction of VGG16's widths.
        SegNetSystem.SegNetVgg16 => new SegNetVgg16(plan.Basic.Classes, plan.Basic.Width / 64.0),
        _ => throw new ArgumentOutOfRangeException(nameof(system)),
    };

    /// <summary>Whether a system trains on the paper's CamVid data (else the article's).</summary>
    public static bool IsBasic(SegNetSystem system) => system is SegNetSystem.FcnBasic or SegNetSystem.SegNetBasic or SegNetSystem.SegNetVgg16;

    /// <summary>The display name of a system.</summary>
    public static string Name(SegNetSystem system) => system switch
    {
        SegNetSystem.Baseline => "Upsampling baseline",
        SegNetSystem.SegNet => "SegNet",
        SegNetSystem.FcnBasic => "FCN-Basic",
        SegNetSystem.SegNetBasic => "SegNet-Basic",
        SegNetSystem.SegNetVgg16 => "SegNet (VGG16)",
        _ => system.ToString(),
    };

    /// <summary>
    /// Trains with <paramref name="run"/> (resumable when it has a folder): every batch one step, every epoch ends with
    /// <see cref="Validate"/> on <paramref name="validation"/> when given. <paramref name="report"/> receives each step.
    /// </summary>
    public static void Train(SegNetTrainer trainer, SegmentationSplit train, TrainingRun run, Device device,
        Action<int, long, SegNetStep>? report = null, SegmentationSplit? validation = null)
    {
        foreach (var epoch in run.Epochs(trainer.Config.Epochs))
        {
            foreach (var (inputs, labels) in run.Skip(train.Batches(trainer.Config.BatchSize, run.Shuffle, device)))
            {
                var step = trainer.Step(inputs, labels);
                LossGuard.Check(step.Loss, run.Step + 1, "cross-entropy");
                run.Completed(epoch, step.Values());
                report?.Invoke(epoch, run.Step, step);
            }
            run.EndEpoch(epoch, validation is null ? [] : Validate(trainer, validation, device));
        }
    }

    /// <summary>Trains in memory, without checkpoints (the notebook's runs).</summary>
    public static MetricsLog Train(SegNetTrainer trainer, SegmentationSplit train, int seed, Device device,
        Action<int, long, SegNetStep>? report = null, SegmentationSplit? validation = null)
    {
        using var run = TrainingRun.Start(new TrainingRunOptions(Directory: null), trainer.State(), "{}", (ulong)seed);
        Train(trainer, train, run, device, report, validation);
        return run.Log;
    }

    /// <summary>The names <see cref="Validate"/> logs under.</summary>
    public const string ValidationPixelAccuracy = "val_pixel_accuracy", ValidationMeanIoU = "val_mIoU";

    /// <summary>Pixel accuracy and mIoU on the validation split (no BF: it is the slow one, computed once at the end).</summary>
    public static (string Name, double Value)[] Validate(SegNetTrainer trainer, SegmentationSplit validation, Device device)
    {
        using var predictions = Predict(trainer.Network, validation.Images, trainer.Config.BatchSize, device);
        var scores = Score(predictions, validation, boundary: false);
        return [(ValidationPixelAccuracy, scores.PixelAccuracy), (ValidationMeanIoU, scores.MeanIoU)];
    }

    /// <summary>Predicted class ids (N,H,W) on the CPU for images in [0,1], a batch at a time, in evaluation mode.</summary>
    public static Tensor Predict(Module<Tensor, Tensor> network, Tensor images, int batchSize, Device device)
    {
        network.eval();
        return DataLoaders.PredictInBatches(images, batchSize, device, batch => network.call(batch).argmax(1));
    }

    /// <summary>The segmentation metrics of predicted ids on a split, from one confusion matrix over the whole split, BF with <paramref name="boundary"/>.</summary>
    public static SegmentationScores Score(Tensor predictions, SegmentationSplit split, bool boundary = true)
    {
        using var matrix = new ConfusionMatrix(split.Classes, split.Ignore, boundary);
        matrix.Add(predictions, split.Labels);
        return matrix.Scores();
    }

    /// <summary>The most frequent labelled class of a split (the trivial baseline predicts it everywhere).</summary>
    public static int MajorityClass(SegmentationSplit split)
    {
        using var scope = NewDisposeScope();
        var labelled = split.Labels.masked_select(SegmentationMetrics.LabelledPixels(split.Labels, split.Classes, split.Ignore));
        return (int)bincount(labelled, minlength: split.Classes).argmax().item<long>();
    }

    /// <summary>
    /// Pixel accuracy on the labelled pixels within <paramref name="radius"/> pixels (Chebyshev) of a label boundary:
    /// where decoders that remember the positions of the maxima should beat those that do not.
    /// </summary>
    public static double BoundaryPixelAccuracy(Tensor predictions, SegmentationSplit split, int radius = 1)
    {
        using var band = BoundaryBand(split.Labels, radius);
        return SegmentationMetrics.PixelAccuracy(predictions, split.Labels, split.Classes, split.Ignore, within: band);
    }

    /// <summary>(N,H,W) bool: the pixels within <paramref name="radius"/> of a pixel whose right or lower neighbour has another label.</summary>
    public static Tensor BoundaryBand(Tensor labels, int radius)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(radius);
        using var scope = NewDisposeScope();
        var edges = zeros(labels.shape, ScalarType.Bool, labels.device);
        var vertical = labels[.., 1.., ..] != labels[.., ..^1, ..];
        var horizontal = labels[.., .., 1..] != labels[.., .., ..^1];
        edges[.., 1.., ..] |= vertical;
        edges[.., ..^1, ..] |= vertical;
        edges[.., .., 1..] |= horizontal;
        edges[.., .., ..^1] |= horizontal;
        if (radius == 0) return edges.MoveToOuterDisposeScope();
        var dilated = nn.functional.max_pool2d(edges.to(ScalarType.Float32).unsqueeze(1), 2 * radius + 1, 1, radius).squeeze(1) > 0;
        return dilated.MoveToOuterDisposeScope();
    }
}
