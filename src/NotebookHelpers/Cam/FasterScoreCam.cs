using static TorchSharp.torch;

namespace NotebookHelpers.Cam;

/// <summary>
/// Faster Score-CAM (the seed article's trick): Score-CAM on only the <see cref="MaxChannels"/> channels whose
/// activation maps A^k have the largest variance over their positions; the other channels weigh 0. With
/// <see cref="MaxChannels"/> at least the channel count it is Score-CAM.
/// </summary>
public sealed class FasterScoreCam(nn.Module<Tensor, Tensor> model, string targetLayer, int maxChannels = 10, int? batchSize = null, bool subtractBaseline = false, long memoryBudget = ScoreCam.DefaultMemoryBudget)
    : ScoreCam(model, targetLayer, batchSize, subtractBaseline, memoryBudget)
{
    /// <summary>How many channels are scored (the article's N; 10 by default).</summary>
    public int MaxChannels { get; } = maxChannels > 0 ? maxChannels : throw new ArgumentOutOfRangeException(nameof(maxChannels), maxChannels, "At least one channel is scored.");

    protected override Tensor ImageWeights(CamCapture capture, int i)
    {
        var activations = capture.Activations[i];
        var channels = activations.shape[0];
        if (MaxChannels >= channels) return base.ImageWeights(capture, i);
        var kept = TopVarianceChannels(activations, MaxChannels);
        var scores = ChannelScores(capture.Input.narrow(0, i, 1), activations.index_select(0, kept), capture.Scorers[i]);
        return zeros(channels, dtype: scores.dtype, device: scores.device).index_copy_(0, kept, scores);
    }

    /// <summary>The indices, ascending, of the <paramref name="count"/> channels of (K, h, w) with the largest variance.</summary>
    internal static Tensor TopVarianceChannels(Tensor activations, int count) =>
        activations.flatten(1).var(1, unbiased: false).topk(count).indexes.sort().Values;
}
