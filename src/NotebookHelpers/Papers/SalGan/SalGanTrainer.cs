using NotebookHelpers.Models;
using NotebookHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.SalGan;

/// <summary>
/// The losses of one training batch. In adversarial training both losses are measured on every batch, also when the
/// schedule updates only one of the networks with it (<see cref="Update"/>), so that the curves have a value per step.
/// </summary>
public sealed record SalGanStep(double Content, double? Generator = null, double? Discriminator = null, double? RealScore = null, double? FakeScore = null,
    SalGanUpdate Update = SalGanUpdate.Content)
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

/// <summary>Which network a training batch updates.</summary>
public enum SalGanUpdate
{
    /// <summary>The generator on the content loss alone: pre-training, and every step of the BCE/4 baseline.</summary>
    Content,

    /// <summary>The discriminator alone (the generator's map is computed without gradients).</summary>
    Discriminator,

    /// <summary>The generator alone, on α·L_BCE − log D(I, Ŝ).</summary>
    Generator,

    /// <summary>The discriminator, then the generator, on the same batch and the same generator output.</summary>
    Both,
}

/// <summary>
/// SalGAN's two networks with their AdaGrad optimisers (§4.1: learning rate 3e-4, L2 weight decay 1e-4 on both) and
/// the updates a training loop chooses between (<see cref="UpdateFor"/>): BCE-only steps of the generator while it is
/// pre-trained, then adversarial steps in the order <see cref="SalGanConfig.Schedule"/> gives. The loop itself — the
/// schedule, logging, progress — is the caller's (the notebook shows it; <c>nbh train salgan</c> runs the same steps).
/// </summary>
public sealed class SalGanTrainer : IDisposable
{
    public SalGanTrainer(SalGanConfig config, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(config.DiscriminatorSteps, 1, nameof(config.DiscriminatorSteps));
        Config = config;
        Generator = new SalGanGenerator(config);
        Discriminator = new SalGanDiscriminator(config);
        Generator.to(device);
        Discriminator.to(device);
        // Frozen encoder layers are left out of the optimiser, so weight decay cannot move them either.
        GeneratorOptimizer = optim.Adagrad(Generator.parameters().Where(p => p.requires_grad), config.LearningRate, weight_decay: config.WeightDecay);
        DiscriminatorOptimizer = optim.Adagrad(Discriminator.parameters(), config.DiscriminatorLearningRate ?? config.LearningRate, weight_decay: config.WeightDecay);
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

    /// <summary>
    /// The update of the batch at <paramref name="step"/> (0-based, counted over the whole run) of
    /// <paramref name="epoch"/>: content steps during the <see cref="SalGanConfig.PretrainEpochs"/> (and always for
    /// <paramref name="bceOnly"/>), then the schedule's. <see cref="SalGanSchedule.Alternating"/> counts the adversarial
    /// batches from the first one after pre-training and gives the even ones to the discriminator, as the authors'
    /// script does (its counter starts at 1 and odd counts train D); with <see cref="SalGanConfig.DiscriminatorSteps"/>
    /// k, the first k of every k + 1. Derived from the step alone, so a resumed run continues the same alternation.
    /// </summary>
    public SalGanUpdate UpdateFor(int epoch, long step, long stepsPerEpoch, bool bceOnly = false)
    {
        if (bceOnly || epoch < Config.PretrainEpochs) return SalGanUpdate.Content;
        if (Config.Schedule == SalGanSchedule.EveryBatch) return SalGanUpdate.Both;
        long adversarialStep = step - (long)Config.PretrainEpochs * stepsPerEpoch;
        int k = Config.DiscriminatorSteps;
        return adversarialStep % (k + 1) < k ? SalGanUpdate.Discriminator : SalGanUpdate.Generator;
    }

    /// <summary>One training batch with the given update.</summary>
    public SalGanStep Step(Tensor images, Tensor targets, SalGanUpdate update) => update switch
    {
        SalGanUpdate.Content => ContentStep(images, targets),
        SalGanUpdate.Discriminator => DiscriminatorStep(images, targets),
        SalGanUpdate.Generator => GeneratorStep(images, targets),
        _ => AdversarialStep(images, targets),
    };

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
    /// One discriminator update (§3.2): it learns to tell ground-truth maps from predicted ones,
    /// L_D = −log D(I,S) − log(1 − D(I,Ŝ)). The generator's map is computed without gradients; its losses are
    /// reported as measured before the update.
    /// </summary>
    public SalGanStep DiscriminatorStep(Tensor images, Tensor targets)
    {
        using var scope = NewDisposeScope();
        Generator.train();
        Tensor predicted;
        using (no_grad()) predicted = Generator.call(images);
        return UpdateDiscriminator(images, targets, predicted, SalGanUpdate.Discriminator);
    }

    /// <summary>
    /// One generator update in adversarial training (§3.2): fool the discriminator while staying close to the ground
    /// truth, L = α·L_BCE − log D(I,Ŝ). The discriminator is not updated (its gradients from this step are cleared by
    /// its next zero_grad).
    /// </summary>
    public SalGanStep GeneratorStep(Tensor images, Tensor targets)
    {
        using var scope = NewDisposeScope();
        Generator.train();
        Discriminator.train();
        var generated = Generator.call(images);
        Tensor real;
        using (no_grad()) real = Discriminator.call(images, targets);
        var (content, generatorLoss, fooled) = UpdateGenerator(images, targets, generated);
        // The loss L_D the discriminator would see on this batch, from its scores before the generator's update.
        var discriminatorLoss = SalGanLoss.Discriminator(real, fooled, Config.RealLabel).item<float>();
        return new SalGanStep(content, generatorLoss, discriminatorLoss, FakeScore: fooled.mean().item<float>(), Update: SalGanUpdate.Generator);
    }

    /// <summary>
    /// One adversarial iteration of <see cref="SalGanSchedule.EveryBatch"/>: a discriminator update, then a generator
    /// update, both on one forward pass of the generator (the discriminator sees it detached), as DCGAN-style
    /// implementations do.
    /// </summary>
    public SalGanStep AdversarialStep(Tensor images, Tensor targets)
    {
        using var scope = NewDisposeScope();
        Generator.train();
        var generated = Generator.call(images);
        var d = UpdateDiscriminator(images, targets, generated.detach(), SalGanUpdate.Both);
        var (content, generatorLoss, _) = UpdateGenerator(images, targets, generated);
        return d with { Content = content, Generator = generatorLoss };
    }

    /// <summary>
    /// The discriminator's accuracy on held-out pairs: the share of ground-truth maps it scores above ½ and of the
    /// generator's maps it scores below ½ (chance is ½ each). Both networks in evaluation mode, no gradients.
    /// <paramref name="predicted"/>: the generator's maps of these images when the caller has them already.
    /// </summary>
    public (double Real, double Predicted) DiscriminatorAccuracy(Tensor images, Tensor targets, Tensor? predicted = null)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Generator.eval();
        Discriminator.eval();
        predicted ??= Generator.call(images);
        double real = (Discriminator.call(images, targets) > 0.5).to(float32).mean().ToDouble();
        double fake = (Discriminator.call(images, predicted) < 0.5).to(float32).mean().ToDouble();
        return (real, fake);
    }

    SalGanStep UpdateDiscriminator(Tensor images, Tensor targets, Tensor predicted, SalGanUpdate update)
    {
        Discriminator.train();
        DiscriminatorOptimizer.zero_grad();
        var real = Discriminator.call(images, targets);
        var fake = Discriminator.call(images, predicted);
        var loss = SalGanLoss.Discriminator(real, fake, Config.RealLabel);
        loss.backward();
        DiscriminatorOptimizer.step();
        double content, generatorLoss;
        using (no_grad())
        {
            var c = SalGanLoss.Content(predicted, targets, Config.ContentPooling);
            content = c.item<float>();
            generatorLoss = SalGanLoss.Generator(c, fake, Config.Alpha).item<float>();
        }
        return new SalGanStep(content, generatorLoss, loss.item<float>(), real.mean().item<float>(), fake.mean().item<float>(), update);
    }

    /// <returns>The losses, and the discriminator's scores of the generated maps (detached) before the update.</returns>
    (double Content, double Generator, Tensor Fooled) UpdateGenerator(Tensor images, Tensor targets, Tensor generated)
    {
        GeneratorOptimizer.zero_grad();
        var content = SalGanLoss.Content(generated, targets, Config.ContentPooling);
        var fooled = Discriminator.call(images, generated);
        var loss = SalGanLoss.Generator(content, fooled, Config.Alpha);
        loss.backward();
        GeneratorOptimizer.step();
        return (content.item<float>(), loss.item<float>(), fooled.detach());
    }

    public void Dispose()
    {
        Generator.Dispose();
        Discriminator.Dispose();
    }
}
