using NotebookHelpers.Training;
using TorchSharp;

namespace NotebookHelpers.Tests.Training;

public class LossGuardTests
{
    // Each test uses its own loss names: the last finite value per name is process-wide and tests run in parallel.

    [Fact]
    public void Finite_loss_passes_and_returns_its_value()
    {
        Assert.Equal(0.25f, LossGuard.Check(torch.tensor(0.25f), step: 1, name: "finite_loss"));
    }

    [Fact]
    public void NaN_loss_throws_with_name_step_and_last_finite_value()
    {
        LossGuard.Check(torch.tensor(0.731f), step: 1233, name: "g_loss_nan_test");

        var error = Assert.Throws<NonFiniteLossException>(() => LossGuard.Check(torch.tensor(float.NaN), step: 1234, name: "g_loss_nan_test"));

        Assert.Equal("Loss 'g_loss_nan_test' became NaN at step 1234 (last finite value 0.731). Lower the learning rate or check the inputs.", error.Message);
        Assert.Equal(1234, error.Step);
        Assert.Equal("g_loss_nan_test", error.Name);
        Assert.True(double.IsNaN(error.Value));
        Assert.Equal(0.731, error.LastFiniteValue!.Value, 6);
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    public void Infinite_loss_throws(double value, string shown)
    {
        var name = "inf_test_" + shown;
        LossGuard.Check(torch.tensor(2.5, torch.float64), step: 9, name: name);

        var error = Assert.Throws<NonFiniteLossException>(() => LossGuard.Check(torch.tensor(value, torch.float64), step: 10, name: name));

        Assert.Contains($"'{name}' became {shown} at step 10 (last finite value 2.5)", error.Message);
        Assert.Equal(value, error.Value);
    }

    [Fact]
    public void First_value_non_finite_says_there_was_no_finite_value()
    {
        var error = Assert.Throws<NonFiniteLossException>(() => LossGuard.Check(double.NaN, step: 0, name: "never_finite"));

        Assert.Null(error.LastFiniteValue);
        Assert.Contains("(no finite value before)", error.Message);
    }

    [Fact]
    public void Non_scalar_loss_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => LossGuard.Check(torch.ones(2), step: 0, name: "vector_loss"));
    }
}
