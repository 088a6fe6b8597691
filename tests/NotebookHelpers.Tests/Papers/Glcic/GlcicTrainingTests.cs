using NotebookHelpers.Papers.Glcic;
using NotebookHelpers.Tests.Imaging;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.Glcic;

[Collection(nameof(GlobalRandomState))]
public class GlcicTrainingTests
{
    static readonly GlcicNetworkConfig Narrow = new() { Width = 4 };
    static readonly HoleMaskConfig Masks = HoleMaskConfig.For(64);
    static readonly float[] Grey = [0.5f, 0.5f, 0.5f];

    static GlcicTrainer Tiny(GlcicTrainingConfig config, int seed = 0, float[]? meanColour = null)
    {
        manual_seed(seed);
        return new GlcicTrainer(new CompletionNetwork(Narrow), new ContextDiscriminator(Narrow, 64, Masks.LocalSize), config, meanColour ?? Grey, CPU);
    }

    static double SoftPlus(double x) => Math.Log(1 + Math.Exp(x));

    [Fact]
    public void The_defaults_are_the_papers_schedule_and_optimiser()
    {
        var paper = new GlcicTrainingConfig();
        Assert.Equal(90_000, paper.CompletionIterations); // §4: T_C
        Assert.Equal(10_000, paper.DiscriminatorIterations); // T_D
        Assert.Equal(500_000, paper.TotalIterations); // T_train
        Assert.Equal(96, paper.BatchSize);
        Assert.Equal(0.0004, paper.Alpha);
        Assert.Equal(GlcicOptimizer.Adadelta, paper.Optimizer);
        Assert.Equal(1.0, paper.LearningRate);
        paper.Validate();
    }

    [Theory]
    [InlineData(0, GlcicPhase.Completion)]
    [InlineData(89_999, GlcicPhase.Completion)]
    [InlineData(90_000, GlcicPhase.Discriminator)]
    [InlineData(99_999, GlcicPhase.Discriminator)]
    [InlineData(100_000, GlcicPhase.Joint)]
    [InlineData(499_999, GlcicPhase.Joint)]
    public void Iterations_counted_from_0_fall_in_the_phases_of_Algorithm_1(long iteration, GlcicPhase phase) =>
        Assert.Equal(phase, new GlcicTrainingConfig().PhaseAt(iteration));

    [Fact]
    public void Without_a_discriminator_phase_the_joint_phase_follows_the_completion_phase()
    {
        var config = new GlcicTrainingConfig { CompletionIterations = 5, DiscriminatorIterations = 0, TotalIterations = 6 };
        Assert.Equal([GlcicPhase.Completion, GlcicPhase.Completion, GlcicPhase.Completion, GlcicPhase.Completion, GlcicPhase.Completion, GlcicPhase.Joint],
            Enumerable.Range(0, 6).Select(i => config.PhaseAt(i)));
    }

    [Fact]
    public void A_schedule_whose_phases_do_not_fit_or_a_batch_of_nothing_is_refused()
    {
        var paper = new GlcicTrainingConfig();
        var overlong = Assert.Throws<ArgumentException>(() => (paper with { TotalIterations = 99_999 }).Validate());
        Assert.Contains("T_C + T_D = 100000 exceeds T_train = 99999", overlong.Message);
        (paper with { TotalIterations = 100_000 }).Validate(); // a joint phase of length 0 is allowed
        Assert.Throws<ArgumentException>(() => (paper with { CompletionIterations = -1 }).Validate());
        Assert.Throws<ArgumentException>(() => (paper with { DiscriminatorIterations = -1 }).Validate());
        Assert.Throws<ArgumentException>(() => (paper with { CompletionIterations = 0, DiscriminatorIterations = 0, TotalIterations = 0 }).Validate());
        Assert.Throws<ArgumentException>(() => (paper with { BatchSize = 0 }).Validate());
        // The trainer checks its schedule and its mean colour before it starts.
        using var completion = new CompletionNetwork(Narrow);
        using var discriminator = new ContextDiscriminator(Narrow, 64, 32);
        Assert.Throws<ArgumentException>(() => new GlcicTrainer(completion, discriminator, paper with { BatchSize = 0 }, Grey, CPU));
        var colour = Assert.Throws<ArgumentException>(() => new GlcicTrainer(completion, discriminator, paper, [0.5f, 0.5f], CPU));
        Assert.Contains("R, G and B", colour.Message);
    }

    [Fact]
    public void The_hole_MSE_is_the_mean_over_every_hole_pixel_and_channel_of_the_batch()
    {
        // Image 0: hole at (0,0) and (1,1), errors 0.1/0.2/0.5 and 0.3/0.4/0.6; the 5s outside the hole do not count.
        // Image 1: hole at (0,1) only, error 1 in each channel. Squares: 0.01+0.04+0.25 + 0.09+0.16+0.36 + 3 = 3.91
        // over 3 hole pixels × 3 channels: 3.91 / 9. (A mean of per-image means would give (0.91/6 + 1)/2 instead.)
        using var completed = tensor(new float[]
        {
            0.1f, 5, 5, 0.3f, 0.2f, 5, 5, 0.4f, 0.5f, 5, 5, 0.6f,
            5, 1, 5, 5, 5, 1, 5, 5, 5, 1, 5, 5,
        }, [2, 3, 2, 2]);
        using var original = zeros(2, 3, 2, 2);
        using var masks = tensor(new float[] { 1, 0, 0, 1, 0, 1, 0, 0 }, [2, 1, 2, 2]);
        using var mse = GlcicLoss.HoleMse(completed, original, masks);
        Assert.Equal(3.91 / 9, mse.item<float>(), 1e-6);
        using var nothing = GlcicLoss.HoleMse(completed, original, zeros(2, 1, 2, 2));
        Assert.Equal(0f, nothing.item<float>()); // no hole: no error, not a division by zero
    }

    [Fact]
    public void The_GAN_losses_are_the_binary_cross_entropies_of_section_3_3_on_logits()
    {
        double[] real = [2, -1, 0], fake = [0.5, -3, 1];
        using var r = tensor(real.Select(v => (float)v).ToArray());
        using var f = tensor(fake.Select(v => (float)v).ToArray());
        // −[log σ(r) + log(1 − σ(f))], averaged over each batch: log σ(r) = −log(1 + e^−r), log(1 − σ(f)) = −log(1 + e^f).
        double discriminator = real.Average(x => SoftPlus(-x)) + fake.Average(x => SoftPlus(x));
        // The non-saturating generator loss −log σ(f).
        double adversarial = fake.Average(x => SoftPlus(-x));
        Assert.Equal(discriminator, GlcicLoss.Discriminator(r, f).item<float>(), 1e-5);
        Assert.Equal(adversarial, GlcicLoss.Adversarial(f).item<float>(), 1e-5);
        using var mse = tensor(0.25f);
        Assert.Equal(0.25 + 0.0004 * adversarial, GlcicLoss.Joint(mse, f, 0.0004).item<float>(), 1e-6);
        // Real called real: 2 (0 is not); completed called completed: −3 (0.5 and 1 are not). 2 of 6.
        Assert.Equal(2.0 / 6, GlcicLoss.Accuracy(r, f), 1e-12);
    }

    [Fact]
    public void The_composite_keeps_the_input_outside_the_hole_and_the_network_inside_and_the_input_hides_the_hole()
    {
        manual_seed(7);
        using var images = rand(2, 3, 16, 16);
        using var output = rand(2, 3, 16, 16);
        using var masks = stack([HoleMasks.Rectangle(16, new PixelBox(2, 3, 5, 6)), HoleMasks.Rectangle(16, new PixelBox(9, 0, 7, 4))]);
        using var composite = GlcicTrainer.Composite(images, output, masks);
        using var outside = (masks == 0).expand_as(images);
        using var inside = (masks == 1).expand_as(images);
        Assert.True(Tensors.Identical(composite.masked_select(outside), images.masked_select(outside)));
        Assert.True(Tensors.Identical(composite.masked_select(inside), output.masked_select(inside)));

        using var trainer = Tiny(new GlcicTrainingConfig { BatchSize = 2 });
        using var inputs = trainer.Inputs(images, masks);
        Assert.Equal([2L, 4, 16, 16], inputs.shape);
        Assert.True(Tensors.Identical(inputs[.., 3..4], masks));
        using var colours = inputs[.., ..3];
        Assert.Equal(0f, colours.masked_select(inside).abs().max().item<float>()); // the hole holds the mean colour, i.e. 0
        Assert.True(colours.masked_select(outside).allclose(images.masked_select(outside) - 0.5f));
        using var meanFill = trainer.MeanFill(images, masks);
        Assert.True(meanFill.masked_select(inside).eq(0.5f).all().item<bool>());
        using var completed = trainer.Complete(images, masks);
        Assert.True(Tensors.Identical(completed.masked_select(outside), images.masked_select(outside)));
    }

    [Fact]
    public void Thirty_completion_steps_lower_the_hole_MSE_of_a_tiny_fixed_batch_below_the_mean_colour_fill()
    {
        using var images = StructuredScenes.Generate(4, 64, seed: 3);
        using var trainer = Tiny(new GlcicTrainingConfig { BatchSize = 4 }, seed: 1, GlcicExperiment.MeanColour(images));
        using var holes = GlcicExperiment.HolesAt(0, 0, 4, Masks, seed: 3);
        using var real = GlcicExperiment.HolesAt(0, 1, 4, Masks, seed: 3);
        // The trivial baseline: the holes filled with the batch's mean colour (measured 0.044; the untrained network 0.054).
        using var meanFill = trainer.MeanFill(images, holes.Masks);
        double baseline = GlcicLoss.HoleMse(meanFill, images, holes.Masks).item<float>();
        var steps = Enumerable.Range(0, 30).Select(i => trainer.Step(i, images, holes, real)).ToArray();
        Assert.All(steps, s => Assert.Equal(GlcicPhase.Completion, s.Phase));
        Assert.All(steps, s => Assert.Null(s.DiscriminatorLoss));
        var (first, last) = (steps[0].HoleMse, steps[^3..].Average(s => s.HoleMse)); // measured 0.054 → 0.029
        Assert.True(last < 0.65 * first, $"hole MSE {first:F4} → {last:F4}");
        Assert.True(last < 0.75 * baseline, $"hole MSE {last:F4} against the mean-colour fill's {baseline:F4}");
    }

    [Fact]
    public void Each_phase_updates_only_the_networks_Algorithm_1_trains_in_it()
    {
        // T_C = 1, T_D = 1: iteration 0 trains C alone, 1 the discriminators alone, 2 both.
        using var trainer = Tiny(new GlcicTrainingConfig { CompletionIterations = 1, DiscriminatorIterations = 1, TotalIterations = 3, BatchSize = 4 }, seed: 2);
        using var images = StructuredScenes.Generate(4, 64, seed: 4);
        Tensor[] Snapshot(TorchSharp.torch.nn.Module module) => [.. module.parameters().Select(p => p.detach().clone())];
        bool[] Changed(TorchSharp.torch.nn.Module module, Tensor[] before) =>
            [.. module.parameters().Zip(before, (p, b) => !Tensors.Identical(p, b))];
        bool[] Weights(TorchSharp.torch.nn.Module module) => [.. module.parameters().Select(p => p.dim() > 1)];

        var steps = new List<GlcicStep>();
        var changes = new List<(bool[] Completion, bool[] Discriminator)>();
        for (int i = 0; i < 3; i++)
        {
            var (c, d) = (Snapshot(trainer.Completion), Snapshot(trainer.Discriminator));
            using var holes = GlcicExperiment.HolesAt(i, 0, 4, Masks, seed: 4);
            using var real = GlcicExperiment.HolesAt(i, 1, 4, Masks, seed: 4);
            steps.Add(trainer.Step(i, images, holes, real));
            changes.Add((Changed(trainer.Completion, c), Changed(trainer.Discriminator, d)));
            foreach (var t in c.Concat(d)) t.Dispose();
        }
        var (cWeights, dWeights) = (Weights(trainer.Completion), Weights(trainer.Discriminator));
        bool EveryWeight(bool[] changed, bool[] weights) => changed.Zip(weights).Where(p => p.Second).All(p => p.First);

        Assert.Equal([GlcicPhase.Completion, GlcicPhase.Discriminator, GlcicPhase.Joint], steps.Select(s => s.Phase));
        Assert.True(EveryWeight(changes[0].Completion, cWeights), "phase 1 left a completion weight unchanged");
        Assert.DoesNotContain(true, changes[0].Discriminator);
        Assert.DoesNotContain(true, changes[1].Completion);
        Assert.True(EveryWeight(changes[1].Discriminator, dWeights), "phase 2 left a discriminator weight unchanged");
        Assert.True(EveryWeight(changes[2].Completion, cWeights), "the joint phase left a completion weight unchanged");
        Assert.True(EveryWeight(changes[2].Discriminator, dWeights), "the joint phase left a discriminator weight unchanged");

        // What each phase reports: the MSE always, the discriminators' loss from phase 2, the GAN term in phase 3.
        Assert.Equal(["phase", "hole_mse"], steps[0].Values().Select(v => v.Name));
        Assert.Equal(["phase", "hole_mse", "d_loss", "d_accuracy"], steps[1].Values().Select(v => v.Name));
        Assert.Equal(["phase", "hole_mse", "d_loss", "d_accuracy", "adversarial"], steps[2].Values().Select(v => v.Name));
        Assert.Equal([1.0, 2.0, 3.0], steps.Select(s => s.Values()[0].Value));
        Assert.InRange(steps[1].DiscriminatorAccuracy!.Value, 0, 1);
        Assert.True(steps[2].Adversarial > 0);
    }
}
