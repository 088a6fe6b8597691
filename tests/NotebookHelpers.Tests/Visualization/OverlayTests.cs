using NotebookHelpers.Visualization;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Visualization;

public class OverlayTests
{
    static Tensor Image() => linspace(0, 1, 3 * 4 * 4).view(3, 4, 4);

    [Fact]
    public void Alpha_zero_returns_the_image()
    {
        var image = Image();

        var blended = Overlay.Heatmap(image, rand(4, 4), alpha: 0);

        Assert.True(blended.allclose(image, rtol: 0, atol: 1e-7));
    }

    [Fact]
    public void Alpha_one_returns_jet_of_the_min_max_normalised_map()
    {
        var map = tensor(new[] { 2f, 3f, 4f, 6f }).view(2, 2).repeat_interleave(2, 0).repeat_interleave(2, 1); // 4x4, range [2, 6]

        var blended = Overlay.Heatmap(Image(), map, alpha: 1);

        Assert.True(blended.allclose(Colormaps.Apply((map - 2) / 4), rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void A_smaller_map_is_resized_bilinearly_to_the_image()
    {
        var map = tensor(new[] { 0f, 1f, 0f, 1f }).view(1, 2, 2);   // left column 0, right column 1

        var blended = Overlay.Heatmap(Image(), map, alpha: 1);

        Assert.Equal([3L, 4, 4], blended.shape);
        // Without corner alignment the outermost output pixels sample the input's edge values exactly.
        Assert.Equal([0f, 0f, 0.5f], blended[.., 0, 0].data<float>().ToArray());   // jet(0)
        Assert.Equal([0.5f, 0f, 0f], blended[.., 3, 3].data<float>().ToArray());   // jet(1)
    }

    [Fact]
    public void Batched_images_and_maps_equal_the_per_image_overlays()
    {
        var images = rand(2, 3, 6, 6);
        var maps = rand(2, 1, 3, 3);

        var blended = Overlay.Heatmap(images, maps, alpha: 0.4);

        Assert.True(blended[0].allclose(Overlay.Heatmap(images[0], maps[0], alpha: 0.4), rtol: 0, atol: 1e-6));
        Assert.True(blended[1].allclose(Overlay.Heatmap(images[1], maps[1], alpha: 0.4), rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void A_map_that_does_not_fit_the_batch_is_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => Overlay.Heatmap(rand(2, 3, 4, 4), rand(3, 1, 4, 4)));
        Assert.Throws<ArgumentException>(() => Overlay.Heatmap(rand(4, 4), rand(4, 4)));
    }
}
