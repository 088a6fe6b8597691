using NotebookHelpers.Cam;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Cam;

public class ScoreCamTests
{
    /// <summary>One channel at a time: H = min-max(Up(A_k)), α_k = softmax(f(X ∘ H))[class] (− the zero input's).</summary>
    internal static Tensor PerChannelLoop(nn.Module<Tensor, Tensor> model, Tensor input, int k, bool subtractBaseline)
    {
        using var noGrad = no_grad();
        var a = ((nn.Module<Tensor, Tensor>)CamModels.Layer(model, "features")).call(input)[0];
        var baseline = subtractBaseline ? nn.functional.softmax(model.call(zeros_like(input)), 1)[0, k].item<float>() : 0f;
        var weights = new float[a.shape[0]];
        for (var c = 0; c < weights.Length; c++)
        {
            var up = nn.functional.interpolate(a[c].reshape(1, 1, a.shape[1], a.shape[2]), [input.shape[2], input.shape[3]],
                mode: InterpolationMode.Bilinear, align_corners: false);
            var range = (up.max() - up.min()).item<float>();
            var mask = range > 0 ? (up - up.min()) / range : zeros_like(up);
            weights[c] = nn.functional.softmax(model.call(input * mask), 1)[0, k].item<float>() - baseline;
        }
        return tensor(weights);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ScoreCam_weights_equal_per_channel_loop(bool subtractBaseline)
    {
        // Five channels in batches of two: three batches, the last one short.
        using var model = CamModels.ConvPoolLinear(channels: 5);
        using var input = rand(1, 3, 8, 8);
        var result = new ScoreCam(model, "features", batchSize: 2, subtractBaseline: subtractBaseline).Explain(input, CamTarget.Class(1));
        Assert.True(result.Weights[0].allclose(PerChannelLoop(model, input, 1, subtractBaseline), rtol: 1e-4, atol: 1e-6));
    }

    [Fact]
    public void ScoreCam_upsamples_masks_from_a_smaller_layer()
    {
        using var model = nn.Sequential(
            ("features", nn.Sequential(("conv", nn.Conv2d(3, 4, 3, padding: 1)), ("relu", nn.ReLU()), ("pool", nn.MaxPool2d(2)))),
            ("gap", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()), ("fc", nn.Linear(4, 3)));
        using var input = rand(1, 3, 8, 8);
        var result = new ScoreCam(model, "features").Explain(input, CamTarget.Class(0));
        Assert.True(result.Weights[0].allclose(PerChannelLoop(model, input, 0, false), rtol: 1e-4, atol: 1e-6));
        Assert.Equal([1L, 8, 8], result.Maps.shape);
    }

    [Fact]
    public void Batch_size_follows_the_memory_budget()
    {
        // The largest layer output of ConvPoolLinear on 3×8×8 is the conv's (or its ReLU's) 5×8×8 floats = 1,280 bytes,
        // so a batch may take budget / (3 · 1,280) masked inputs, clamped to [1, channels].
        using var model = CamModels.ConvPoolLinear(channels: 5);
        using var image = rand(1, 3, 8, 8);
        Assert.Equal(2, ScoreCam.BatchSizeFor(model, image, channels: 5, budget: 3 * 1280 * 2 + 100));
        Assert.Equal(1, ScoreCam.BatchSizeFor(model, image, channels: 5, budget: 10));
        Assert.Equal(5, ScoreCam.BatchSizeFor(model, image, channels: 5, budget: 1L << 30));
        Assert.Equal(0, CamModels.ForwardHookCount(model));
    }

    [Fact]
    public void A_budgeted_batch_gives_the_per_channel_weights()
    {
        using var model = CamModels.ConvPoolLinear(channels: 5);
        using var input = rand(1, 3, 8, 8);
        var result = new ScoreCam(model, "features", memoryBudget: 3 * 1280 * 2).Explain(input, CamTarget.Class(2));
        Assert.True(result.Weights[0].allclose(PerChannelLoop(model, input, 2, false), rtol: 1e-4, atol: 1e-6));
    }
}
