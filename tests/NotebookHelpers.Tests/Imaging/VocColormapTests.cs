using NotebookHelpers.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Imaging;

public class VocColormapTests
{
    [Theory]
    // 15 = 0b00_001_111: bits 0,1,2 set the top bit of R,G,B (128 each), bit 3 the next bit of R (64) → (192,128,128).
    [InlineData(0, 0, 0, 0)]
    [InlineData(1, 128, 0, 0)]
    [InlineData(2, 0, 128, 0)]
    [InlineData(15, 192, 128, 128)]
    [InlineData(20, 0, 64, 128)]
    [InlineData(255, 224, 224, 192)]
    public void Colour_matches_the_PASCAL_VOC_palette(int index, byte red, byte green, byte blue)
    {
        Assert.Equal((red, green, blue), VocColormap.Colour(index));
    }

    [Fact]
    public void All_256_colours_differ_so_a_colour_names_one_index()
    {
        Assert.Equal(256, Enumerable.Range(0, 256).Select(VocColormap.Colour).Distinct().Count());
    }

    [Fact]
    public void Colorize_paints_each_id_with_its_colour_for_maps_and_batches()
    {
        var ids = torch.tensor(new long[] { 0, 15, 255, 1 }, [2, 2]);

        var single = VocColormap.Colorize(ids);
        var batch = VocColormap.Colorize(ids.unsqueeze(0).expand(3, 2, 2));

        Assert.Equal([3L, 2, 2], single.shape);
        Assert.Equal([3L, 3, 2, 2], batch.shape);
        // Pixel (0,1) is class 15: (192,128,128).
        Assert.Equal(new[] { 192f / 255, 128f / 255, 128f / 255 }, single[.., 0, 1].contiguous().data<float>().ToArray());
        Assert.True(Tensors.Identical(single, batch[2]));
    }

    [Fact]
    public void Colorize_refuses_float_maps()
    {
        Assert.Contains("Float32", Assert.Throws<ArgumentException>(() => VocColormap.Colorize(torch.zeros(2, 2))).Message);
    }
}
