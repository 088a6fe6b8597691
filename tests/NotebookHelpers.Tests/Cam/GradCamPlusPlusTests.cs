using NotebookHelpers.Cam;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Cam;

public class GradCamPlusPlusTests
{
    [Fact]
    public void GradCamPlusPlus_weights_on_a_hand_made_case()
    {
        // A = the 2x2 input (identity features), y_0 = mean-pool then W[0] = (4, -8, 0), so g = W[0, c] / 4 = (1, -2, 0)
        // everywhere. Channel 0: Σ A = 1+2+3+4 = 10, α = 1² / (2·1² + 10·1³) = 1/12, w = 4 positions · 1/12 · ReLU(1) = 1/3.
        // Channel 1: Σ A = 4, α = 4 / (2·4 + 4·(−8)) = −1/6, but ReLU(−2) = 0, so w = 0.
        // Channel 2: g = 0, the denominator is 0, α = 0, w = 0.
        using var model = CamModels.IdentityPoolLinear(new float[,] { { 4, -8, 0 }, { 1, 1, 1 } });
        using var input = tensor(new float[] { 1, 2, 3, 4, 1, 1, 1, 1, 5, 6, 7, 8 }).reshape(1, 3, 2, 2);
        var result = new GradCamPlusPlus(model, "features").Explain(input, CamTarget.Class(0));
        Assert.True(result.Weights.allclose(tensor(new[] { 1f / 3, 0, 0 }).unsqueeze(0), rtol: 1e-5, atol: 1e-7));
        // L = ReLU(1/3 · A_0) = (1, 2, 3, 4)/3, min-max -> (0, 1/3, 2/3, 1).
        Assert.True(result.Maps.allclose(tensor(new[] { 0f, 1f / 3, 2f / 3, 1 }).reshape(1, 2, 2), atol: 1e-6));
        Assert.False(result.Maps.isnan().any().item<bool>());
    }
}
