using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NotebookHelpers.Papers.Glcic;

/// <summary>The losses of §3.3 of the paper.</summary>
public static class GlcicLoss
{
    /// <summary>
    /// The weighted mean squared error of §3.3, L(x, M_c) = ‖M_c ⊙ (C(x, M_c) − x)‖², taken as a mean over the hole's
    /// pixels and channels, so that its scale does not depend on the hole's size (the paper writes the squared norm;
    /// a mean keeps α meaningful at every image size). Pixels outside the hole do not count: the completed image takes
    /// them from the input.
    /// </summary>
    /// <param name="completed">The network's output C(x, M_c), (N,3,H,W).</param>
    /// <param name="original">The image x, (N,3,H,W).</param>
    /// <param name="masks">M_c, (N,1,H,W), 1 in the hole.</param>
    public static Tensor HoleMse(Tensor completed, Tensor original, Tensor masks)
    {
        var squared = (completed - original).square() * masks;
        var count = masks.sum() * completed.shape[1];
        return squared.sum() / count.clamp_min(1);
    }

    /// <summary>
    /// The discriminators' side of the GAN loss of §3.3, max_D E[log D(x, M_d) + log(1 − D(C(x, M_c), M_c))], as a
    /// loss to minimise: binary cross-entropy of real pairs against 1 and completed ones against 0, on logits.
    /// </summary>
    public static Tensor Discriminator(Tensor realLogits, Tensor fakeLogits) =>
        functional.binary_cross_entropy_with_logits(realLogits, ones_like(realLogits))
        + functional.binary_cross_entropy_with_logits(fakeLogits, zeros_like(fakeLogits));

    /// <summary>
    /// The completion network's side of the GAN loss, −log D(C(x, M_c), M_c): the non-saturating form of
    /// min_C log(1 − D(C(x, M_c), M_c)) (Goodfellow et al., 2014, §3), which has the same fixed point and does not
    /// vanish while the discriminators still win easily.
    /// </summary>
    public static Tensor Adversarial(Tensor fakeLogits) =>
        functional.binary_cross_entropy_with_logits(fakeLogits, ones_like(fakeLogits));

    /// <summary>
    /// The joint objective of §3.3 for the completion network, L(x, M_c) + α·(−log D(C(x, M_c), M_c)), with
    /// α = 0.0004 in the paper (<see cref="GlcicTrainingConfig.Alpha"/>).
    /// </summary>
    public static Tensor Joint(Tensor holeMse, Tensor fakeLogits, double alpha) => holeMse + alpha * Adversarial(fakeLogits);

    /// <summary>The share of real pairs the discriminators call real and completed ones they call completed (logit sign).</summary>
    public static double Accuracy(Tensor realLogits, Tensor fakeLogits)
    {
        using var scope = NewDisposeScope();
        var right = (realLogits > 0).sum() + (fakeLogits <= 0).sum();
        return right.item<long>() / (double)(realLogits.shape[0] + fakeLogits.shape[0]);
    }
}
