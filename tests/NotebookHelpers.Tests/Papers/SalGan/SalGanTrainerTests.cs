using NotebookHelpers.Papers.SalGan;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.SalGan;

[Collection(nameof(GlobalRandomState))]
public class SalGanTrainerTests
{
    static readonly SalGanConfig Tiny = new() { Height = 32, Width = 32, ChannelScale = 0.125 };

    [Fact]
    public void A_training_step_leaves_conv1_to_conv3_unchanged_and_moves_conv4_conv5_and_the_decoder()
    {
        manual_seed(4);
        var config = new SalGanConfig { Height = 32, Width = 32, ChannelScale = 0.125 };
        using var trainer = new SalGanTrainer(config, CPU);
        Tensor Copy(string name) => trainer.Generator.state_dict()[name].clone();
        // features.0 conv1_1, features.14 conv3_3 (frozen); features.17 conv4_1, features.28 conv5_3 (trained).
        var before = new[] { "features.0.weight", "features.14.weight", "features.17.weight", "features.28.weight", "decoder.output.weight" }
            .ToDictionary(n => n, Copy);
        var d1 = trainer.Discriminator.state_dict()["classifier.fc4.weight"].clone();

        trainer.AdversarialStep(randn(2, 3, 32, 32), rand(2, 1, 32, 32));

        bool Same(string name) => trainer.Generator.state_dict()[name].equal(before[name]).all().item<bool>();
        Assert.True(Same("features.0.weight"));
        Assert.True(Same("features.14.weight"));
        Assert.False(Same("features.17.weight"));
        Assert.False(Same("features.28.weight"));
        Assert.False(Same("decoder.output.weight"));
        Assert.False(trainer.Discriminator.state_dict()["classifier.fc4.weight"].equal(d1).all().item<bool>());
        Assert.All(trainer.Generator.FrozenParameters(), p => Assert.False(p.requires_grad));
        Assert.Equal(7 * 2, trainer.Generator.FrozenParameters().Count()); // 7 convolutions, weight and bias
    }

    [Fact]
    public void A_content_step_moves_only_the_generator_and_repeated_steps_lower_its_loss_on_a_fixed_batch()
    {
        manual_seed(5);
        using var trainer = new SalGanTrainer(Tiny with { LearningRate = 3e-3 }, CPU);
        var images = rand(4, 3, 32, 32);
        // A target the decoder can learn: a bright square, the same for every image.
        var targets = zeros(4, 1, 32, 32);
        targets[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(8, 24), TensorIndex.Slice(8, 24)] = tensor(1f);
        var discriminator = trainer.Discriminator.state_dict()["classifier.fc4.weight"].clone();

        var first = trainer.ContentStep(images, targets);
        SalGanStep last = first;
        for (int i = 0; i < 30; i++) last = trainer.ContentStep(images, targets);

        Assert.Null(first.Generator);
        Assert.Null(first.Discriminator);
        Assert.True(last.Content < 0.8 * first.Content, $"content loss {first.Content:F3} -> {last.Content:F3}");
        Assert.True(trainer.Discriminator.state_dict()["classifier.fc4.weight"].equal(discriminator).all().item<bool>());
    }

    [Fact]
    public void An_adversarial_step_reports_all_losses_with_the_discriminators_mean_scores_in_0_1()
    {
        manual_seed(6);
        using var trainer = new SalGanTrainer(Tiny, CPU);
        var step = trainer.AdversarialStep(rand(2, 3, 32, 32), rand(2, 1, 32, 32));
        Assert.Equal(["content", "generator", "discriminator"], step.Values().Select(v => v.Name));
        Assert.InRange(step.RealScore!.Value, 0, 1);
        Assert.InRange(step.FakeScore!.Value, 0, 1);
        // L_D = -log D(real) - log(1 - D(fake)) is at least -log of its larger factor, so positive here.
        Assert.True(step.Discriminator > 0);
    }

    [Fact]
    public void The_state_holds_both_networks_with_their_optimisers()
    {
        using var trainer = new SalGanTrainer(Tiny, CPU);
        var names = trainer.State().Parts.Select(p => p.Name).ToArray();
        Assert.Equal(["generator", "discriminator"], names);
        Assert.All(trainer.State().Parts, p => Assert.NotNull(p.Optimizer));
    }

    [Fact]
    public void The_authors_schedule_gives_the_first_adversarial_batch_to_the_discriminator_and_alternates_from_there()
    {
        using var trainer = new SalGanTrainer(Tiny with { PretrainEpochs = 2, Epochs = 4 }, CPU);
        // 3 steps an epoch: steps 0..5 are pre-training, 6 is the first adversarial batch.
        var updates = Enumerable.Range(0, 12).Select(step => trainer.UpdateFor(step / 3, step, stepsPerEpoch: 3)).ToArray();
        Assert.Equal(Enumerable.Repeat(SalGanUpdate.Content, 6), updates[..6]);
        Assert.Equal([SalGanUpdate.Discriminator, SalGanUpdate.Generator, SalGanUpdate.Discriminator,
                      SalGanUpdate.Generator, SalGanUpdate.Discriminator, SalGanUpdate.Generator], updates[6..]);
        Assert.Equal(SalGanUpdate.Content, trainer.UpdateFor(3, 9, 3, bceOnly: true));

        using var everyBatch = new SalGanTrainer(Tiny with { PretrainEpochs = 2, Epochs = 4, Schedule = SalGanSchedule.EveryBatch }, CPU);
        Assert.Equal(SalGanUpdate.Content, everyBatch.UpdateFor(1, 5, 3));
        Assert.All(Enumerable.Range(6, 6), step => Assert.Equal(SalGanUpdate.Both, everyBatch.UpdateFor(step / 3, step, 3)));
    }

    [Fact]
    public void With_k_discriminator_steps_the_first_k_of_every_k_plus_one_adversarial_batches_train_the_discriminator()
    {
        using var trainer = new SalGanTrainer(Tiny with { PretrainEpochs = 1, Epochs = 4, DiscriminatorSteps = 3 }, CPU);
        // 2 steps an epoch: steps 0 and 1 pre-train, then D D D G D D D G ...
        var updates = Enumerable.Range(2, 8).Select(step => trainer.UpdateFor(step / 2, step, stepsPerEpoch: 2)).ToArray();
        var (d, g) = (SalGanUpdate.Discriminator, SalGanUpdate.Generator);
        Assert.Equal([d, d, d, g, d, d, d, g], updates);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SalGanTrainer(Tiny with { DiscriminatorSteps = 0 }, CPU));
    }

    [Fact]
    public void A_discriminator_batch_moves_only_the_discriminator_and_a_generator_batch_only_the_generator()
    {
        manual_seed(6);
        using var trainer = new SalGanTrainer(Tiny, CPU);
        var (images, targets) = (randn(2, 3, 32, 32), rand(2, 1, 32, 32));
        Tensor G() => trainer.Generator.state_dict()["decoder.output.weight"].clone();
        Tensor D() => trainer.Discriminator.state_dict()["classifier.fc4.weight"].clone();
        bool Moved(Tensor before, Tensor after) => !before.equal(after).all().item<bool>();

        var (g0, d0) = (G(), D());
        var dStep = trainer.Step(images, targets, SalGanUpdate.Discriminator);
        Assert.False(Moved(g0, G()));
        Assert.True(Moved(d0, D()));
        Assert.Equal(SalGanUpdate.Discriminator, dStep.Update);
        Assert.NotNull(dStep.Generator); // measured, though the generator did not learn from this batch

        var (g1, d1) = (G(), D());
        var gStep = trainer.Step(images, targets, SalGanUpdate.Generator);
        Assert.True(Moved(g1, G()));
        Assert.False(Moved(d1, D()));
        Assert.NotNull(gStep.Discriminator);

        var (g2, d2) = (G(), D());
        trainer.Step(images, targets, SalGanUpdate.Both);
        Assert.True(Moved(g2, G()));
        Assert.True(Moved(d2, D()));
    }

    [Fact]
    public void The_discriminator_sees_the_map_times_its_map_scale()
    {
        manual_seed(7);
        using var plain = new SalGanDiscriminator(Tiny);
        using var scaled = new SalGanDiscriminator(Tiny with { DiscriminatorMapScale = 4 });
        scaled.load_state_dict(plain.state_dict());
        var (image, map) = (randn(2, 3, 32, 32), rand(2, 1, 32, 32));
        using var noGrad = no_grad();
        Assert.True(scaled.call(image, map).allclose(plain.call(image, map * 4), rtol: 1e-5, atol: 1e-6));
        Assert.False(scaled.call(image, map).allclose(plain.call(image, map), rtol: 1e-3, atol: 1e-4));
    }

    [Fact]
    public void The_discriminators_width_and_learning_rate_can_differ_from_the_generators()
    {
        using var trainer = new SalGanTrainer(Tiny with { DiscriminatorChannelScale = 1.0, DiscriminatorLearningRate = 1e-2 }, CPU);
        Assert.Equal(32, trainer.Discriminator.state_dict()["convolutions.conv1_2.weight"].shape[0]); // the paper's 32
        Assert.Equal(8, trainer.Generator.state_dict()["features.0.weight"].shape[0]); // 64 / 8
        Assert.Equal(1e-2, trainer.DiscriminatorOptimizer.ParamGroups.First().LearningRate, 12);
    }

    [Fact]
    public void Held_out_accuracy_is_the_share_of_real_pairs_above_a_half_and_of_predicted_pairs_below()
    {
        manual_seed(8);
        using var trainer = new SalGanTrainer(Tiny, CPU);
        var (images, targets) = (randn(4, 3, 32, 32), rand(4, 1, 32, 32));
        var (real, predicted) = trainer.DiscriminatorAccuracy(images, targets);
        using var noGrad = no_grad();
        trainer.Generator.eval();
        trainer.Discriminator.eval();
        var realScores = trainer.Discriminator.call(images, targets).flatten().data<float>().ToArray();
        var fakeScores = trainer.Discriminator.call(images, trainer.Generator.call(images)).flatten().data<float>().ToArray();
        Assert.Equal(realScores.Count(v => v > 0.5) / 4.0, real, 12);
        Assert.Equal(fakeScores.Count(v => v < 0.5) / 4.0, predicted, 12);
    }
}
