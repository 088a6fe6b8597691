using NotebookHelpers.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Core;

/// <summary>The loaded natives work end to end: tensors, autograd, an optimizer step; seeding repeats.</summary>
[Collection(nameof(GlobalRandomState))]
public class TorchRuntimeTests
{
    [Fact]
    public void Tensors_compute_on_the_chosen_device()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }, [2, 2], device: TorchRuntime.Device);
        using var product = a.matmul(a);
        // [[1,2],[3,4]]^2 = [[7,10],[15,22]]
        Assert.Equal(new float[] { 7, 10, 15, 22 }, product.cpu().data<float>().ToArray());
    }

    [Fact]
    public void Autograd_gives_the_analytic_gradient()
    {
        using var x = tensor(new float[] { 1, -2, 3 }, requires_grad: true);
        using var y = (x * x * x).sum(); // d/dx x^3 = 3x^2
        y.backward();
        Assert.Equal(new float[] { 3, 12, 27 }, x.grad!.data<float>().ToArray());
    }

    [Fact]
    public void An_optimizer_step_lowers_the_loss_of_a_linear_fit()
    {
        TorchRuntime.Seed(1);
        using var model = nn.Linear(3, 1);
        using var inputs = randn(64, 3);
        using var targets = inputs.matmul(tensor(new float[] { 2, -1, 0.5f }).reshape(3, 1)) + 0.3f;
        var optimizer = optim.SGD(model.parameters(), 0.1);
        float First() => nn.functional.mse_loss(model.forward(inputs), targets).item<float>();
        float before = First();
        for (int step = 0; step < 50; step++)
        {
            optimizer.zero_grad();
            using var loss = nn.functional.mse_loss(model.forward(inputs), targets);
            loss.backward();
            optimizer.step();
        }
        float after = First();
        Assert.True(after < before * 0.01f, $"loss {before} -> {after}");
    }

    [Fact]
    public void Seeding_repeats_random_draws()
    {
        TorchRuntime.Seed(42);
        var first = rand(5).data<float>().ToArray();
        TorchRuntime.Seed(42);
        var second = rand(5).data<float>().ToArray();
        Assert.Equal(first, second);
    }

    [Fact]
    public void Describe_names_the_versions_and_the_device()
    {
        var line = TorchRuntime.Describe();
        Assert.Contains("TorchSharp 0.107.0", line);
        Assert.Contains("libtorch 2.10", line);
        Assert.Contains(TorchRuntime.OnGpu ? "cuda" : "cpu", line);
    }
}
