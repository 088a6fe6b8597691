using NotebookHelpers.Core;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Core;

public class ShapesTests
{
    [Fact]
    public void A_shape_is_written_as_the_messages_name_expected_ones()
    {
        Assert.Equal("(2,3,4)", Shapes.Format(zeros(2, 3, 4)));
        Assert.Equal("()", Shapes.Format(tensor(1f)));
        Assert.Equal("(5)", Shapes.Format([5L]));
    }
}
