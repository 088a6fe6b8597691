using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace NotebookHelpers.Papers.SalGan;

/// <summary>SalGAN's losses (§3.1–3.2), each a mean over the batch.</summary>
public static class SalGanLoss
{
    /// <summary>
    /// Content loss BCE/4 (§3.1): binary cross-entropy between the predicted map Ŝ and the ground truth S after both
    /// are downsampled by <paramref name="pooling"/>×<paramref name="pooling"/> average pooling,
    /// L_BCE = −(1/N) Σ_j [S_j log Ŝ_j + (1 − S_j) log(1 − Ŝ_j)] over the pooled pixels j.
    /// </summary>
    public static Tensor Content(Tensor predicted, Tensor target, int pooling = 4)
    {
        var p = pooling > 1 ? avg_pool2d(predicted, pooling) : predicted;
        var t = pooling > 1 ? avg_pool2d(target, pooling) : target;
        return binary_cross_entropy(p, t);
    }

    /// <summary>
    /// The generator's loss in adversarial training (§3.2, Eq. 4): L = α·L_BCE − log D(I, Ŝ), the second term the
    /// mean over the batch of −log of the discriminator's belief that the predicted map is real.
    /// </summary>
    public static Tensor Generator(Tensor contentLoss, Tensor fakeScore, double alpha) =>
        alpha * contentLoss + binary_cross_entropy(fakeScore, ones_like(fakeScore));

    /// <summary>
    /// The discriminator's loss (§3.2, Eq. 3): L_D = −log D(I, S) − log(1 − D(I, Ŝ)), each term a mean over the batch:
    /// binary cross-entropy with target <paramref name="realLabel"/> (1 in the paper; less is one-sided label
    /// smoothing) on ground-truth pairs and 0 on predicted ones.
    /// </summary>
    public static Tensor Discriminator(Tensor realScore, Tensor fakeScore, double realLabel = 1.0) =>
        binary_cross_entropy(realScore, full_like(realScore, realLabel)) + binary_cross_entropy(fakeScore, zeros_like(fakeScore));
}
