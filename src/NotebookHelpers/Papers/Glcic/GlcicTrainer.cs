using NotebookHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.Glcic;

/// <summary>Which optimiser trains the three networks.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<GlcicOptimizer>))]
public enum GlcicOptimizer
{
    /// <summary>ADADELTA (Zeiler, 2012), as the paper (§3.3: "we use the ADADELTA algorithm"); learning rate 1, ρ 0.9.</summary>
    Adadelta,

    /// <summary>Adam with DCGAN's settings (learning rate 2·10⁻⁴, β₁ 0.5), the seed article's choice.</summary>
    Adam,
}

/// <summary>The three phases of Algorithm 1 of the paper.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<GlcicPhase>))]
public enum GlcicPhase
{
    /// <summary>The completion network alone, on the hole MSE, for the first T_C iterations.</summary>
    Completion,

    /// <summary>The discriminators alone, against the frozen completion network, for the next T_D iterations.</summary>
    Discriminator,

    /// <summary>Both, the completion network on MSE + α·GAN, until T_train.</summary>
    Joint,
}

/// <summary>
/// How GLCIC trains, with the paper's values as defaults (§3.3, Algorithm 1 and §4: "T_C = 90,000, T_D = 10,000 and
/// T_train = 500,000", batch 96, α = 0.0004, ADADELTA). The <c>paper</c> profile uses them as they are.
/// </summary>
public sealed record GlcicTrainingConfig
{
    /// <summary>T_C: iterations of the completion network alone (Algorithm 1; 90,000 in §4).</summary>
    public long CompletionIterations { get; init; } = 90_000;

    /// <summary>T_D: iterations of the discriminators alone after T_C (10,000).</summary>
    public long DiscriminatorIterations { get; init; } = 10_000;

    /// <summary>T_train: all iterations, the first two phases included (500,000).</summary>
    public long TotalIterations { get; init; } = 500_000;

    /// <summary>Images per iteration (§4: 96).</summary>
    public int BatchSize { get; init; } = 96;

    /// <summary>α, the weight of the GAN term in the joint phase (§3.3: 0.0004).</summary>
    public double Alpha { get; init; } = 0.0004;

    /// <summary>The optimiser of both the completion network and the discriminators (§3.3: ADADELTA).</summary>
    public GlcicOptimizer Optimizer { get; init; } = GlcicOptimizer.Adadelta;

    /// <summary>The learning rate: ADADELTA's 1 (the method's own scale; Zeiler's paper has none), Adam's 2·10⁻⁴.</summary>
    public double LearningRate { get; init; } = 1.0;

    /// <summary>The phase of iteration <paramref name="iteration"/> (counted from 0).</summary>
    public GlcicPhase PhaseAt(long iteration) =>
        iteration < CompletionIterations ? GlcicPhase.Completion
        : iteration < CompletionIterations + DiscriminatorIterations ? GlcicPhase.Discriminator
        : GlcicPhase.Joint;

    /// <summary>Checks the schedule: T_C + T_D ≤ T_train, all non-negative, a positive batch.</summary>
    public void Validate()
    {
        if (CompletionIterations < 0 || DiscriminatorIterations < 0 || TotalIterations < 1 || BatchSize < 1)
            throw new ArgumentException($"T_C {CompletionIterations}, T_D {DiscriminatorIterations}, T_train {TotalIterations}, batch {BatchSize}: the phases must be non-negative, T_train and the batch positive.");
        if (CompletionIterations + DiscriminatorIterations > TotalIterations)
            throw new ArgumentException($"T_C + T_D = {CompletionIterations + DiscriminatorIterations} exceeds T_train = {TotalIterations}: the joint phase would not start.");
    }
}

/// <summary>One iteration: its phase, the hole MSE (always computed), and in phases 2 and 3 the discriminators' loss and accuracy, in phase 3 the completion network's GAN term.</summary>
public sealed record GlcicStep(GlcicPhase Phase, double HoleMse, double? DiscriminatorLoss = null, double? DiscriminatorAccuracy = null, double? Adversarial = null)
{
    /// <summary>The values a training log records for this iteration (the phase as 1, 2 or 3).</summary>
    public (string Name, double Value)[] Values()
    {
        var values = new List<(string, double)> { ("phase", (int)Phase + 1), ("hole_mse", HoleMse) };
        if (DiscriminatorLoss is { } d) values.Add(("d_loss", d));
        if (DiscriminatorAccuracy is { } a) values.Add(("d_accuracy", a));
        if (Adversarial is { } g) values.Add(("adversarial", g));
        return [.. values];
    }
}

/// <summary>
/// The completion network and the context discriminators with their optimisers: the iteration of each phase of
/// Algorithm 1 and the state a checkpoint saves. The loop (data, masks, logging) is the caller's.
/// </summary>
public sealed class GlcicTrainer : IDisposable
{
    readonly Tensor mean;

    /// <param name="completion">The completion network.</param>
    /// <param name="discriminator">The context discriminators.</param>
    /// <param name="config">Schedule, α and optimiser.</param>
    /// <param name="meanColour">The training set's mean colour (RGB in [0,1]): subtracted from the input, so the hole, set to zero, holds it (§4: "filled with the mean pixel value of the training dataset").</param>
    /// <param name="device">Where the networks live.</param>
    public GlcicTrainer(CompletionNetwork completion, ContextDiscriminator discriminator, GlcicTrainingConfig config, IReadOnlyList<float> meanColour, Device device)
    {
        config.Validate();
        if (meanColour.Count != 3) throw new ArgumentException($"The mean colour has {meanColour.Count} values; give R, G and B.", nameof(meanColour));
        Completion = completion.to(device);
        Discriminator = discriminator.to(device);
        Config = config;
        MeanColour = [.. meanColour];
        mean = tensor(MeanColour.ToArray(), device: device).view(1, 3, 1, 1);
        CompletionOptimizer = Create(Completion.parameters());
        DiscriminatorOptimizer = Create(Discriminator.parameters());
    }

    public CompletionNetwork Completion { get; }
    public ContextDiscriminator Discriminator { get; }
    public GlcicTrainingConfig Config { get; }
    public IReadOnlyList<float> MeanColour { get; }
    public optim.Optimizer CompletionOptimizer { get; }
    public optim.Optimizer DiscriminatorOptimizer { get; }

    /// <summary>Everything a checkpoint saves and a resumed run restores.</summary>
    public TrainingState State() => new TrainingState()
        .Add("completion", Completion, CompletionOptimizer)
        .Add("discriminator", Discriminator, DiscriminatorOptimizer);

    /// <summary>The network's input (N,4,H,W): the image less the mean colour, zero in the hole, and the mask.</summary>
    public Tensor Inputs(Tensor images, Tensor masks) => cat([(images - mean) * (1 - masks), masks], 1);

    /// <summary>The completed images: the input outside the hole, the network's output inside it.</summary>
    public static Tensor Composite(Tensor images, Tensor output, Tensor masks) => images * (1 - masks) + output * masks;

    /// <summary>The images with the hole filled with the training set's mean colour: the trivial baseline.</summary>
    public Tensor MeanFill(Tensor images, Tensor masks) => Composite(images, mean.expand_as(images), masks);

    /// <summary>The completed images (network output composited into the input) in evaluation mode, without gradients.</summary>
    public Tensor Complete(Tensor images, Tensor masks)
    {
        using var noGrad = no_grad();
        Completion.eval();
        return Composite(images, Completion.call(Inputs(images, masks)), masks);
    }

    /// <summary>
    /// One iteration of the phase <see cref="GlcicTrainingConfig.PhaseAt"/> gives <paramref name="iteration"/>:
    /// <list type="bullet">
    /// <item>Completion: C minimises the hole MSE; the discriminators are not touched.</item>
    /// <item>Discriminator: D minimises −[log D(x, M_d) + log(1 − D(C(x, M_c), M_c))] with C's output held fixed;
    /// C is not updated.</item>
    /// <item>Joint: the same D update, then C minimises MSE + α·(−log D(C(x, M_c), M_c)) against the updated D.</item>
    /// </list>
    /// </summary>
    /// <param name="iteration">The iteration, counted from 0 over the whole run (it picks the phase).</param>
    /// <param name="images">Images (N,3,S,S) in [0,1] on the trainer's device.</param>
    /// <param name="holes">The holes M_c and the patches around them.</param>
    /// <param name="realPatches">For the real images, the random local patches M_d (only their patches are used).</param>
    public GlcicStep Step(long iteration, Tensor images, HoleBatch holes, HoleBatch realPatches)
    {
        using var scope = NewDisposeScope();
        var phase = Config.PhaseAt(iteration);
        Completion.train();
        Discriminator.train();
        var masks = holes.Masks.to(images.device);
        var output = Completion.call(Inputs(images, masks));
        var mse = GlcicLoss.HoleMse(output, images, masks);
        if (phase == GlcicPhase.Completion)
        {
            Update(CompletionOptimizer, mse);
            return new GlcicStep(phase, mse.item<float>());
        }

        var (dLoss, accuracy) = DiscriminatorUpdate(images, Composite(images, output.detach(), masks), holes, realPatches);
        if (phase == GlcicPhase.Discriminator)
            return new GlcicStep(phase, mse.item<float>(), dLoss, accuracy);

        var completed = Composite(images, output, masks);
        var fake = Discriminator.call(completed, HoleMasks.Crop(completed, holes.Patches));
        var adversarial = GlcicLoss.Adversarial(fake);
        Update(CompletionOptimizer, mse + Config.Alpha * adversarial);
        return new GlcicStep(phase, mse.item<float>(), dLoss, accuracy, adversarial.item<float>());
    }

    (double Loss, double Accuracy) DiscriminatorUpdate(Tensor images, Tensor completed, HoleBatch holes, HoleBatch realPatches)
    {
        var real = Discriminator.call(images, HoleMasks.Crop(images, realPatches.Patches));
        var fake = Discriminator.call(completed, HoleMasks.Crop(completed, holes.Patches));
        var loss = GlcicLoss.Discriminator(real, fake);
        Update(DiscriminatorOptimizer, loss);
        return (loss.item<float>(), GlcicLoss.Accuracy(real.detach(), fake.detach()));
    }

    /// <summary>The hole MSE of the completion network in evaluation mode on fixed images and masks (the validation curve).</summary>
    public double ValidationMse(Tensor images, Tensor masks)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Completion.eval();
        return GlcicLoss.HoleMse(Completion.call(Inputs(images, masks)), images, masks).item<float>();
    }

    /// <summary>Clears both networks' gradients first, so that a C step never carries D's and the reverse.</summary>
    void Update(optim.Optimizer optimizer, Tensor loss)
    {
        CompletionOptimizer.zero_grad();
        DiscriminatorOptimizer.zero_grad();
        loss.backward();
        optimizer.step();
    }

    optim.Optimizer Create(IEnumerable<TorchSharp.Modules.Parameter> parameters) => Config.Optimizer == GlcicOptimizer.Adadelta
        ? optim.Adadelta(parameters, Config.LearningRate, rho: 0.9, eps: 1e-6)
        : optim.Adam(parameters, Config.LearningRate, beta1: 0.5, beta2: 0.999);

    public void Dispose()
    {
        Completion.Dispose();
        Discriminator.Dispose();
        mean.Dispose();
    }
}
