using static TorchSharp.torch;

namespace NotebookHelpers.Cam;

/// <summary>
/// Score-CAM (Wang et al. 2020): no gradients. Each channel's activation, upsampled and min-max normalised,
/// H^k = s(Up(A^k)), masks the (normalised) input, and the channel weighs by the target's softmax score for it,
/// α^c_k = f^c(X ∘ H^k); with <see cref="SubtractBaseline"/> by the paper's channel-wise Increase of Confidence
/// α^c_k = f^c(X ∘ H^k) − f^c(X_b), with the baseline X_b = X ∘ 0 (a zero input). The map is
/// L^c = ReLU(Σ_k α^c_k A^k). Masked inputs are scored <see cref="BatchSize"/> at a time.
/// </summary>
public class ScoreCam(nn.Module<Tensor, Tensor> model, string targetLayer, int batchSize = 32, bool subtractBaseline = false)
    : CamBase(model, targetLayer)
{
    /// <summary>How many masked inputs go through the model at once (bounded by memory).</summary>
    public int BatchSize { get; } = batchSize > 0 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size is at least 1.");

    /// <summary>Whether the weights subtract the baseline's score (the paper) or not (the seed article).</summary>
    public bool SubtractBaseline { get; } = subtractBaseline;

    protected override Tensor ChannelWeights(CamCapture capture)
    {
        using var noGrad = no_grad();
        var n = capture.Input.shape[0];
        return stack(Enumerable.Range(0, (int)n).Select(i => ImageWeights(capture, i)).ToList());
    }

    /// <summary>The weights (K) of image <paramref name="i"/>; every channel scored here.</summary>
    protected virtual Tensor ImageWeights(CamCapture capture, int i) =>
        ChannelScores(capture.Input.narrow(0, i, 1), capture.Activations[i], capture.Scorers[i]);

    /// <summary>α_k = f(X ∘ s(Up(A^k))) (− f(X_b)) for the channels <paramref name="activations"/> (K, h, w) of one image (1, C, H, W).</summary>
    protected Tensor ChannelScores(Tensor image, Tensor activations, Func<Tensor, Tensor> score)
    {
        var channels = activations.shape[0];
        var scores = new List<Tensor>();
        for (long start = 0; start < channels; start += BatchSize)
        {
            using var scope = NewDisposeScope();
            var length = Math.Min(BatchSize, channels - start);
            var masks = MinMaxPerMap(Upsample(activations.narrow(0, start, length).unsqueeze(0), image.shape[2], image.shape[3]));
            var masked = image * masks.permute(1, 0, 2, 3);
            scores.Add(Softmaxed(masked, score).MoveToOuterDisposeScope());
        }
        var weights = cat(scores, 0);
        return SubtractBaseline ? weights - Softmaxed(zeros_like(image), score) : weights;
    }

    private Tensor Softmaxed(Tensor batch, Func<Tensor, Tensor> score) => score(nn.functional.softmax(Model.call(batch), 1));
}
