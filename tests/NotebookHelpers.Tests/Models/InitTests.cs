using NotebookHelpers.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Models;

[Collection(nameof(GlobalRandomState))]
public class InitTests
{
    [Fact]
    public void He_initialisation_has_the_fan_out_standard_deviation_and_zero_biases()
    {
        manual_seed(0);
        var conv = nn.Conv2d(16, 64, 3);
        Init.HeConvolutions(nn.Sequential(conv));
        // std = sqrt(2 / fan_out), fan_out = 64 · 3 · 3
        Assert.Equal(Math.Sqrt(2.0 / (64 * 9)), conv.weight!.std().item<float>(), 0.003);
        Assert.Equal(0f, conv.bias!.abs().max().item<float>());
    }

    [Fact]
    public void Gan_initialisation_draws_weights_from_n0_002_and_batch_norm_scales_around_one()
    {
        manual_seed(0);
        var conv = nn.Conv2d(32, 64, 4);
        var bn = nn.BatchNorm2d(4096);
        Init.Gan(nn.Sequential(conv, bn));
        Assert.Equal(0.02, conv.weight!.std().item<float>(), 0.001);
        Assert.Equal(0.0, conv.weight!.mean().item<float>(), 0.001);
        Assert.Equal(1.0, bn.weight!.mean().item<float>(), 0.002);
        Assert.Equal(0.02, bn.weight!.std().item<float>(), 0.002);
        Assert.Equal(0f, bn.bias!.abs().max().item<float>());
    }
}
