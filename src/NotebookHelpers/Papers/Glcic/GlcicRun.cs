using System.Text.Json;
using System.Text.Json.Serialization;
using NotebookHelpers.Core;
using NotebookHelpers.Imaging;
using NotebookHelpers.Metrics;
using NotebookHelpers.Notebooks;
using NotebookHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.Glcic;

/// <summary>What <c>nbh train glcic</c> asks for.</summary>
/// <param name="Plan">Image size, networks, schedule and data sizes.</param>
/// <param name="Profile">The profile the plan came from (reported, and saved with the run).</param>
/// <param name="Variant">The paper's choices or the seed article's.</param>
/// <param name="Folder">Where checkpoints, metrics.csv and scores.json go.</param>
/// <param name="Seed">Seeds the weights, the data order and every iteration's holes.</param>
/// <param name="Resume">Continue the run in <paramref name="Folder"/> from its newest checkpoint.</param>
/// <param name="CheckpointEvery">Iterations between checkpoints (besides every epoch's end).</param>
/// <param name="PhotoFolder">The user's own photographs instead of the plan's data, or null.</param>
public sealed record GlcicRunRequest(GlcicPlan Plan, RunProfile Profile, GlcicVariant Variant, string Folder, int Seed = 0, bool Resume = false,
    long CheckpointEvery = 200, string? PhotoFolder = null);

/// <summary>A finished run: its last checkpoint, the scores of the three fills on the held-out images, the seam errors before and after blending.</summary>
public sealed record GlcicRunResult(CheckpointInfo Checkpoint, IReadOnlyDictionary<string, ImageQualityScores> Scores, double SeamRaw, double SeamBlended, string Evaluated);

/// <summary>
/// A whole GLCIC training run as <c>nbh train glcic</c> makes it: data, the three phases through the resumable
/// training run, the final checkpoint, and the held-out scores (mean-colour fill, raw completion, blended completion)
/// in <c>scores.json</c>.
/// </summary>
public static class GlcicRun
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The configuration saved with every checkpoint: what a resumed run must match and what <c>nbh complete</c> rebuilds the network from.</summary>
    public sealed record SavedConfig(GlcicVariant Variant, GlcicNetworkConfig Network, GlcicTrainingConfig Training, int ImageSize, float[] MeanColour, int Seed, string Data);

    /// <summary>Runs the request; <paramref name="progress"/> receives the step, the total and the values to show after every step.</summary>
    public static GlcicRunResult Train(GlcicRunRequest request, TextWriter output, Action<long, long, (string Name, double Value)[]>? progress = null)
    {
        var plan = request.Plan;
        var options = new TrainingRunOptions(request.Folder, request.CheckpointEvery, Resume: request.Resume);
        // The saved configuration holds the training set's mean colour, known only once the data is in: refuse a used
        // folder before the data load rather than after it.
        TrainingRun.EnsureUsable(options);
        Directory.CreateDirectory(request.Folder);
        var (train, test, description) = GlcicExperiment.LoadData(plan, request.Seed, request.PhotoFolder, output);
        using (train)
        using (test)
        {
            var mean = train.MeanColour();
            manual_seed(request.Seed);
            using var trainer = GlcicExperiment.CreateTrainer(plan, request.Variant, mean, TorchRuntime.Device);
            var saved = new SavedConfig(request.Variant, trainer.Completion.Config, trainer.Config, plan.ImageSize, mean, request.Seed, description);
            using var run = TrainingRun.Start(options, trainer.State(), JsonSerializer.Serialize(saved, Json), (ulong)request.Seed, output);
            output.WriteLine(TorchRuntime.Describe());
            var config = trainer.Config;
            output.WriteLine($"GLCIC ({request.Variant.ToString().ToLowerInvariant()} choices), profile {request.Profile.Name}: {description}; " +
                             $"T_C {config.CompletionIterations}, T_D {config.DiscriminatorIterations}, T_train {config.TotalIterations}, batch {config.BatchSize}, {config.Optimizer}");
            using var validation = GlcicExperiment.TestHoles((int)Math.Min(64, test.shape[0]), plan.Masks, request.Seed);
            var validationImages = test[..(int)validation.Masks.shape[0]];
            GlcicExperiment.Train(trainer, train, plan.Masks, run, request.Seed, TorchRuntime.Device,
                (step, values) => progress?.Invoke(step, config.TotalIterations, values.Values()), (validationImages, validation.Masks));
            var checkpoint = run.Save()!;
            return Evaluate(trainer, test, plan, request, checkpoint, description);
        }
    }

    static GlcicRunResult Evaluate(GlcicTrainer trainer, Tensor test, GlcicPlan plan, GlcicRunRequest request, CheckpointInfo checkpoint, string description)
    {
        using var holes = GlcicExperiment.TestHoles((int)test.shape[0], plan.Masks, request.Seed);
        using var set = GlcicExperiment.Complete(trainer, test, holes.Masks, TorchRuntime.Device);
        var scores = GlcicExperiment.Score(set);
        double seamRaw = GlcicExperiment.SeamL1(set.Originals, set.Raw, set.Masks);
        double seamBlended = GlcicExperiment.SeamL1(set.Originals, set.Blended, set.Masks);
        AtomicFile.WriteAllText(Path.Combine(request.Folder, "scores.json"), JsonSerializer.Serialize(new
        {
            variant = request.Variant.ToString(),
            evaluated = description,
            images = set.Count,
            scores = scores.ToDictionary(s => s.Key, s => s.Value.Named().ToDictionary(n => n.Name, n => n.Value)),
            seam_L1 = new { raw = seamRaw, blended = seamBlended },
        }, Json));
        return new GlcicRunResult(checkpoint, scores, seamRaw, seamBlended, description);
    }

    /// <summary>The trainer of the newest checkpoint in <paramref name="folder"/>, rebuilt from its saved configuration.</summary>
    /// <exception cref="FileNotFoundException">The folder holds no complete checkpoint.</exception>
    public static (GlcicTrainer Trainer, SavedConfig Config, CheckpointInfo Checkpoint) Load(string folder, Device device)
    {
        var latest = Checkpoint.FindLatest(folder)
            ?? throw new FileNotFoundException($"No complete checkpoint in {folder}: {Checkpoint.WhyNoCheckpoint(folder)}. Train one with `nbh train glcic --out DIR`.", folder);
        var saved = TrainingRun.ReadConfig<SavedConfig>(latest);
        if (saved.MeanColour is not { Length: 3 } || saved.Network is null || saved.Training is null)
            throw new InvalidDataException($"{latest.Folder}: its configuration lacks the network, the schedule or the mean colour; it was not written by `nbh train glcic`.");
        var trainer = new GlcicTrainer(new CompletionNetwork(saved.Network), new ContextDiscriminator(saved.Network, saved.ImageSize, HoleMaskConfig.For(saved.ImageSize).LocalSize),
            saved.Training, saved.MeanColour, device);
        try
        {
            Checkpoint.Load(latest.Folder, trainer.State());
        }
        catch
        {
            trainer.Dispose();
            throw;
        }
        return (trainer, saved, latest);
    }

    /// <summary>
    /// Completes one image (3,H,W) in [0,1] with the hole <paramref name="mask"/> (H,W): the image is padded by
    /// replicating its edges to a size divisible by 4, completed, cropped back, and with <paramref name="blend"/>
    /// post-processed. Pixels outside the hole are the input's, bit for bit.
    /// </summary>
    public static Tensor CompleteImage(GlcicTrainer trainer, Tensor image, Tensor mask, bool blend, Device device)
    {
        using var scope = NewDisposeScope();
        int h = (int)image.shape[1], w = (int)image.shape[2];
        int padBottom = (4 - h % 4) % 4, padRight = (4 - w % 4) % 4;
        var x = nn.functional.pad(image.unsqueeze(0), [0, padRight, 0, padBottom], PaddingModes.Replicate);
        var m = nn.functional.pad(mask.view(1, 1, h, w), [0, padRight, 0, padBottom], PaddingModes.Replicate);
        var completed = trainer.Complete(x.to(device), m.to(device)).cpu()[.., .., ..h, ..w];
        var hole = mask.view(1, 1, h, w);
        var result = blend ? GlcicExperiment.PostProcess(completed, hole) : completed;
        // The input outside the hole exactly (the network's composite already is; the blending leaves it too).
        return GlcicTrainer.Composite(image.unsqueeze(0), result, hole)[0].MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The hole of a mask file: the pixels whose grey value is at least 0.2 (the authors' <c>inpaint.lua</c> threshold),
    /// as a float map (H,W). A mask of another size than the image, one without any hole pixel, or one that is all hole
    /// is an <see cref="InvalidDataException"/> naming the file.
    /// </summary>
    public static Tensor ReadMask(string maskPath, int height, int width)
    {
        using var grey = ImageIO.LoadGray(maskPath);
        var map = grey.dim() == 3 ? grey[0] : grey;
        if (map.shape[0] != height || map.shape[1] != width)
            throw new InvalidDataException($"{maskPath} is {map.shape[1]}×{map.shape[0]} but the image is {width}×{height}; give a mask of the image's size.");
        var hole = (map >= 0.2).to(ScalarType.Float32);
        var count = hole.sum().item<float>();
        if (count == 0)
            throw new InvalidDataException($"{maskPath} marks no pixel to complete: paint the hole white (grey value 0.2 or more) on black.");
        if (count == height * width)
            throw new InvalidDataException($"{maskPath} marks every pixel as hole: nothing is left to complete from; paint only the hole white.");
        return hole;
    }
}
