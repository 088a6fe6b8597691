using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Cam;

/// <summary>Tiny models whose CAM quantities can be worked out by hand.</summary>
internal static class CamModels
{
    /// <summary>
    /// features (3x3 conv, padding 1, ReLU; the input's size kept) -> global average pool -> fc. For logit k,
    /// ∂y_k/∂A_c,ij = W[k, c] / (h w) at every position.
    /// </summary>
    public static nn.Module<Tensor, Tensor> ConvPoolLinear(int inChannels = 3, int channels = 5, int classes = 4, long seed = 1)
    {
        torch.random.manual_seed(seed);
        return nn.Sequential(
            ("features", nn.Sequential(("conv", nn.Conv2d(inChannels, channels, 3, padding: 1)), ("relu", nn.ReLU()))),
            ("pool", nn.AdaptiveAvgPool2d(1)),
            ("flatten", nn.Flatten()),
            ("fc", nn.Linear(channels, classes)));
    }

    /// <summary>features = identity (so A is the input itself) -> global average pool -> fc with the given weights.</summary>
    public static nn.Module<Tensor, Tensor> IdentityPoolLinear(float[,] fcWeight)
    {
        var fc = nn.Linear(fcWeight.GetLength(1), fcWeight.GetLength(0));
        using (no_grad())
        {
            fc.weight!.copy_(tensor(fcWeight));
            fc.bias!.zero_();
        }
        return nn.Sequential(("features", nn.Identity()), ("pool", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()), ("fc", fc));
    }

    /// <summary>The number of forward hooks registered on <paramref name="module"/> (TorchSharp keeps them in a protected dictionary).</summary>
    public static int ForwardHookCount(nn.Module module)
    {
        for (var type = module.GetType(); type is not null; type = type.BaseType)
        {
            var field = type.GetField("post_hooks", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic);
            if (field is not null) return ((System.Collections.ICollection)field.GetValue(module)!).Count;
        }
        throw new InvalidOperationException("TorchSharp no longer keeps forward hooks in post_hooks.");
    }

    public static nn.Module Layer(nn.Module model, string path) => model.named_modules().Single(m => m.name == path).module;
}

/// <summary>A layer that throws in its forward, to check that capture cleans up after an exception.</summary>
internal sealed class Throwing : nn.Module<Tensor, Tensor>
{
    public Throwing() : base(nameof(Throwing)) { }

    public override Tensor forward(Tensor input) => throw new InvalidOperationException("boom");
}
