using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using NotebookHelpers.Metrics;
using NotebookHelpers.Models;
using NotebookHelpers.Notebooks;
using NotebookHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.SalGan;

/// <summary>What a SalGAN run trains on, for how long and at which size, per run profile.</summary>
public sealed record SalGanPlan(SalGanConfig Config, int TrainImages, int ValidationImages, bool UseSalicon)
{
    /// <summary>
    /// <c>paper</c>: the paper's configuration (§4.1) on SALICON when it is installed. <c>workshop</c> and <c>smoke</c>:
    /// the same architecture at a fraction of its width, on smaller synthetic scenes, so that it trains in minutes or
    /// seconds on a CPU. Without ImageNet weights these start from scratch, where a few times the paper's learning rate
    /// (1e-3 at a quarter of the width, 3e-3 at an eighth; 3e-3 diverged at a quarter) converges within their few
    /// hundred steps; the paper's 3e-4 fine-tunes a pretrained encoder.
    /// </summary>
    public static SalGanPlan For(RunProfile profile, bool saliconInstalled) => profile.Name switch
    {
        "smoke" => new(new SalGanConfig { Height = 48, Width = 64, ChannelScale = 0.125, BatchSize = 8, PretrainEpochs = 2, Epochs = 4, LearningRate = 3e-3 }, 48, 16, false),
        "workshop" => new(new SalGanConfig { Height = 64, Width = 96, ChannelScale = 0.25, BatchSize = 16, PretrainEpochs = 10, Epochs = 25, LearningRate = 1e-3 }, 384, 64, false),
        _ => new(new SalGanConfig(), 10_000, 5_000, saliconInstalled),
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
    public IEnumerable<(Tensor Inputs, Tensor Density)> Batches(int batchSize, Generator generator, Device device)
    {
        using var order = randperm(Count, generator: generator);
        (Tensor Inputs, Tensor Density)? previous = null;
        for (long start = 0; start < Count; start += batchSize)
        {
            if (previous is { } p) { p.Inputs.Dispose(); p.Density.Dispose(); }
            using var index = order[TensorIndex.Slice(start, Math.Min(start + batchSize, Count))];
            Tensor inputs, density;
            using (var scope = NewDisposeScope())
            {
                inputs = ImageTransforms.NormalizeImageNet(Images.index_select(0, index).to(device)).MoveToOuterDisposeScope();
                density = Density.index_select(0, index).to(device).MoveToOuterDisposeScope();
            }
            previous = (inputs, density);
            yield return (inputs, density);
        }
    }

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
        using var noGrad = no_grad();
        generator.eval();
        var maps = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = ImageTransforms.NormalizeImageNet(images[TensorIndex.Slice(start, Math.Min(start + batchSize, images.shape[0]))].to(device));
            maps.Add(generator.call(batch).cpu().MoveToOuterDisposeScope());
        }
        return cat(maps);
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
    /// Trains with the paper's schedule (§4.1): <see cref="SalGanConfig.PretrainEpochs"/> epochs of content-loss-only
    /// steps, then a discriminator and a generator step on every batch; with <paramref name="bceOnly"/> every epoch is
    /// a content step (the BCE/4 baseline). <paramref name="report"/> receives each step's losses after the run has
    /// logged them (and checkpointed, when one is due); a resumed run continues where its checkpoint left off.
    /// With a <paramref name="validation"/> split every epoch ends with <see cref="Validate"/>, logged with the epoch.
    /// </summary>
    public static void Train(SalGanTrainer trainer, SaliencySplit train, TrainingRun run, Device device, bool bceOnly,
        Action<int, long, SalGanStep>? report = null, SaliencySplit? validation = null)
    {
        var config = trainer.Config;
        foreach (var epoch in run.Epochs(config.Epochs))
        {
            bool adversarial = !bceOnly && epoch >= config.PretrainEpochs;
            foreach (var (inputs, density) in run.Skip(train.Batches(config.BatchSize, run.Shuffle, device)))
            {
                var losses = adversarial ? trainer.AdversarialStep(inputs, density) : trainer.ContentStep(inputs, density);
                LossGuard.Check(losses.Content, run.Step + 1, "content");
                if (losses.Generator is { } g) LossGuard.Check(g, run.Step + 1, "generator");
                if (losses.Discriminator is { } d) LossGuard.Check(d, run.Step + 1, "discriminator");
                run.Completed(epoch, losses.Values());
                report?.Invoke(epoch, run.Step, losses);
            }
            run.EndEpoch(epoch, validation is null ? [] : Validate(trainer.Generator, validation, config.BatchSize, device));
        }
    }

    /// <summary>
    /// The check between epochs: mean CC and KLD of the generator's maps against the split's density maps. These two
    /// need no fixations and no baseline, so they cost one forward pass over the split; the full benchmark runs once,
    /// at the end.
    /// </summary>
    public static (string Name, double Value)[] Validate(SalGanGenerator generator, SaliencySplit validation, int batchSize, Device device)
    {
        using var scope = NewDisposeScope();
        var maps = Predict(generator, validation.Images, batchSize, device);
        return [(ValidationCc, SaliencyMetrics.Cc(maps, validation.Density).mean().ToDouble()),
                (ValidationKld, SaliencyMetrics.Kld(maps, validation.Density).mean().ToDouble())];
    }

    /// <summary>The names <see cref="Validate"/> logs its values under.</summary>
    public const string ValidationCc = "val_cc", ValidationKld = "val_kld";

    /// <summary>Trains in memory, without checkpoints (the notebook's runs): the schedule of <see cref="Train(SalGanTrainer, SaliencySplit, TrainingRun, Device, bool, Action{int, long, SalGanStep}?, SaliencySplit?)"/>.</summary>
    public static MetricsLog Train(SalGanTrainer trainer, SaliencySplit train, int seed, Device device, bool bceOnly,
        Action<int, long, SalGanStep>? report = null)
    {
        using var run = TrainingRun.Start(new TrainingRunOptions(Directory: null), trainer.State(), "{}", (ulong)seed);
        Train(trainer, train, run, device, bceOnly, report);
        return run.Log;
    }

    public static long StepsPerEpoch(SaliencySplit split, SalGanConfig config) => (split.Count + config.BatchSize - 1) / config.BatchSize;
}
