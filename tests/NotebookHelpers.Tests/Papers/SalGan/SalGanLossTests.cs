using NotebookHelpers.Papers.SalGan;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.SalGan;

public class SalGanLossTests
{
    const int Digits = 5;

    [Fact]
    public void Content_loss_is_BCE_after_4x4_average_pooling()
    {
        // One 4×4 map pools to one pixel: prediction mean 0.25, target mean 0.5.
        // BCE = −[0.5·ln 0.25 + 0.5·ln 0.75] = 0.5·(1.386294 + 0.287682) = 0.836988.
        var predicted = tensor(new float[] { 0, 0, 0, 0, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0, 0, 0, 0 }).reshape(1, 1, 4, 4);
        var target = tensor(new float[] { 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0 }).reshape(1, 1, 4, 4);
        Assert.Equal(0.836988, SalGanLoss.Content(predicted, target).item<float>(), Digits);
        // Without pooling it is the plain per-pixel BCE, and the zeros of the prediction where the target is 1 make it
        // far larger (clamped logs of 0): pooling is what lets the map be blurry.
        Assert.True(SalGanLoss.Content(predicted, target, pooling: 1).item<float>() > 10);
    }

    [Fact]
    public void Generator_loss_is_alpha_times_content_minus_log_D()
    {
        // α = 0.05, L_BCE = 0.8, D(I,Ŝ) = (0.2, 0.5): −log D means (1.609438 + 0.693147)/2 = 1.151293; L = 0.04 + 1.151293.
        var loss = SalGanLoss.Generator(tensor(0.8f), tensor(new float[] { 0.2f, 0.5f }).reshape(2, 1), 0.05);
        Assert.Equal(1.191293, loss.item<float>(), Digits);
    }

    [Fact]
    public void Discriminator_loss_is_minus_log_D_real_minus_log_one_minus_D_fake()
    {
        // D(I,S) = 0.9 → −ln 0.9 = 0.105361; D(I,Ŝ) = 0.3 → −ln 0.7 = 0.356675; sum 0.462035.
        var loss = SalGanLoss.Discriminator(tensor(new float[] { 0.9f }).reshape(1, 1), tensor(new float[] { 0.3f }).reshape(1, 1));
        Assert.Equal(0.462035, loss.item<float>(), Digits);
    }

    [Fact]
    public void One_sided_label_smoothing_changes_only_the_target_of_real_pairs()
    {
        // Target 0.9 for D(I,S) = 0.9: −(0.9 ln 0.9 + 0.1 ln 0.1) = 0.094825 + 0.230259 = 0.325084; fake −ln 0.7 = 0.356675.
        var loss = SalGanLoss.Discriminator(tensor(new float[] { 0.9f }).reshape(1, 1), tensor(new float[] { 0.3f }).reshape(1, 1), realLabel: 0.9);
        Assert.Equal(0.681759, loss.item<float>(), Digits);
    }

    [Fact]
    public void Gradients_reach_the_prediction_through_every_loss()
    {
        var predicted = full(1, 1, 8, 8, 0.3f, requires_grad: true);
        var fake = full(1, 1, 0.4f, requires_grad: true);
        SalGanLoss.Generator(SalGanLoss.Content(predicted, ones(1, 1, 8, 8) * 0.6f), fake, 0.05).backward();
        Assert.True(predicted.grad!.abs().sum().item<float>() > 0);
        Assert.True(fake.grad!.item<float>() < 0); // raising D(I,Ŝ) lowers the generator's loss
    }
}
