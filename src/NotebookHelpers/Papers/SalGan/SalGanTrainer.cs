using NotebookHelpers.Models;
using NotebookHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.SalGan;

/// <summary>The losses of one training iteration (null where that network was not updated).</summary>
public sealed record SalGanStep(double Content, double? Generator = null, double? Discriminator = null, double? RealScore = null, double? FakeScore = null)
{
    /// <summary>The losses that were computed, by the names the metrics log and the charts use.</summary>
    public (string Name, double Value)[] Values()
    {
        var values = new List<(string, double)> { ("content", Content) };
        if (Generator is { } g) values.Add(("generator", g));
        if (Discriminator is { } d) values.Add(("discriminator", d));
        return [.. values];
    }
}

/// <summary>
/// SalGAN's two networks with their AdaGrad optimisers (§4.1: learning rate 3e-4, L2 weight decay 1e-4 on both) and
/// the three updates a training loop alternates: BCE-only steps of the generator while it is pre-trained, then, every
/// batch, one discriminator step followed by one generator step. The loop itself — the schedule, logging, progress —
/// is the caller's (the notebook shows it; <c>nbh train salgan</c> runs the same steps).
/// </summary>
public sealed class SalGanTrainer : IDisposable
{
    public SalGanTrainer(SalGanConfig config, Device device)
    {
        Config = config;
        Generator = new SalGanGenerator(config);
        Discriminator = new SalGanDiscriminator(config);
        Generator.to(device);
        Discriminator.to(device);
        // Frozen encoder layers are left out of the optimiser, so weight decay cannot move them either.
        GeneratorOptimizer = optim.Adagrad(Generator.parameters().Where(p => p.requires_grad), config.LearningRate, weight_decay: config.WeightDecay);
        DiscriminatorOptimizer = optim.Adagrad(Discriminator.parameters(), config.LearningRate, weight_decay: config.WeightDecay);
    }

    public SalGanConfig Config { get; }
    public SalGanGenerator Generator { get; }
    public SalGanDiscriminator Discriminator { get; }
    public optim.Optimizer GeneratorOptimizer { get; }
    public optim.Optimizer DiscriminatorOptimizer { get; }

    /// <summary>Everything a checkpoint saves and a resumed run restores.</summary>
    public TrainingState State() => new TrainingState()
        .Add("generator", Generator, GeneratorOptimizer)
        .Add("discriminator", Discriminator, DiscriminatorOptimizer);

    /// <summary>One generator update on the content loss alone, L_BCE (§3.1): pre-training, and the BCE/4 baseline.</summary>
    public SalGanStep ContentStep(Tensor images, Tensor targets)
    {
        using var scope = NewDisposeScope();
        Generator.train();
        GeneratorOptimizer.zero_grad();
        var content = SalGanLoss.Content(Generator.call(images), targets, Config.ContentPooling);
        content.backward();
        GeneratorOptimizer.step();
        return new SalGanStep(content.item<float>());
    }

    /// <summary>
    /// One adversarial iteration (§3.2): the discriminator learns to tell ground-truth maps from predicted ones
    /// (L_D = −log D(I,S) − log(1 − D(I,Ŝ))), then the generator learns to fool it while staying close to the
    /// ground truth (L = α·L_BCE − log D(I,Ŝ)).
    /// </summary>
    public SalGanStep AdversarialStep(Tensor images, Tensor targets)
    {
        using var scope = NewDisposeScope();
        Generator.train();
        Discriminator.train();

        DiscriminatorOptimizer.zero_grad();
        Tensor predicted;
        using (no_grad()) predicted = Generator.call(images);
        var real = Discriminator.call(images, targets);
        var fake = Discriminator.call(images, predicted);
        var discriminatorLoss = SalGanLoss.Discriminator(real, fake);
        discriminatorLoss.backward();
        DiscriminatorOptimizer.step();

        GeneratorOptimizer.zero_grad();
        var generated = Generator.call(images);
        var content = SalGanLoss.Content(generated, targets, Config.ContentPooling);
        var fooled = Discriminator.call(images, generated);
        var generatorLoss = SalGanLoss.Generator(content, fooled, Config.Alpha);
        generatorLoss.backward();
        GeneratorOptimizer.step();
        // The discriminator's gradients from the generator's step are cleared by its next zero_grad.

        return new SalGanStep(content.item<float>(), generatorLoss.item<float>(), discriminatorLoss.item<float>(),
            real.mean().item<float>(), fake.mean().item<float>());
    }

    public void Dispose()
    {
        Generator.Dispose();
        Discriminator.Dispose();
    }
}
