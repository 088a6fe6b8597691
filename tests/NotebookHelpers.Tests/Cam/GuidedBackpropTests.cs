using NotebookHelpers.Cam;
using NotebookHelpers.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Cam;

public class GuidedBackpropTests
{
    /// <summary>
    /// x (3) -> fc1 -> ReLU -> fc2 (1 output), with fc1 rows r1 = (1, 0, 1), r2 = (2, −1, 0), r3 = (0, 1, 1), no biases,
    /// and fc2 = (1, −2, 5). At x = (2, 1, −1) the pre-activations are (1, 3, 0), so [pre > 0] = (1, 1, 0), and the
    /// gradient reaching the ReLU from above is fc2 = (1, −2, 5): unit 2 is a positive input with a negative gradient.
    /// </summary>
    private static nn.Module<Tensor, Tensor> LinearReluLinear(bool inplace)
    {
        var fc1 = nn.Linear(3, 3, hasBias: false);
        var fc2 = nn.Linear(3, 1, hasBias: false);
        using (no_grad())
        {
            fc1.weight!.copy_(tensor(new float[,] { { 1, 0, 1 }, { 2, -1, 0 }, { 0, 1, 1 } }));
            fc2.weight!.copy_(tensor(new float[,] { { 1, -2, 5 } }));
        }
        return nn.Sequential(("flatten", nn.Flatten()), ("fc1", fc1), ("relu", nn.ReLU(inplace)), ("fc2", fc2));
    }

    private static Tensor HandInput() => tensor(new float[] { 2, 1, -1 }).reshape(1, 3, 1, 1);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Guided_gradient_equals_the_hand_computation_where_the_plain_gradient_differs(bool inplace)
    {
        using var model = LinearReluLinear(inplace);
        // Plain: fc2 · [pre > 0] = (1, −2, 0), so ∂y/∂x = 1·r1 − 2·r2 = (−3, 2, 1).
        // Guided: fc2 · [pre > 0] · [fc2 > 0] = (1, 0, 0), so ∂y/∂x = r1 = (1, 0, 1). Unit 3 (pre = 0) is closed in both.
        var x = HandInput().requires_grad_(true);
        var plain = torch.autograd.grad([model.call(x).sum()], [x])[0];
        Assert.True(plain.flatten().allclose(tensor(new float[] { -3, 2, 1 })));

        var guided = new GuidedBackprop(model).Gradients(HandInput(), CamTarget.Class(0));

        Assert.Equal([1L, 3, 1, 1], guided.shape);
        Assert.True(guided.flatten().allclose(tensor(new float[] { 1, 0, 1 })), string.Join(", ", guided.flatten().data<float>().ToArray()));
    }

    [Fact]
    public void The_predicted_class_is_the_default_target()
    {
        using var model = CamModels.ConvPoolLinear();
        using var input = rand(1, 3, 8, 8);
        var predicted = (int)model.call(input).argmax(1).item<long>();
        var guided = new GuidedBackprop(model);
        Assert.True(guided.Gradients(input).eq(guided.Gradients(input, CamTarget.Class(predicted))).all().item<bool>());
        Assert.False(guided.Gradients(input).allclose(guided.Gradients(input, CamTarget.Class((predicted + 1) % 4))));
    }

    [Fact]
    public void The_model_keeps_its_modules_parameters_and_grads_and_holds_no_hook_after_use()
    {
        using var model = CamModels.ConvPoolLinear();
        model.train();
        var before = Snapshot(model);

        new GuidedBackprop(model).Gradients(rand(2, 3, 8, 8));

        AssertUnchanged(model, before);
        Assert.False(model.training);
    }

    [Fact]
    public void The_model_keeps_its_modules_and_holds_no_hook_after_it_throws()
    {
        using var model = nn.Sequential(("conv", nn.Conv2d(3, 4, 3, padding: 1)), ("relu", nn.ReLU()), ("boom", new Throwing()));
        var before = Snapshot(model);
        var error = Assert.Throws<InvalidOperationException>(() => new GuidedBackprop(model).Gradients(rand(1, 3, 8, 8)));
        Assert.Equal("boom", error.Message);
        AssertUnchanged(model, before);
    }

    [Fact]
    public void A_target_that_throws_leaves_no_hook_either()
    {
        using var model = CamModels.ConvPoolLinear(classes: 4);
        var before = Snapshot(model);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GuidedBackprop(model).Gradients(rand(1, 3, 8, 8), CamTarget.Class(7)));
        AssertUnchanged(model, before);
    }

    [Fact]
    public void A_model_without_a_relu_module_is_refused()
    {
        using var model = nn.Sequential(("flatten", nn.Flatten()), ("fc", nn.Linear(3, 2)));
        var error = Assert.Throws<ArgumentException>(() => new GuidedBackprop(model));
        Assert.Contains("no nn.ReLU module", error.Message);
    }

    [Fact]
    public void Guided_gradients_on_torchvision_vgg16_are_input_sized_finite_and_not_the_plain_gradient()
    {
        using var model = Backbones.Create(BackboneKind.Vgg16);
        using var input = rand(1, 3, 64, 64);
        var before = Snapshot(model);

        var guided = new GuidedBackprop(model).Gradients(input, CamTarget.Class(3));

        Assert.Equal([1L, 3, 64, 64], guided.shape);
        Assert.True(guided.isfinite().all().item<bool>());
        Assert.True(guided.abs().sum().item<float>() > 0);
        var x = input.clone().requires_grad_(true);
        var plain = torch.autograd.grad([model.call(x)[0, 3]], [x])[0];
        Assert.False(guided.allclose(plain));
        AssertUnchanged(model, before);
    }

    [Fact]
    public void On_torchvision_resnet50_the_49_relus_are_guided_the_block_ends_included_and_no_hook_stays()
    {
        // ResNet-50 applies 1 + 16 · 3 ReLUs: the stem's and two per bottleneck are nn.ReLU modules; the third of each
        // bottleneck is a functional relu_() at its end, guided by hooking the bottleneck itself. A probe on fc, the last
        // layer, sees which modules carry a hook while the pass runs.
        using var model = Backbones.Create(BackboneKind.ResNet50);
        var fc = (nn.Module<Tensor, Tensor>)CamModels.Layer(model, "fc");
        var hooked = new List<string>();
        var probe = fc.register_forward_hook((_, _, output) =>
        {
            hooked.AddRange(model.named_modules().Where(m => CamModels.ForwardHookCount(m.module) > 0 && m.module != fc).Select(m => m.name));
            return output;
        });
        Tensor guided;
        try
        {
            guided = new GuidedBackprop(model).Gradients(rand(1, 3, 64, 64));
        }
        finally
        {
            probe.remove();
        }
        Assert.Equal(49, hooked.Count);
        Assert.Equal(16, hooked.Count(name => System.Text.RegularExpressions.Regex.IsMatch(name, @"^layer\d\.\d+$")));
        Assert.Equal([1L, 3, 64, 64], guided.shape);
        Assert.True(guided.isfinite().all().item<bool>());
        Assert.All(model.named_modules(), m => Assert.Equal(0, CamModels.ForwardHookCount(m.module)));
    }

    [Fact]
    public void Displayable_standardises_each_image_and_clips_to_0_1()
    {
        // Image 0: columns alternately 0 and 2, mean 1, std 1 -> ±1 · 0.1 + 0.5 = (0.4, 0.6).
        // Image 1: one 1 among 99 zeros, mean 0.01, std √(0.01 − 0.0001) = 0.0995: the 1 is 9.95 std above, 1.49 -> 1;
        // a zero is 0.1005 std below, 0.48995. Both images share the batch but not the statistics.
        var first = tensor(new float[] { 0, 2 }).repeat(5).reshape(1, 1, 1, 10).expand(1, 1, 10, 10);
        var second = zeros(1, 1, 10, 10);
        second[0, 0, 9, 9] = tensor(1f);
        var display = GuidedBackprop.Displayable(cat([first, second], 0));
        Assert.Equal(0.4f, display[0, 0, 0, 0].item<float>(), 1e-5f);
        Assert.Equal(0.6f, display[0, 0, 0, 1].item<float>(), 1e-5f);
        Assert.Equal(1f, display[1, 0, 9, 9].item<float>());
        Assert.Equal(0.5f - 0.1f * 0.01f / MathF.Sqrt(0.0099f), display[1, 0, 0, 0].item<float>(), 1e-5f);
        Assert.Equal(0.5f, GuidedBackprop.Displayable(zeros(1, 3, 4, 4)).mean().item<float>());
    }

    private sealed record ModelSnapshot(List<(string Name, nn.Module Module)> Modules, List<(string Name, Tensor Parameter, Tensor Value)> Parameters);

    private static ModelSnapshot Snapshot(nn.Module model) => new(
        model.named_modules().ToList(),
        model.named_parameters().Select(p => (p.name, (Tensor)p.parameter, p.parameter.detach().clone())).ToList());

    /// <summary>The same module objects under the same names, the same parameter objects with the same values and no grad, and no hook.</summary>
    private static void AssertUnchanged(nn.Module model, ModelSnapshot before)
    {
        var modules = model.named_modules().ToList();
        Assert.Equal(before.Modules.Select(m => m.Name), modules.Select(m => m.name));
        Assert.All(before.Modules.Zip(modules), pair => Assert.Same(pair.First.Module, pair.Second.module));
        var parameters = model.named_parameters().ToList();
        Assert.Equal(before.Parameters.Count, parameters.Count);
        foreach (var ((name, parameter, value), now) in before.Parameters.Zip(parameters))
        {
            Assert.Equal(name, now.name);
            Assert.Same(parameter, now.parameter);
            Assert.True(now.parameter.requires_grad, name);
            Assert.True(now.parameter.grad is null, name);
            Assert.True(now.parameter.detach().eq(value).all().item<bool>(), name);
        }
        Assert.All(modules, m => Assert.Equal(0, CamModels.ForwardHookCount(m.module)));
    }
}
