using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using NotebookHelpers.Metrics;
using NotebookHelpers.Notebooks;
using NotebookHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.Glcic;

/// <summary>Which choices of networks and optimiser: the paper's or the seed article's.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<GlcicVariant>))]
public enum GlcicVariant
{
    /// <summary>ReLU, a sigmoid output, ADADELTA (§3).</summary>
    Paper,

    /// <summary>LeakyReLU, a tanh output, Adam (the seed article).</summary>
    Article,
}

/// <summary>
/// What one run profile trains: the image size, the networks' width, the schedule of the three phases, how many
/// images. <c>smoke</c> and <c>workshop</c> train on <see cref="StructuredScenes"/> at 64×64 on a CPU (the paper's
/// proportions: holes of 24 to 32 pixels, a 32×32 local patch); <c>paper</c> is the paper's 256×256 networks and
/// schedule on Places2 when it is installed.
/// </summary>
public sealed record GlcicPlan(int ImageSize, GlcicNetworkConfig Network, GlcicTrainingConfig Training, int TrainImages, int TestImages, bool UsePlaces2)
{
    /// <summary>The holes of this plan's image size, in the paper's proportions.</summary>
    public HoleMaskConfig Masks => HoleMaskConfig.For(ImageSize);

    /// <summary>The plan of a profile; <paramref name="places2Installed"/> only matters for <c>paper</c>.</summary>
    public static GlcicPlan For(RunProfile profile, bool places2Installed) => profile.Name switch
    {
        "smoke" => new(64, new GlcicNetworkConfig { Width = 16 }, Cpu with { CompletionIterations = 200, DiscriminatorIterations = 20, TotalIterations = 240 }, 768, 64, false),
        "workshop" => new(64, new GlcicNetworkConfig { Width = 16 }, Cpu with { CompletionIterations = 1500, DiscriminatorIterations = 100, TotalIterations = 2000 }, 2048, 128, false),
        _ => new(256, new GlcicNetworkConfig(), new GlcicTrainingConfig(), places2Installed ? int.MaxValue : 20_000, places2Installed ? 2000 : 500, places2Installed),
    };

    /// <summary>The networks and training of <paramref name="variant"/>: this plan's, or the seed article's choices under the same schedule and width.</summary>
    public (GlcicNetworkConfig Network, GlcicTrainingConfig Training) For(GlcicVariant variant) => variant == GlcicVariant.Paper
        ? (Network, Training)
        : (Network with { Activation = GlcicActivation.LeakyRelu, Output = GlcicOutput.Tanh },
           Training with { Optimizer = GlcicOptimizer.Adam, LearningRate = ArticleLearningRate });

    /// <summary>The seed article's Adam learning rate, DCGAN's 2·10⁻⁴.</summary>
    public const double ArticleLearningRate = 2e-4;

    /// <summary>
    /// CPU runs: batches of 16 (the paper's 96 costs six times as much per iteration), the paper's α and ADADELTA, and
    /// width 16 (a quarter of the paper's; on two cores it is the fastest width per iteration, narrower layers fall off
    /// libtorch's fast convolution paths: measured 0.12 s against 0.26 s at width 8). The schedules give phase 1 most of
    /// the few hundred iterations a CPU affords (the paper: 18 % for T_C, 80 % joint), because with α = 0.0004 the
    /// joint phase trains the completion network on nearly the same loss at twice the cost per iteration.
    /// </summary>
    static readonly GlcicTrainingConfig Cpu = new() { BatchSize = 16 };
}

/// <summary>
/// Held-out images with fixed holes and what each method puts in them: all (N,3,S,S) in [0,1] on the CPU, masks
/// (N,1,S,S). <see cref="Classical"/> is the post-processing applied to the mean-colour fill, i.e. fast marching and
/// Poisson blending without the network: a smooth membrane over the hole from its edge, the baseline that tells what
/// the network itself adds.
/// </summary>
public sealed record CompletionSet(Tensor Originals, Tensor Masks, Tensor MeanFilled, Tensor Classical, Tensor Raw, Tensor Blended) : IDisposable
{
    public long Count => Originals.shape[0];

    /// <summary>The input as a user sees it: the hole painted white.</summary>
    public Tensor Masked() => Originals * (1 - Masks) + Masks;

    public void Dispose()
    {
        foreach (var t in new[] { Originals, Masks, MeanFilled, Classical, Raw, Blended }) t.Dispose();
    }
}

/// <summary>The pieces of the GLCIC experiment the notebook and <c>nbh train glcic</c> share.</summary>
public static class GlcicExperiment
{
    /// <summary>The names the training log uses for the validation hole MSE.</summary>
    public const string ValidationMse = "val_hole_mse";

    /// <summary>
    /// The training images and the test images (N,3,S,S) in [0,1]: the user's own photo folder when one is given (its
    /// last tenth, at most the plan's test count, held out), Places2 train and val when the plan says so (train read
    /// from disk as the run goes), else <see cref="StructuredScenes"/>.
    /// </summary>
    public static (CompletionImages Train, Tensor Test, string Description) LoadData(GlcicPlan plan, int seed, string? photoFolder = null, TextWriter? log = null)
    {
        int size = plan.ImageSize;
        if (photoFolder is not null)
        {
            var images = PhotoFolder.LoadFirst(photoFolder, size, (int)Math.Min(int.MaxValue, (long)plan.TrainImages + plan.TestImages), (ulong)seed, PhotoSampling.Training, log);
            if (images.shape[0] < 2)
                throw new InvalidDataException($"{photoFolder} holds {images.shape[0]} usable image(s); give a folder of at least two photographs (one to train on, one to test).");
            int test = (int)Math.Max(1, Math.Min(plan.TestImages, images.shape[0] / 10));
            var (train, held) = (images[..^test].clone(), images[^test..].clone());
            images.Dispose();
            return (CompletionImages.InMemory(train), held, $"photos in {photoFolder}, {train.shape[0]} train / {held.shape[0]} test at {size}×{size}");
        }
        if (plan.UsePlaces2)
        {
            var train = Places2.Load("train", size, log: log);
            using var val = Places2.Load("val", size, PhotoSampling.Evaluation, log: log);
            var test = val.Stack(plan.TestImages);
            return (CompletionImages.Streamed(train, size, seed, log), test,
                $"Places2 (Places365-Standard 256×256) train {train.Count} / val {test.shape[0]} at {size}×{size}");
        }
        return (CompletionImages.InMemory(StructuredScenes.Generate(plan.TrainImages, size, seed)), StructuredScenes.Generate(plan.TestImages, size, seed + 1),
            $"structured synthetic scenes, {plan.TrainImages} train / {plan.TestImages} test at {size}×{size}");
    }

    /// <summary>The mean colour (RGB) of a set of images (N,3,H,W): what fills the holes.</summary>
    public static float[] MeanColour(Tensor images)
    {
        using var mean = images.mean([0, 2, 3]);
        return mean.data<float>().ToArray();
    }

    /// <summary>A completion network and context discriminators for a plan and a variant (TorchSharp's default initialisation; the paper names none).</summary>
    public static GlcicTrainer CreateTrainer(GlcicPlan plan, GlcicVariant variant, IReadOnlyList<float> meanColour, Device device)
    {
        var (network, training) = plan.For(variant);
        var completion = new CompletionNetwork(network);
        var discriminator = new ContextDiscriminator(network, plan.ImageSize, plan.Masks.LocalSize);
        return new GlcicTrainer(completion, discriminator, training, meanColour, device);
    }

    /// <summary>
    /// The holes of iteration <paramref name="step"/> of a run seeded with <paramref name="seed"/>: M_c for the
    /// completed images (<paramref name="stream"/> 0) and M_d, the real images' patches (1). They come from a generator
    /// of their own per iteration, so a resumed run draws the same holes without saving any state.
    /// </summary>
    public static HoleBatch HolesAt(long step, int stream, int count, HoleMaskConfig masks, int seed)
    {
        using var generator = new Generator((ulong)seed * 1_000_003UL + (ulong)step * 2UL + (ulong)stream + 17UL);
        return HoleMasks.Sample(count, masks, generator);
    }

    /// <summary>Fixed test holes, the same for every method and every run of a seed.</summary>
    public static HoleBatch TestHoles(int count, HoleMaskConfig masks, int seed) => HolesAt(-1 - seed, 0, count, masks, seed + 7919);

    /// <summary>
    /// Runs Algorithm 1 with <paramref name="run"/> (resumable when it has a folder) until T_train: every iteration a
    /// batch of training images in the run's shuffled order with fresh holes, the phase the iteration falls in; every
    /// epoch ends with the hole MSE on <paramref name="validation"/> when given. <paramref name="report"/> receives each iteration.
    /// </summary>
    public static void Train(GlcicTrainer trainer, CompletionImages images, HoleMaskConfig masks, TrainingRun run, int seed, Device device,
        Action<long, GlcicStep>? report = null, (Tensor Images, Tensor Masks)? validation = null)
    {
        var config = trainer.Config;
        long perEpoch = (images.Count + config.BatchSize - 1) / config.BatchSize;
        int epochs = (int)((config.TotalIterations + perEpoch - 1) / perEpoch);
        foreach (var epoch in run.Epochs(epochs))
        {
            foreach (var batch in run.Skip(images.Batches(config.BatchSize, run.Shuffle, device, epoch)))
            {
                if (run.Step >= config.TotalIterations) break;
                int n = (int)batch.shape[0];
                using var holes = HolesAt(run.Step, 0, n, masks, seed);
                using var real = HolesAt(run.Step, 1, n, masks, seed);
                var step = trainer.Step(run.Step, batch, holes, real);
                LossGuard.Check(step.HoleMse, run.Step + 1, "hole MSE");
                run.Completed(epoch, step.Values());
                report?.Invoke(run.Step, step);
            }
            run.EndEpoch(epoch, validation is { } v ? [(ValidationMse, trainer.ValidationMse(v.Images.to(device), v.Masks.to(device)))] : []);
        }
    }

    /// <summary>Trains in memory, without checkpoints (the notebook's runs).</summary>
    public static MetricsLog Train(GlcicTrainer trainer, CompletionImages images, HoleMaskConfig masks, int seed, Device device,
        Action<long, GlcicStep>? report = null, (Tensor Images, Tensor Masks)? validation = null)
    {
        using var run = TrainingRun.Start(new TrainingRunOptions(Directory: null), trainer.State(), "{}", (ulong)seed);
        Train(trainer, images, masks, run, seed, device, report, validation);
        return run.Log;
    }

    /// <summary>
    /// Completes every test image: the mean-colour fill, the network's raw completion (composited into the input, no
    /// post-processing) and, with <paramref name="blend"/>, the post-processed one (<see cref="PostProcess"/>).
    /// Without it the blended images are the raw ones.
    /// </summary>
    public static CompletionSet Complete(GlcicTrainer trainer, Tensor images, Tensor masks, Device device, bool blend = true, int batchSize = 32)
    {
        var raw = new List<Tensor>();
        var meanFilled = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var end = Math.Min(start + batchSize, images.shape[0]);
            var x = images[TensorIndex.Slice(start, end)].to(device);
            var m = masks[TensorIndex.Slice(start, end)].to(device);
            raw.Add(trainer.Complete(x, m).cpu().MoveToOuterDisposeScope());
            meanFilled.Add(trainer.MeanFill(x, m).cpu().MoveToOuterDisposeScope());
        }
        var rawAll = cat(raw);
        var meanAll = cat(meanFilled);
        foreach (var t in raw.Concat(meanFilled)) t.Dispose();
        var blended = blend ? PostProcess(rawAll, masks) : rawAll.clone();
        var classical = blend ? PostProcess(meanAll, masks) : meanAll.clone();
        return new CompletionSet(images.clone(), masks.clone(), meanAll, classical, rawAll, blended);
    }

    /// <summary>
    /// The post-processing of the paper (§3.4) as the authors' <c>inpaint.lua</c> runs it: the hole of the completed
    /// image is first filled by fast marching (Telea 2004, radius 1) from the pixels around it, then the network's
    /// completion is Poisson-blended (Pérez et al. 2003) into that image: inside the hole the result has the network's
    /// gradients, and at the hole's edge it meets the surrounding pixels. OpenCV's <c>seamlessClone</c>, which the
    /// authors call, solves over the mask shrunk by a pixel, so the hole's outermost ring keeps the fast-marching
    /// values as the boundary condition; <paramref name="erosion"/> is that ring's width.
    /// </summary>
    /// <param name="completed">Completed images (N,3,H,W) or one (3,H,W): the input outside the hole, the network inside.</param>
    /// <param name="masks">The holes, (N,1,H,W) or (1,H,W).</param>
    /// <param name="erosion">The width of the outermost ring of the hole that keeps the fast-marching values.</param>
    public static Tensor PostProcess(Tensor completed, Tensor masks, int erosion = 1)
    {
        if (completed.dim() == 3) return PostProcess(completed.unsqueeze(0), masks.dim() == 3 ? masks.unsqueeze(0) : masks, erosion).squeeze(0);
        using var scope = NewDisposeScope();
        var filled = stack(Enumerable.Range(0, (int)completed.shape[0]).Select(i => FastMarching.Inpaint(completed[i], masks[i], radius: 1)));
        var inner = Erode(masks, erosion);
        return PoissonBlending.Blend(completed, filled, inner).clamp(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>A mask (N,1,H,W) shrunk by <paramref name="pixels"/> (a pixel stays when its whole (2p+1)² neighbourhood is in the mask).</summary>
    public static Tensor Erode(Tensor masks, int pixels)
    {
        if (pixels <= 0) return masks.clone();
        using var scope = NewDisposeScope();
        var outside = nn.functional.max_pool2d(1 - masks, 2 * pixels + 1, 1, pixels);
        return (1 - outside).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The seam: the hole's pixels within <paramref name="width"/> pixels (Chebyshev) of a pixel outside it, where a
    /// completion meets the input and a colour mismatch shows as an edge.
    /// </summary>
    public static Tensor Seam(Tensor masks, int width = 2)
    {
        using var scope = NewDisposeScope();
        var core = Erode(masks, width);
        return (masks - core).clamp_min(0).MoveToOuterDisposeScope();
    }

    /// <summary>The mean absolute error (0..255) along the seam, per method: what blending should lower.</summary>
    public static double SeamL1(Tensor originals, Tensor completed, Tensor masks, int width = 2)
    {
        using var seam = Seam(masks, width);
        return ImageQuality.L1(originals, completed, seam);
    }

    /// <summary>PSNR, SSIM and L1 of the three fills of a completion set, on the whole image and in the hole.</summary>
    public static IReadOnlyDictionary<string, ImageQualityScores> Score(CompletionSet set) => new Dictionary<string, ImageQualityScores>
    {
        ["mean colour"] = ImageQuality.Score(set.Originals, set.MeanFilled, set.Masks),
        ["fast marching + Poisson, no network"] = ImageQuality.Score(set.Originals, set.Classical, set.Masks),
        ["GLCIC (raw)"] = ImageQuality.Score(set.Originals, set.Raw, set.Masks),
        ["GLCIC (blended)"] = ImageQuality.Score(set.Originals, set.Blended, set.Masks),
    };
}
