using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NotebookHelpers.Models;

/// <summary>The weight initialisations several papers of the series use, in one place.</summary>
public static class Init
{
    /// <summary>
    /// He initialisation (fan-out, ReLU gain) of every convolution and zero biases, as torchvision initialises VGG: a
    /// stack of some 26 plain ReLU convolutions keeps its signal from the first step, which matters whenever an
    /// encoder starts without ImageNet weights.
    /// </summary>
    public static void HeConvolutions(Module module)
    {
        using var noGrad = no_grad();
        foreach (var conv in module.modules().OfType<Conv2d>())
        {
            init.kaiming_normal_(conv.weight!, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
            if (conv.bias is { } bias) init.zeros_(bias);
        }
    }

    /// <summary>
    /// DCGAN's initialisation (Radford et al., 2016, §4): convolution weights from N(0, 0.02), batch-norm scales from
    /// N(1, 0.02), biases zero; the GAN papers of the series follow it.
    /// </summary>
    public static void Gan(Module module, double std = 0.02)
    {
        using var noGrad = no_grad();
        foreach (var m in module.modules())
        {
            switch (m)
            {
                case Conv2d conv:
                    init.normal_(conv.weight!, 0, std);
                    if (conv.bias is { } b) init.zeros_(b);
                    break;
                case ConvTranspose2d deconv:
                    init.normal_(deconv.weight!, 0, std);
                    if (deconv.bias is { } db) init.zeros_(db);
                    break;
                case BatchNorm2d bn:
                    init.normal_(bn.weight!, 1, std);
                    init.zeros_(bn.bias!);
                    break;
            }
        }
    }
}
