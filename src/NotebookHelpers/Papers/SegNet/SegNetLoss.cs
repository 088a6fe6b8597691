using NotebookHelpers.Metrics;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace NotebookHelpers.Papers.SegNet;

/// <summary>
/// SegNet's training loss (§4.1): pixel-wise cross-entropy over the labelled pixels, optionally with median frequency
/// balancing (Eigen and Fergus, 2015), which the paper uses on CamVid because small classes (pole, sign, pedestrian)
/// cover a few per cent of the pixels and would otherwise be ignored by a network that gets the road right.
/// </summary>
public static class SegNetLoss
{
    /// <summary>
    /// Mean cross-entropy of <paramref name="logits"/> (N,C,H,W) against <paramref name="labels"/> (N,H,W, int64) over
    /// the pixels whose label is not <paramref name="ignore"/>; with <paramref name="weights"/> (C) each pixel counts
    /// with its class's weight and the mean divides by the sum of the weights (libtorch's weighted mean, as Caffe's
    /// SoftmaxWithLoss normalises).
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor labels, int? ignore = null, Tensor? weights = null)
    {
        if (logits.dim() != 4 || labels.dim() != 3 || logits.shape[0] != labels.shape[0] || logits.shape[2] != labels.shape[1] || logits.shape[3] != labels.shape[2])
            throw new ArgumentException($"Expected scores (N,C,H,W) and labels (N,H,W) of one size; got {string.Join('×', logits.shape)} and {string.Join('×', labels.shape)}.");
        return F.cross_entropy(logits, labels, weight: weights, ignore_index: ignore ?? -100);
    }

    /// <summary>
    /// Median frequency balancing: weight_c = median_freq / freq_c, where freq_c is the number of pixels of class c
    /// divided by the number of labelled pixels in the images where c is present, and median_freq the median of the
    /// freq_c of the classes that occur. Pixels labelled <paramref name="ignore"/> (or ≥ <paramref name="classes"/>)
    /// are not labelled pixels: they count neither for a class nor for an image's total. A class that never occurs
    /// gets weight 0 (no pixel of the set can call on it).
    /// </summary>
    /// <param name="labels">The training set's label maps (N,H,W) or any iterable of them, int64.</param>
    /// <param name="classes">The number of classes.</param>
    /// <param name="ignore">The label of unlabelled pixels, or null.</param>
    public static double[] MedianFrequencyWeights(IEnumerable<Tensor> labels, int classes, int? ignore = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        var classPixels = new double[classes];
        var imagePixels = new double[classes];
        foreach (var batch in labels)
        {
            using var scope = NewDisposeScope();
            var maps = batch.dim() == 2 ? batch.unsqueeze(0) : batch;
            foreach (var map in maps.unbind(0))
            {
                var ids = map.masked_select(SegmentationMetrics.LabelledPixels(map, classes, ignore));
                var counts = bincount(ids, minlength: classes).to(float64).data<double>().ToArray();
                double labelled = counts.Sum();
                for (int c = 0; c < classes; c++)
                {
                    if (counts[c] == 0) continue;
                    classPixels[c] += counts[c];
                    imagePixels[c] += labelled;
                }
            }
        }
        var frequency = Enumerable.Range(0, classes).Select(c => imagePixels[c] > 0 ? classPixels[c] / imagePixels[c] : double.NaN).ToArray();
        var present = frequency.Where(f => !double.IsNaN(f)).Order().ToArray();
        if (present.Length == 0)
            throw new ArgumentException("No labelled pixel in the set: median frequency weights need at least one.", nameof(labels));
        double median = present.Length % 2 == 1 ? present[present.Length / 2] : (present[present.Length / 2 - 1] + present[present.Length / 2]) / 2;
        return [.. frequency.Select(f => double.IsNaN(f) ? 0 : median / f)];
    }
}
