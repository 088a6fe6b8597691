using NotebookHelpers.Cam;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Cam;

public class CamDisplaysTests
{
    [Fact]
    public void Emphasized_is_the_articles_steep_sigmoid_through_one_half()
    {
        // 1 / (1 + exp(−50 (x − 0.5))): 0.5 -> 0.5; 0.52 -> 1 / (1 + e^−1) = 0.7311; 0 -> 1 / (1 + e^25) ≈ 1.4e−11.
        var emphasized = CamDisplays.Emphasized(tensor(new float[] { 0, 0.5f, 0.52f, 1 }).reshape(1, 2, 2));
        Assert.Equal([1L, 2, 2], emphasized.shape);
        var values = emphasized.flatten().data<float>().ToArray();
        Assert.Equal(0.5f, values[1]);
        Assert.Equal(1 / (1 + MathF.Exp(-1)), values[2], 1e-4f);
        Assert.True(values[0] < 1e-10f);
        Assert.Equal(1f, values[3], 1e-6f);
        Assert.Equal(2f, CamDisplays.Emphasized(tensor(0.5f), c: 4).item<float>());
    }

    /// <summary>One 4×4 image: columns 0 and 1 black, 2 and 3 white.</summary>
    private static Tensor VerticalStep() => tensor(new float[] { 0, 0, 1, 1 }).repeat(4).reshape(1, 1, 4, 4);

    [Fact]
    public void Sobel_of_a_vertical_step_edge_is_the_two_columns_beside_it()
    {
        // With the border replicated, Gx = (1 + 2 + 1) · (1 − 0) = 4 in columns 1 and 2, 0 in columns 0 and 3 (both
        // neighbours equal there); Gy = 0 everywhere. Min-max: (0, 1, 1, 0) in every row; times a map of ones.
        var edges = CamDisplays.SobelTimesCam(VerticalStep(), ones(1, 4, 4));
        var expected = tensor(new float[] { 0, 1, 1, 0 }).repeat(4).reshape(1, 4, 4);
        Assert.True(edges.allclose(expected), string.Join(", ", edges.flatten().data<float>().ToArray()));

        // Times the map: only where both the edge and the map are.
        var map = tensor(new float[] { 1, 1, 0.5f, 0.5f, 0, 0, 0, 0, 1, 1, 1, 1, 0.25f, 0.25f, 0.25f, 0.25f }).reshape(1, 4, 4);
        Assert.True(CamDisplays.SobelTimesCam(VerticalStep(), map).allclose(expected * map));
    }

    [Fact]
    public void Sobel_reads_an_rgb_image_through_its_luma_and_a_flat_image_has_no_edges()
    {
        // Equal channels: 0.299 + 0.587 + 0.114 = 1, so the grey image is the step itself.
        var rgb = VerticalStep().expand(1, 3, 4, 4);
        Assert.True(CamDisplays.SobelTimesCam(rgb, ones(1, 4, 4)).allclose(CamDisplays.SobelTimesCam(VerticalStep(), ones(1, 4, 4)), atol: 1e-6));
        // A step in blue alone is a step of 0.114 in grey: the same after the min-max.
        var blue = cat([zeros(1, 2, 4, 4), VerticalStep()], 1);
        Assert.True(CamDisplays.SobelTimesCam(blue, ones(1, 4, 4)).allclose(CamDisplays.SobelTimesCam(VerticalStep(), ones(1, 4, 4)), atol: 1e-5));
        var flat = CamDisplays.SobelTimesCam(full(1, 3, 4, 4, 0.7f), ones(1, 4, 4));
        Assert.True(flat.eq(0).all().item<bool>());
    }

    [Fact]
    public void Guided_multiplies_the_gradient_by_the_map_then_shows_it()
    {
        // Gradient (3, 5) times map (0, 1) = (0, 5): mean 2.5, std 2.5 -> (−1, 1) · 0.1 + 0.5 = (0.4, 0.6).
        var gradients = tensor(new float[] { 3, 5 }).reshape(1, 1, 1, 2);
        var maps = tensor(new float[] { 0, 1 }).reshape(1, 1, 2);
        var guided = CamDisplays.Guided(gradients, maps);
        Assert.Equal([1L, 1, 1, 2], guided.shape);
        Assert.True(guided.flatten().allclose(tensor(new float[] { 0.4f, 0.6f }), atol: 1e-5));
    }

    [Fact]
    public void Maps_of_another_size_are_refused_with_both_shapes()
    {
        var error = Assert.Throws<ArgumentException>(() => CamDisplays.SobelTimesCam(zeros(2, 3, 8, 8), zeros(2, 4, 4)));
        Assert.Contains("(2, 4, 4)", error.Message);
        Assert.Contains("(2, 8, 8)", error.Message);
    }
}
