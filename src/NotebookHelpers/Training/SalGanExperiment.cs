using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using NotebookHelpers.Metrics;
using NotebookHelpers.Models;
using NotebookHelpers.Notebooks;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Training;

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

/// <summary>A split held in memory: ImageNet-normalised network inputs, and the maps the metrics compare with.</summary>
public sealed record SaliencySplit(Tensor Inputs, Tensor Images, Tensor Density, Tensor Fixations)
{
    public long Count => Inputs.shape[0];

    /// <summary>
    /// The split's images in a seeded random order, <paramref name="batchSize"/> at a time, on <paramref name="device"/>.
    /// A batch's tensors are freed when the enumeration moves on: use them within the step.
    /// </summary>
    public IEnumerable<(Tensor Inputs, Tensor Density)> Batches(int batchSize, Generator generator, Device device)
    {
        using var order = randperm(Count, generator: generator);
        for (long start = 0; start < Count; start += batchSize)
        {
            using var index = order[TensorIndex.Slice(start, Math.Min(start + batchSize, Count))];
            using var inputs = Inputs.index_select(0, index).to(device);
            using var density = Density.index_select(0, index).to(device);
            yield return (inputs, density);
        }
    }

    /// <summary>
    /// The first <paramref name="limit"/> images of a SALICON split at the plan's input size, held in memory (the paper
    /// profile's 10,000 training images take about 8 GB). Scores on this split are at the input size; the benchmark's
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
        var stacked = stack(images);
        return new SaliencySplit(ImageTransforms.NormalizeImageNet(stacked), stacked, stack(density), stack(fixations));
    }

    /// <summary>Synthetic scenes (<see cref="SyntheticSaliency"/>) at the plan's size.</summary>
    public static SaliencySplit Synthetic(int count, SalGanConfig config, int seed)
    {
        var scenes = SyntheticSaliency.Generate(count, config.Height, config.Width, seed);
        return new SaliencySplit(ImageTransforms.NormalizeImageNet(scenes.Images), scenes.Images, scenes.Density, scenes.Fixations);
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

    /// <summary>Saliency maps for a split, a batch at a time, on the CPU.</summary>
    public static Tensor Predict(SalGanGenerator generator, Tensor inputs, int batchSize, Device device)
    {
        using var noGrad = no_grad();
        generator.eval();
        var maps = new List<Tensor>();
        for (long start = 0; start < inputs.shape[0]; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = inputs[TensorIndex.Slice(start, Math.Min(start + batchSize, inputs.shape[0]))].to(device);
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
    /// a content step (the BCE/4 baseline). <paramref name="report"/> receives each step's losses.
    /// </summary>
    public static void Train(SalGanTrainer trainer, SaliencySplit train, int seed, Device device, bool bceOnly,
        Action<int, long, SalGanStep> report, int startEpoch = 0)
    {
        var config = trainer.Config;
        var generator = new Generator((ulong)seed);
        long step = (long)startEpoch * StepsPerEpoch(train, config);
        for (int epoch = startEpoch; epoch < config.Epochs; epoch++)
        {
            bool adversarial = !bceOnly && epoch >= config.PretrainEpochs;
            foreach (var (inputs, density) in train.Batches(config.BatchSize, generator, device))
            {
                var losses = adversarial ? trainer.AdversarialStep(inputs, density) : trainer.ContentStep(inputs, density);
                LossGuard.Check(losses.Content, step, "content");
                if (losses.Generator is { } g) LossGuard.Check(g, step, "generator");
                if (losses.Discriminator is { } d) LossGuard.Check(d, step, "discriminator");
                report(epoch, ++step, losses);
            }
        }
    }

    public static long StepsPerEpoch(SaliencySplit split, SalGanConfig config) => (split.Count + config.BatchSize - 1) / config.BatchSize;
}
