using NotebookHelpers.Imaging;
using NotebookHelpers.Tests.Training;
using NotebookHelpers.Visualization;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Visualization;

public class PalettesTests
{
    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(1, 128, 0, 0)]        // bit 0 → red bit 7
    [InlineData(2, 0, 128, 0)]
    [InlineData(4, 0, 0, 128)]
    [InlineData(15, 192, 128, 128)]   // 0b001_111: 128 to each channel, then bit 3 → red bit 6
    [InlineData(255, 224, 224, 192)]  // 0b11_111_111: 128, then 64, then bits 6,7 → red and green bit 5
    public void Voc_colours_interleave_the_bits_of_the_id(int id, int r, int g, int b)
    {
        Assert.Equal(((byte)r, (byte)g, (byte)b), VocColormap.Colour(id));
    }

    [Fact]
    public void Voc_palette_has_21_classes_and_255_as_void()
    {
        var voc = Palettes.PascalVoc;

        Assert.Equal(21, voc.ClassCount);
        Assert.Equal("person", voc.ClassNames[15]);
        Assert.Equal(((byte)192, (byte)128, (byte)128), voc.ColorOf(15));
        Assert.Equal(((byte)224, (byte)224, (byte)192), voc.ColorOf(255));
    }

    [Fact]
    public void CamVid_uses_the_SegNet_colours()
    {
        var camvid = Palettes.CamVid;
        (string, byte, byte, byte)[] expected =
        [
            ("Sky", 128, 128, 128), ("Building", 128, 0, 0), ("Pole", 192, 192, 128), ("Road", 128, 64, 128),
            ("Pavement", 60, 40, 222), ("Tree", 128, 128, 0), ("SignSymbol", 192, 128, 128), ("Fence", 64, 64, 128),
            ("Car", 64, 0, 128), ("Pedestrian", 64, 64, 0), ("Bicyclist", 0, 128, 192),
        ];

        Assert.Equal(expected, camvid.ClassNames.Select((name, id) => (name, camvid.Colors[id, 0], camvid.Colors[id, 1], camvid.Colors[id, 2])));
        Assert.Equal(11, camvid.IgnoreIndex);
        Assert.Equal(((byte)0, (byte)0, (byte)0), camvid.ColorOf(11));
    }

    [Fact]
    public void Cityscapes_has_19_train_ids_with_the_official_colours()
    {
        var cityscapes = Palettes.Cityscapes;

        Assert.Equal(19, cityscapes.ClassCount);
        Assert.Equal(((byte)128, (byte)64, (byte)128), cityscapes.ColorOf(0));    // road
        Assert.Equal(((byte)220, (byte)20, (byte)60), cityscapes.ColorOf(11));    // person
        Assert.Equal(((byte)119, (byte)11, (byte)32), cityscapes.ColorOf(18));    // bicycle
        Assert.Equal(255, cityscapes.IgnoreIndex);
    }

    [Fact]
    public void Colorize_gives_each_pixel_its_class_colour_divided_by_255()
    {
        var ids = tensor(new long[] { 0, 1, 255, 15 }).view(2, 2);

        var rgb = Palettes.PascalVoc.Colorize(ids);

        Assert.Equal([3L, 2, 2], rgb.shape);
        float[] expected =
        [
            0, 128 / 255f, 224 / 255f, 192 / 255f,   // red of ids 0, 1, 255, 15
            0, 0, 224 / 255f, 128 / 255f,            // green
            0, 0, 192 / 255f, 128 / 255f,            // blue
        ];
        Assert.Equal(expected, rgb.flatten().data<float>().ToArray());
    }

    [Fact]
    public void Colorize_handles_a_batch()
    {
        var ids = tensor(new long[] { 0, 3, 11, 10 }).view(2, 1, 2);

        var rgb = Palettes.CamVid.Colorize(ids);

        Assert.Equal([2L, 3, 1, 2], rgb.shape);
        TensorAssert.Same(Palettes.CamVid.Colorize(ids[1]), rgb[1]);
        Assert.Equal([0f, 0f, 0f], rgb[1, .., 0, 0].data<float>().ToArray());   // void
    }

    [Fact]
    public void Colorize_refuses_ids_that_are_not_classes()
    {
        var error = Assert.Throws<ArgumentException>(() => Palettes.PascalVoc.Colorize(tensor(new long[] { 1, 30 }).view(1, 2)));

        Assert.Contains("Label id 30 is not a PASCAL VOC class id (0..20) or the ignore index 255", error.Message);
    }

    [Fact]
    public void Legend_shows_a_swatch_per_class()
    {
        var legend = Palettes.CamVid.Legend();

        using var image = Png.Decode(legend.Png);
        Assert.Equal((legend.Width, legend.Height), (image.Width, image.Height));
        Assert.True(Png.CountNear(image, "3C28DE", tolerance: 0) >= 100);   // Pavement's 16x16 swatch, inside its border
        Assert.True(Png.CountNear(image, "0080C0", tolerance: 0) >= 100);   // Bicyclist
    }
}
