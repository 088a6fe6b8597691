using static TorchSharp.torch;

namespace NotebookHelpers.Cam;

/// <summary>
/// Score-CAM (Wang et al. 2020): no gradients. Each channel's activation, upsampled and min-max normalised,
/// H^k = s(Up(A^k)), masks the (normalised) input, and the channel weighs by the target's softmax score for it,
/// α^c_k = f^c(X ∘ H^k); with <see cref="SubtractBaseline"/> by the paper's channel-wise Increase of Confidence
/// α^c_k = f^c(X ∘ H^k) − f^c(X_b), with the baseline X_b = X ∘ 0 (a zero input). The map is
/// L^c = ReLU(Σ_k α^c_k A^k). The masked inputs go through the model in batches: of <c>batchSize</c> when one is
/// given, otherwise as many as fit <see cref="MemoryBudget"/> (<see cref="BatchSizeFor"/>).
/// </summary>
/// <param name="model">Any module from a batch (N, C, H, W) to scores (N, K).</param>
/// <param name="targetLayer">The module path of the layer whose channels mask the input.</param>
/// <param name="batchSize">Masked inputs per forward pass; null: bounded by <paramref name="memoryBudget"/>.</param>
/// <param name="subtractBaseline">The paper's baseline-subtracted weights instead of the article's plain scores.</param>
/// <param name="memoryBudget">Bytes the activations of one batch may take when the batch size is not given; 1 GiB by default.</param>
public class ScoreCam(nn.Module<Tensor, Tensor> model, string targetLayer, int? batchSize = null, bool subtractBaseline = false, long memoryBudget = ScoreCam.DefaultMemoryBudget)
    : CamBase(model, targetLayer)
{
    /// <summary>1 GiB: VGG16 at 224×224 takes about 39 MB of activations per masked input, so 27 go at once.</summary>
    public const long DefaultMemoryBudget = 1L << 30;

    /// <summary>The batch size given, or null when it follows from <see cref="MemoryBudget"/>.</summary>
    public int? BatchSize { get; } = batchSize is null or > 0 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size is at least 1.");

    /// <summary>The activation memory a batch of masked inputs may take when no batch size is given.</summary>
    public long MemoryBudget { get; } = memoryBudget > 0 ? memoryBudget : throw new ArgumentOutOfRangeException(nameof(memoryBudget), memoryBudget, "The budget is a positive number of bytes.");

    /// <summary>Whether the weights subtract the baseline's score (the paper) or not (the seed article).</summary>
    public bool SubtractBaseline { get; } = subtractBaseline;

    /// <summary>
    /// How many masked copies of <paramref name="image"/> (1, C, H, W) fit <paramref name="budget"/>: one probe pass
    /// records the largest output of any layer, and a batch may hold three of those per image (a layer's input, its
    /// output and the backend's workspace), at least 1 and at most <paramref name="channels"/>.
    /// </summary>
    public static int BatchSizeFor(nn.Module<Tensor, Tensor> model, Tensor image, long channels, long budget)
    {
        long largest = image.NumberOfElements * image.ElementSize;
        var hooks = model.named_modules().Select(m => m.module).OfType<nn.Module<Tensor, Tensor>>()
            .Select(m => m.register_forward_hook((_, _, output) =>
            {
                largest = Math.Max(largest, output.NumberOfElements * output.ElementSize);
                return output;
            })).ToList();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            model.call(image);
        }
        finally
        {
            foreach (var hook in hooks) hook.remove();
        }
        return (int)Math.Clamp(budget / (3 * largest), 1, Math.Max(1, channels));
    }

    private readonly Dictionary<(string Shape, long Channels), int> _automatic = [];

    /// <summary>The budget's batch size for this image shape, probed once per shape and channel count.</summary>
    private int AutomaticBatch(Tensor image, long channels)
    {
        var key = (string.Join("x", image.shape), channels);
        if (!_automatic.TryGetValue(key, out var batch)) _automatic[key] = batch = BatchSizeFor(Model, image, channels, MemoryBudget);
        return batch;
    }

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
        int batch = BatchSize ?? AutomaticBatch(image, channels);
        var scores = new List<Tensor>();
        for (long start = 0; start < channels; start += batch)
        {
            using var scope = NewDisposeScope();
            var length = Math.Min(batch, channels - start);
            var masks = MinMaxPerMap(Upsample(activations.narrow(0, start, length).unsqueeze(0), image.shape[2], image.shape[3]));
            var masked = image * masks.permute(1, 0, 2, 3);
            scores.Add(Softmaxed(masked, score).MoveToOuterDisposeScope());
        }
        var weights = cat(scores, 0);
        return SubtractBaseline ? weights - Softmaxed(zeros_like(image), score) : weights;
    }

    private Tensor Softmaxed(Tensor batch, Func<Tensor, Tensor> score) => score(nn.functional.softmax(Model.call(batch), 1));
}
