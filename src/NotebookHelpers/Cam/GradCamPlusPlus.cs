using static TorchSharp.torch;

namespace NotebookHelpers.Cam;

/// <summary>
/// Grad-CAM++ (Chattopadhyay et al. 2018): the weights w^c_k = Σ_i Σ_j α^kc_ij ReLU(∂y^c/∂A^k_ij), with the
/// closed form the paper derives for an exponential output Y^c = exp(y^c) (§3.2), in terms of g = ∂y^c/∂A:
/// α^kc_ij = g²_ij / (2 g²_ij + Σ_a Σ_b A^k_ab g³_ij), and α = 0 where that denominator is 0. This is also what
/// pytorch-grad-cam computes.
/// </summary>
public sealed class GradCamPlusPlus(nn.Module<Tensor, Tensor> model, string targetLayer) : CamBase(model, targetLayer)
{
    protected override bool UsesGradients => true;

    protected override Tensor ChannelWeights(CamCapture capture)
    {
        var g = capture.Gradients!;
        var a = capture.Activations;
        var g2 = g * g;
        var denominator = 2 * g2 + a.sum([2, 3], keepdim: true) * g2 * g;
        var nonzero = denominator != 0;
        var alpha = where(nonzero, g2 / where(nonzero, denominator, ones_like(denominator)), zeros_like(g));
        return (alpha * nn.functional.relu(g)).sum([2, 3]);
    }
}
