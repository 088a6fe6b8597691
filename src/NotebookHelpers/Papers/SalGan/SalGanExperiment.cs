using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using NotebookHelpers.Metrics;
using NotebookHelpers.Models;
using NotebookHelpers.Notebooks;
using NotebookHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.SalGan;

/// <summary>What a SalGAN run trains on, for how long, at which size and over how many seeds, per run profile.</summary>
public sealed record SalGanPlan(SalGanConfig Config, int TrainImages, int ValidationImages, bool UseSalicon, int Seeds = 1)
{
    /// <summary>
    /// <c>paper</c>: the paper's configuration (§4.1) on SALICON when it is installed. <c>workshop</c> and <c>smoke</c>:
    /// the generator at an eighth of its width, on 96×64 synthetic scenes, so that it trains in minutes or seconds on
    /// a CPU; <c>workshop</c> trains more images for longer, three seeds of each system. Without ImageNet weights these
    /// start from scratch, where ten times the paper's learning rate (3e-3) converges within their few hundred steps
    /// (measured; the paper's 3e-4 fine-tunes a pretrained encoder). The discriminator sees the map scaled by 4, on the
    /// image's scale (<see cref="SalGanConfig.DiscriminatorMapScale"/>).
    /// <para>
    /// Measured for the discriminator (synthetic scenes, 96×64): at an eighth of its width it stays at chance; at the
    /// paper's own width (32 and 64 channels) with AdaGrad at 1e-3 it learns against a fixed generator (held-out
    /// accuracy 0.84 after 7 epochs), at 3e-3 or 1e-2 it saturates and stops. Against the authors' one-to-one
    /// alternation the generator, at ten times the paper's learning rate, adapts faster than it learns: held-out
    /// accuracy 0.56 over 3 seeds. <c>workshop</c> uses that discriminator with five discriminator batches per
    /// generator batch (<see cref="SalGanConfig.DiscriminatorSteps"/>). <c>smoke</c> keeps the small one: after
    /// only 96 pre-training steps the generator is weak, and a discriminator that learns pulls it off the content
    /// (CC on validation fell below the centre bias's in 3 of 3 seeds), where the small one leaves it as it is.
    /// </para>
    /// </summary>
    public static SalGanPlan For(RunProfile profile, bool saliconInstalled) => profile.Name switch
    {
        "smoke" => new(Small with { PretrainEpochs = 3, Epochs = 6 }, 256, 32, false),
        "workshop" => new(Small with { PretrainEpochs = 5, Epochs = 15, DiscriminatorChannelScale = 1, DiscriminatorLearningRate = 1e-3, DiscriminatorSteps = 5 }, 512, 64, false, Seeds: 3),
        _ => new(new SalGanConfig(), 10_000, 5_000, saliconInstalled),
    };

    static readonly SalGanConfig Small = new()
    {
        Height = 64,
        Width = 96,
        ChannelScale = 0.125,
        BatchSize = 8,
        LearningRate = 3e-3,
        DiscriminatorMapScale = 4,
    };
}

/// <summary>
/// A split held in memory: the images in [0, 1] and the maps the metrics compare with. One copy of the images only:
/// the network's ImageNet normalisation is applied a batch at a time (<see cref="Batches"/>, <see cref="SalGanExperiment.Predict"/>),
/// so SALICON's 10,000 training images at 256×192 take about 10 GB (6 GB of images, 2 GB each of density and
/// fixation maps), not the 16 GB a second, normalised copy made.
/// </summary>
public sealed record SaliencySplit(Tensor Images, Tensor Density, Tensor Fixations)
{
    public long Count => Images.shape[0];

    /// <summary>
    /// The split's images, ImageNet-normalised, in a seeded random order, <paramref name="batchSize"/> at a time, on
    /// <paramref name="device"/>. A batch is freed when the next one is asked for; the last one handed out (say by
    /// <c>.First()</c>) stays valid for the caller.
    /// </summary>
    public IEnumerable<(Tensor Inputs, Tensor Density)> Batches(int batchSize, Generator generator, Device device) =>
        DataLoaders.NormalizedBatches(Images, Density, batchSize, generator, device);

    /// <summary>
    /// The first <paramref name="limit"/> images of a SALICON split at the plan's input size, held in memory (the paper
    /// profile's 10,000 training images take about 10 GB with their maps). Scores on this split are at the input size; the benchmark's
    /// protocol scores at the original 640×480, which <c>nbh predict salgan</c> and <c>nbh eval saliency</c> do.
    /// </summary>
    public static SaliencySplit FromSalicon(string split, SalGanConfig config, int limit, TextWriter? log = null)
    {
        var dataset = Salicon.Load(split, config.Height, config.Width, log: log);
        var count = (int)Math.Min(limit, dataset.Count);
        var images = new List<Tensor>(count);
        var density = new List<Tensor>(count);
        var fixations = new List<Tensor>(count);
        for (int i = 0; i < count; i++)
        {
            var sample = dataset.GetTensor(i);
            images.Add(sample[Salicon.ImageKey]);
            density.Add(sample[Salicon.DensityKey]);
            fixations.Add(sample[Salicon.FixationsKey]);
        }
        return new SaliencySplit(stack(images), stack(density), stack(fixations));
    }

    /// <summary>Synthetic scenes (<see cref="SyntheticSaliency"/>) at the plan's size.</summary>
    public static SaliencySplit Synthetic(int count, SalGanConfig config, int seed)
    {
        var scenes = SyntheticSaliency.Generate(count, config.Height, config.Width, seed);
        return new SaliencySplit(scenes.Images, scenes.Density, scenes.Fixations);
    }
}

/// <summary>The pieces of a SalGAN experiment the notebook and <c>nbh train salgan</c> share.</summary>
public static class SalGanExperiment
{
    /// <summary>The training and validation splits of a plan: SALICON when the plan says so, else synthetic scenes.</summary>
    public static (SaliencySplit Train, SaliencySplit Validation, string Description) LoadData(SalGanPlan plan, int seed, TextWriter? log = null)
    {
        var c = plan.Config;
        if (plan.UseSalicon)
            return (SaliencySplit.FromSalicon("train", c, plan.TrainImages, log), SaliencySplit.FromSalicon("val", c, plan.ValidationImages, log),
                $"SALICON train/val at {c.Width}×{c.Height}");
        return (SaliencySplit.Synthetic(plan.TrainImages, c, seed), SaliencySplit.Synthetic(plan.ValidationImages, c, seed + 1),
            $"synthetic pop-out scenes, {plan.TrainImages} train / {plan.ValidationImages} validation at {c.Width}×{c.Height}");
    }

    /// <summary>Saliency maps for images in [0, 1] (N,3,H,W), a batch at a time (normalised for the network per batch), on the CPU.</summary>
    public static Tensor Predict(SalGanGenerator generator, Tensor images, int batchSize, Device device)
    {
        generator.eval();
        return DataLoaders.PredictInBatches(images, batchSize, device, generator.call);
    }

    /// <summary>The benchmark's metrics of <paramref name="maps"/> on a split, IG over the centre-bias baseline.</summary>
    public static SaliencyBenchmarkScores Score(Tensor maps, SaliencySplit split) =>
        SaliencyBenchmark.Score(maps, split.Fixations, split.Density, CenterBias(split));

    /// <summary>The centre-bias baseline at the split's size (<see cref="SaliencyMetrics.CenterBias"/>).</summary>
    public static Tensor CenterBias(SaliencySplit split) =>
        SaliencyMetrics.CenterBias((int)split.Density.shape[^2], (int)split.Density.shape[^1]);

    /// <summary>The centre-bias map and a uniform random map as predictions for every image of a split: the baselines.</summary>
    public static (Tensor CenterBias, Tensor Random) Baselines(SaliencySplit split, int seed)
    {
        var shape = split.Density.shape;
        var centre = CenterBias(split).to(float32).expand(shape).contiguous();
        var random = rand(shape, generator: new Generator((ulong)seed));
        return (centre, random);
    }

    /// <summary>
    /// Trains with SalGAN's schedule: <see cref="SalGanConfig.PretrainEpochs"/> epochs of content-loss-only steps,
    /// then adversarial steps in the order of <see cref="SalGanConfig.Schedule"/> (<see cref="SalGanTrainer.UpdateFor"/>);
    /// with <paramref name="bceOnly"/> every step is a content step (the BCE/4 baseline). <paramref name="report"/>
    /// receives each step's losses after the run has logged them (and checkpointed, when one is due); a resumed run
    /// continues where its checkpoint left off. With a <paramref name="validation"/> split every epoch ends with
    /// <see cref="Validate"/>, logged with the epoch.
    /// </summary>
    public static void Train(SalGanTrainer trainer, SaliencySplit train, TrainingRun run, Device device, bool bceOnly,
        Action<int, long, SalGanStep>? report = null, SaliencySplit? validation = null)
    {
        var config = trainer.Config;
        long stepsPerEpoch = StepsPerEpoch(train, config);
        foreach (var epoch in run.Epochs(config.Epochs))
        {
            foreach (var (inputs, density) in run.Skip(train.Batches(config.BatchSize, run.Shuffle, device)))
            {
                var losses = trainer.Step(inputs, density, trainer.UpdateFor(epoch, run.Step, stepsPerEpoch, bceOnly));
                LossGuard.Check(losses.Content, run.Step + 1, "content");
                if (losses.Generator is { } g) LossGuard.Check(g, run.Step + 1, "generator");
                if (losses.Discriminator is { } d) LossGuard.Check(d, run.Step + 1, "discriminator");
                run.Completed(epoch, losses.Values());
                report?.Invoke(epoch, run.Step, losses);
            }
            run.EndEpoch(epoch, validation is null ? [] : Validate(trainer, validation, device, discriminator: !bceOnly));
        }
    }

    /// <summary>How many validation images the between-epoch check of the discriminator uses (all, if fewer).</summary>
    public const int HeldOutPairs = 64;

    /// <summary>
    /// The check between epochs: mean CC and KLD of the generator's maps against the split's density maps (no
    /// fixations or baseline needed, one forward pass over the split; the full benchmark runs once, at the end), and,
    /// with <paramref name="discriminator"/>, the discriminator's accuracy on the first <see cref="HeldOutPairs"/>
    /// validation images paired with their ground truth and with the generator's maps
    /// (<see cref="SalGanTrainer.DiscriminatorAccuracy"/>): above ½ means it tells them apart on images it never trained on.
    /// </summary>
    public static (string Name, double Value)[] Validate(SalGanTrainer trainer, SaliencySplit validation, Device device, bool discriminator = true)
    {
        using var scope = NewDisposeScope();
        var maps = Predict(trainer.Generator, validation.Images, trainer.Config.BatchSize, device);
        var values = new List<(string, double)>
        {
            (ValidationCc, SaliencyMetrics.Cc(maps, validation.Density).mean().ToDouble()),
            (ValidationKld, SaliencyMetrics.Kld(maps, validation.Density).mean().ToDouble()),
        };
        if (discriminator)
        {
            var count = Math.Min(HeldOutPairs, validation.Count);
            var images = ImageTransforms.NormalizeImageNet(validation.Images[TensorIndex.Slice(0, count)].to(device));
            // The generator's maps of these images are the first rows of the maps above.
            var (real, predicted) = trainer.DiscriminatorAccuracy(images, validation.Density[TensorIndex.Slice(0, count)].to(device),
                maps[TensorIndex.Slice(0, count)].to(device));
            values.Add((DiscriminatorAccuracyReal, real));
            values.Add((DiscriminatorAccuracyPredicted, predicted));
        }
        return [.. values];
    }

    /// <summary>
    /// The discriminator's held-out accuracy, the mean of its real and predicted sides, averaged over the adversarial
    /// epochs of a run's log (NaN when it has none): the number that says whether the discriminator learned.
    /// </summary>
    public static double MeanHeldOutAccuracy(MetricsLog log, int pretrainEpochs)
    {
        if (!log.Contains(DiscriminatorAccuracyReal)) return double.NaN;
        var real = log.Series(DiscriminatorAccuracyReal).Values;
        var predicted = log.Series(DiscriminatorAccuracyPredicted).Values;
        return real.Zip(predicted, (r, p) => (r + p) / 2).Skip(pretrainEpochs).DefaultIfEmpty(double.NaN).Average();
    }

    /// <summary>The names <see cref="Validate"/> logs its values under.</summary>
    public const string ValidationCc = "val_cc", ValidationKld = "val_kld",
        DiscriminatorAccuracyReal = "d_acc_real", DiscriminatorAccuracyPredicted = "d_acc_pred";

    /// <summary>Trains in memory, without checkpoints (the notebook's runs): the schedule of <see cref="Train(SalGanTrainer, SaliencySplit, TrainingRun, Device, bool, Action{int, long, SalGanStep}?, SaliencySplit?)"/>.</summary>
    public static MetricsLog Train(SalGanTrainer trainer, SaliencySplit train, int seed, Device device, bool bceOnly,
        Action<int, long, SalGanStep>? report = null, SaliencySplit? validation = null)
    {
        using var run = TrainingRun.Start(new TrainingRunOptions(Directory: null), trainer.State(), "{}", (ulong)seed);
        Train(trainer, train, run, device, bceOnly, report, validation);
        return run.Log;
    }

    /// <summary>
    /// One whole system as the notebook's seed comparison trains it: fresh networks from <paramref name="seed"/>, the
    /// schedule of <see cref="Train(SalGanTrainer, SaliencySplit, TrainingRun, Device, bool, Action{int, long, SalGanStep}?, SaliencySplit?)"/>
    /// with the between-epoch check, and the benchmark's scores on the validation split.
    /// </summary>
    public static (SaliencyBenchmarkScores Scores, MetricsLog Log) TrainAndScore(SalGanConfig config, SaliencySplit train, SaliencySplit validation,
        int seed, Device device, bool bceOnly, Action<int, long, SalGanStep>? report = null)
    {
        manual_seed(seed);
        using var trainer = new SalGanTrainer(config, device);
        var log = Train(trainer, train, seed, device, bceOnly, report, validation);
        return (Score(Predict(trainer.Generator, validation.Images, config.BatchSize, device), validation), log);
    }

    public static long StepsPerEpoch(SaliencySplit split, SalGanConfig config) => (split.Count + config.BatchSize - 1) / config.BatchSize;
}
