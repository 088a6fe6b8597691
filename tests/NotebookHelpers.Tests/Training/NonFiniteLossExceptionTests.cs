using NotebookHelpers.Training;

namespace NotebookHelpers.Tests.Training;

public class NonFiniteLossExceptionTests
{
    [Fact]
    public void Message_names_the_loss_the_step_the_kind_and_the_last_finite_value()
    {
        var error = new NonFiniteLossException("d_loss", 42, double.PositiveInfinity, 0.6931);

        Assert.Equal("Loss 'd_loss' became +Inf at step 42 (last finite value 0.693). Lower the learning rate or check the inputs.", error.Message);
        Assert.Equal(0.6931, error.LastFiniteValue);
    }
}
