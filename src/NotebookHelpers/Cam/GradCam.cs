using static TorchSharp.torch;

namespace NotebookHelpers.Cam;

/// <summary>
/// Grad-CAM (Selvaraju et al. 2017): each channel weighs by the spatial mean of the target logit's gradient,
/// eq. (1) α^c_k = (1/Z) Σ_i Σ_j ∂y^c/∂A^k_ij, and the map is eq. (2) L^c = ReLU(Σ_k α^c_k A^k).
/// </summary>
public sealed class GradCam(nn.Module<Tensor, Tensor> model, string targetLayer) : CamBase(model, targetLayer)
{
    protected override bool UsesGradients => true;

    protected override Tensor ChannelWeights(CamCapture capture) => capture.Gradients!.mean([2, 3]);
}
