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
}
