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
}
