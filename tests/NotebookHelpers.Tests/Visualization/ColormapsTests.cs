using NotebookHelpers.Tests.Training;
using NotebookHelpers.Visualization;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Visualization;

public class ColormapsTests
{
    // From r = clamp(1.5 - |4x - 3|), g = clamp(1.5 - |4x - 2|), b = clamp(1.5 - |4x - 1|), clamped to [0, 1]:
    //   x = 0:     r = 1.5 - 3   < 0, g = 1.5 - 2   < 0, b = 1.5 - 1   = 0.5  → (0, 0, 0.5)  dark blue
    //   x = 0.125: r = 1.5 - 2.5 < 0, g = 1.5 - 1.5 = 0, b = 1.5 - 0.5 = 1    → (0, 0, 1)    blue
    //   x = 0.375: r = 1.5 - 1.5 = 0, g = 1.5 - 0.5 = 1, b = 1.5 - 0.5 = 1    → (0, 1, 1)    cyan
    //   x = 0.5:   r = 1.5 - 1   = .5, g = 1.5 - 0  > 1, b = 1.5 - 1 = 0.5    → (0.5, 1, 0.5)
    //   x = 0.625: r = 1.5 - 0.5 = 1, g = 1.5 - 0.5 = 1, b = 1.5 - 1.5 = 0    → (1, 1, 0)    yellow
    //   x = 0.875: r = 1.5 - 0.5 = 1, g = 1.5 - 1.5 = 0, b = 1.5 - 2.5 < 0    → (1, 0, 0)    red
    //   x = 1:     r = 1.5 - 1   = .5, g = 1.5 - 2  < 0, b = 1.5 - 3   < 0    → (0.5, 0, 0)  dark red
    [Theory]
    [InlineData(0.0, 0.0, 0.0, 0.5)]
    [InlineData(0.125, 0.0, 0.0, 1.0)]
    [InlineData(0.375, 0.0, 1.0, 1.0)]
    [InlineData(0.5, 0.5, 1.0, 0.5)]
    [InlineData(0.625, 1.0, 1.0, 0.0)]
    [InlineData(0.875, 1.0, 0.0, 0.0)]
    [InlineData(1.0, 0.5, 0.0, 0.0)]
    public void Jet_has_the_known_colours(double x, double r, double g, double b)
    {
        var rgb = Colormaps.Apply(full(1, 1, x), Colormap.Jet).flatten().data<float>().ToArray();

        Assert.Equal([(float)r, (float)g, (float)b], rgb);
    }

    [Fact]
    public void Values_outside_zero_one_are_clamped()
    {
        var rgb = Colormaps.Apply(tensor(new[] { -3f, 7f }).view(1, 2));

        TensorAssert.Same(Colormaps.Apply(tensor(new[] { 0f, 1f }).view(1, 2)), rgb);
    }

    [Fact]
    public void Shapes_map_to_three_channels()
    {
        Assert.Equal([3L, 4, 5], Colormaps.Apply(rand(4, 5)).shape);
        Assert.Equal([3L, 4, 5], Colormaps.Apply(rand(1, 4, 5)).shape);
        Assert.Equal([2L, 3, 4, 5], Colormaps.Apply(rand(2, 1, 4, 5)).shape);
        Assert.Throws<ArgumentException>(() => Colormaps.Apply(rand(3, 4, 5)));
    }

    [Fact]
    public void Batched_maps_equal_the_maps_coloured_one_by_one()
    {
        var maps = linspace(0, 1, 2 * 3 * 4).view(2, 1, 3, 4);

        var batched = Colormaps.Apply(maps);

        TensorAssert.Same(Colormaps.Apply(maps[0]), batched[0]);
        TensorAssert.Same(Colormaps.Apply(maps[1]), batched[1]);
    }

    [Fact]
    public void Gray_repeats_the_value_in_every_channel()
    {
        var rgb = Colormaps.Apply(tensor(new[] { 0.25f }).view(1, 1), Colormap.Gray);

        Assert.Equal([0.25f, 0.25f, 0.25f], rgb.flatten().data<float>().ToArray());
    }

    [Fact]
    public void Normalize_stretches_each_map_of_a_batch_to_zero_one_and_a_constant_map_to_zero()
    {
        // Map 0: 2..6 → (v − 2)/4; map 1 is constant → 0.
        var maps = tensor(new float[] { 2, 4, 6, 3, 3, 3 }).reshape(2, 1, 1, 3);
        var normalized = Colormaps.Normalize(maps);
        Assert.Equal(new float[] { 0, 0.5f, 1, 0, 0, 0 }, normalized.data<float>().ToArray());
        var coloured = Colormaps.Apply(maps, normalize: true);
        Assert.True(coloured.allclose(Colormaps.Apply(normalized)));
    }
}
