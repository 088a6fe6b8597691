using NotebookHelpers.Cam;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Cam;

public class GradCamTests
{
    [Fact]
    public void GradCam_equals_its_definition_on_conv_pool_linear()
    {
        // ∂y_k/∂A_c = W[k, c] / (h w) everywhere, so α_c = W[k, c] / (h w) (eq. 1) and L = ReLU(Σ_c α_c A_c) (eq. 2);
        // the features keep the input's 8x8, so upsampling is the identity and only the min-max remains.
        using var model = CamModels.ConvPoolLinear();
        using var input = rand(1, 3, 8, 8);
        const int k = 2;
        var result = new GradCam(model, "features").Explain(input, CamTarget.Class(k));

        var features = (nn.Module<Tensor, Tensor>)CamModels.Layer(model, "features");
        var a = features.call(input).detach();
        var w = ((TorchSharp.Modules.Linear)CamModels.Layer(model, "fc")).weight!.detach();
        var alpha = w[k] / 64f;
        var cam = nn.functional.relu((alpha.reshape(1, 5, 1, 1) * a).sum(1))[0];
        var expected = (cam - cam.min()) / (cam.max() - cam.min());

        Assert.True(result.Weights[0].allclose(alpha, rtol: 1e-5, atol: 1e-7));
        Assert.Equal([1L, 8, 8], result.Maps.shape);
        Assert.True(result.Maps[0].allclose(expected, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void GradCam_differentiates_the_logit_and_leaves_grad_flags_and_mode_as_they_were()
    {
        using var model = CamModels.ConvPoolLinear();
        model.train();
        using var input = rand(1, 3, 8, 8);
        var result = new GradCam(model, "features").Explain(input, CamTarget.Class(0));
        var w = ((TorchSharp.Modules.Linear)CamModels.Layer(model, "fc")).weight!;
        Assert.True(result.Weights[0].allclose(w.detach()[0] / 64f, rtol: 1e-5, atol: 1e-7)); // the logit's, not softmax's
        Assert.False(input.requires_grad);
        Assert.All(model.parameters(), p => Assert.True(p.requires_grad));
        Assert.All(model.parameters(), p => Assert.True(p.grad is null));
        Assert.False(model.training);
    }

    [Fact]
    public void The_predicted_class_is_the_default_target()
    {
        using var model = CamModels.ConvPoolLinear();
        using var input = rand(1, 3, 8, 8);
        var predicted = (int)model.call(input).argmax(1).item<long>();
        var cam = new GradCam(model, "features");
        Assert.True(cam.Explain(input).Weights.eq(cam.Explain(input, CamTarget.Class(predicted)).Weights).all().item<bool>());
        var other = (predicted + 1) % 4;
        Assert.False(cam.Explain(input).Weights.allclose(cam.Explain(input, CamTarget.Class(other)).Weights));
    }

    [Fact]
    public void A_function_target_scores_the_raw_output()
    {
        using var model = CamModels.ConvPoolLinear();
        using var input = rand(1, 3, 8, 8);
        var cam = new GradCam(model, "features");
        var byFunction = cam.Explain(input, CamTarget.Of(o => o[.., 1] + o[.., 3])).Weights;
        var sum = cam.Explain(input, CamTarget.Class(1)).Weights + cam.Explain(input, CamTarget.Class(3)).Weights;
        Assert.True(byFunction.allclose(sum, rtol: 1e-5, atol: 1e-7));
    }
}

public class CamTargetClassesTests
{
    [Fact]
    public void One_class_per_image_equals_each_image_explained_for_its_class()
    {
        using var model = CamModels.ConvPoolLinear(channels: 5);
        using var input = rand(2, 3, 8, 8);
        var both = new GradCam(model, "features").Maps(input, CamTarget.Classes([0, 2]));
        var first = new GradCam(model, "features").Maps(input.narrow(0, 0, 1), CamTarget.Class(0));
        var second = new GradCam(model, "features").Maps(input.narrow(0, 1, 1), CamTarget.Class(2));
        Assert.True(both[0].allclose(first[0], atol: 1e-6));
        Assert.True(both[1].allclose(second[0], atol: 1e-6));
        Assert.Throws<ArgumentException>(() => new GradCam(model, "features").Maps(input, CamTarget.Classes([1])));
    }
}
