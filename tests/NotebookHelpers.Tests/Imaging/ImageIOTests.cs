using NotebookHelpers.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Imaging;

/// <summary>In <see cref="GlobalPixelLimit"/>: some tests lower the process-wide <see cref="ImageIO.MaxPixels"/>.</summary>
[Collection(nameof(GlobalPixelLimit))]
public class ImageIOTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>Random 8-bit levels k/255, the values a PNG can hold exactly.</summary>
    private static Tensor RandomLevels(long[] shape, ulong seed) =>
        torch.randint(0, 256, shape, generator: new Generator(seed)).to(ScalarType.Float32).div(255f);

    /// <summary>Smooth content, which JPEG is meant for.</summary>
    private static Tensor SmoothRgb(int height, int width)
    {
        var y = torch.linspace(0, 1, height).reshape(1, height, 1);
        var x = torch.linspace(0, 1, width).reshape(1, 1, width);
        return torch.cat([y.expand(1, height, width), x.expand(1, height, width), (x + y).div(2).expand(1, height, width)]);
    }

    [Fact]
    public void PngRgb_round_trip_is_exact()
    {
        var image = RandomLevels([3, 5, 7], seed: 1);
        var path = folder.File("rgb.png");

        ImageIO.SaveRgb(image, path);
        var loaded = ImageIO.LoadRgb(path);

        Assert.Equal(ScalarType.Float32, loaded.dtype);
        Assert.Equal([3L, 5, 7], loaded.shape);
        Assert.True(Tensors.Identical(loaded, image));
    }

    [Fact]
    public void PngGray_round_trip_is_exact_for_HW_and_1HW_maps()
    {
        var map = RandomLevels([6, 4], seed: 2);

        ImageIO.SaveGray(map, folder.File("hw.png"));
        ImageIO.SaveGray(map.unsqueeze(0), folder.File("1hw.png"));

        Assert.True(Tensors.Identical(ImageIO.LoadGray(folder.File("hw.png")), map.unsqueeze(0)));
        Assert.True(Tensors.Identical(ImageIO.LoadGray(folder.File("1hw.png")), map.unsqueeze(0)));
    }

    [Fact]
    public void Save_clamps_values_outside_0_1()
    {
        var map = torch.tensor(new[] { -0.5f, 0.2f, 1.7f }, [1, 3]);
        ImageIO.SaveGray(map, folder.File("clamped.png"));

        var loaded = ImageIO.LoadGray(folder.File("clamped.png"));

        Assert.Equal(new[] { 0f, 51 / 255f, 1f }, loaded.flatten().data<float>().ToArray());
    }

    [Theory]
    [InlineData("smooth.jpg")]
    [InlineData("smooth.jpeg")]
    public void Jpeg_round_trip_is_close(string name)
    {
        var image = SmoothRgb(32, 48);
        var path = folder.File(name);

        ImageIO.SaveRgb(image, path);
        var loaded = ImageIO.LoadRgb(path);

        Assert.Equal([3L, 32, 48], loaded.shape);
        Assert.True((loaded - image).abs().mean().item<float>() < 0.05f);
        Assert.Equal([(byte)0xFF, (byte)0xD8], File.ReadAllBytes(path)[..2]); // JPEG's SOI marker: the extension chose JPEG
    }

    [Fact]
    public void LoadRgb_drops_alpha_and_spreads_grey_over_three_channels()
    {
        using (var rgba = new Image<Rgba32>(2, 1))
        {
            rgba[0, 0] = new Rgba32(10, 20, 30, 0);
            rgba[1, 0] = new Rgba32(200, 100, 50, 128);
            rgba.SaveAsPng(folder.File("rgba.png"));
        }
        using (var grey = new Image<L8>(1, 1))
        {
            grey[0, 0] = new L8(77);
            grey.SaveAsPng(folder.File("grey.png"));
        }

        var fromRgba = ImageIO.LoadRgb(folder.File("rgba.png")).mul(255).round().to(ScalarType.Int32);
        var fromGrey = ImageIO.LoadRgb(folder.File("grey.png")).mul(255).round().to(ScalarType.Int32);

        Assert.Equal(new[] { 10, 200, 20, 100, 30, 50 }, fromRgba.flatten().data<int>().ToArray());
        Assert.Equal(new[] { 77, 77, 77 }, fromGrey.flatten().data<int>().ToArray());
    }

    [Fact]
    public void LoadGray_reduces_colour_to_BT709_luminance()
    {
        // Pure green's BT.709 luminance is 0.7152.
        ImageIO.SaveRgb(torch.tensor(new[] { 0f, 1f, 0f }, [3, 1, 1]), folder.File("green.png"));

        var grey = ImageIO.LoadGray(folder.File("green.png"));

        Assert.Equal([1L, 1, 1], grey.shape);
        Assert.Equal(0.7152f, grey.item<float>(), 1f / 255);
    }

    [Fact]
    public void ClassIdPng_round_trip_keeps_exact_ids_including_255()
    {
        var ids = torch.tensor(new long[] { 0, 1, 2, 20, 255, 7 }, [2, 3]);
        ImageIO.SaveClassIds(ids, folder.File("ids.png"));

        var loaded = ImageIO.LoadClassIds(folder.File("ids.png"));

        Assert.Equal(ScalarType.Int64, loaded.dtype);
        Assert.True(Tensors.Identical(loaded, ids));
    }

    [Fact]
    public void VocPalettePng_decodes_exact_class_ids_and_keeps_255()
    {
        var vocPalette = Enumerable.Range(0, 256).Select(VocColormap.Colour).ToArray();
        var indices = new byte[,] { { 0, 1, 15, 255 }, { 20, 255, 0, 7 } };
        TestPng.WriteIndexed(folder.File("2007_000032.png"), indices, vocPalette);

        var ids = ImageIO.LoadClassIds(folder.File("2007_000032.png"));

        Assert.Equal(new long[] { 0, 1, 15, 255, 20, 255, 0, 7 }, ids.flatten().data<long>().ToArray());
        Assert.Equal([2L, 4], ids.shape);
    }

    [Fact]
    public void IndexedPng_ids_come_from_the_files_own_palette_not_from_VOC()
    {
        // Index 0 is VOC's colour of class 1 and index 1 is black (VOC's class 0): only the file's palette gets this right.
        (byte, byte, byte)[] palette = [(128, 0, 0), (0, 0, 0), (9, 9, 9)];
        TestPng.WriteIndexed(folder.File("own.png"), new byte[,] { { 0, 1, 2 } }, palette);

        var ids = ImageIO.LoadClassIds(folder.File("own.png"));

        Assert.Equal(new long[] { 0, 1, 2 }, ids.flatten().data<long>().ToArray());
    }

    [Fact]
    public void RgbPng_in_VOC_colours_decodes_through_the_VOC_colour_map()
    {
        var colours = new[] { 0, 15, 255 }.Select(VocColormap.Colour).ToArray();
        var pixels = colours.SelectMany(c => new[] { c.R, c.G, c.B }).ToArray();
        TestPng.Write(folder.File("rgb-mask.png"), width: 3, height: 1, bitDepth: 8, TestPng.Truecolour, pixels);

        var ids = ImageIO.LoadClassIds(folder.File("rgb-mask.png"));

        Assert.Equal(new long[] { 0, 15, 255 }, ids.flatten().data<long>().ToArray());
    }

    [Fact]
    public void Colour_outside_the_VOC_colour_map_fails_naming_the_file_and_the_colour()
    {
        var path = folder.File("odd-colour.png");
        TestPng.Write(path, width: 2, height: 1, bitDepth: 8, TestPng.Truecolour, [0, 0, 0, 1, 2, 3]);

        var error = Assert.Throws<InvalidDataException>(() => ImageIO.LoadClassIds(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("(1,2,3)", error.Message);
        Assert.Contains("x=1, y=0", error.Message);
    }

    [Fact]
    public void OneBitGreyPng_gives_ids_0_and_1_not_0_and_255()
    {
        // One row of 8 pixels packed into one byte, most significant bit first: 1,0,1,1,0,0,0,1.
        TestPng.Write(folder.File("binary.png"), width: 8, height: 1, bitDepth: 1, TestPng.Grey, [0b1011_0001]);

        var ids = ImageIO.LoadClassIds(folder.File("binary.png"));

        Assert.Equal(new long[] { 1, 0, 1, 1, 0, 0, 0, 1 }, ids.flatten().data<long>().ToArray());
    }

    [Fact]
    public void SixteenBitGreyPng_gives_the_raw_16_bit_values()
    {
        TestPng.Write(folder.File("wide.png"), width: 2, height: 1, bitDepth: 16, TestPng.Grey, [0x01, 0x2C, 0xFF, 0xFF]);

        var ids = ImageIO.LoadClassIds(folder.File("wide.png"));

        Assert.Equal(new long[] { 300, 65535 }, ids.flatten().data<long>().ToArray());
    }

    [Fact]
    public void LoadClassIds_refuses_a_JPEG()
    {
        var path = folder.File("mask.jpg");
        ImageIO.SaveGray(torch.zeros(4, 4), path);

        var error = Assert.Throws<InvalidDataException>(() => ImageIO.LoadClassIds(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("PNG", error.Message);
    }

    [Fact]
    public void Missing_file_throws_FileNotFoundException_with_the_path()
    {
        var path = folder.File("absent.png");

        Assert.Equal(path, Assert.Throws<FileNotFoundException>(() => ImageIO.LoadRgb(path)).FileName);
        Assert.Equal(path, Assert.Throws<FileNotFoundException>(() => ImageIO.LoadGray(path)).FileName);
        Assert.Equal(path, Assert.Throws<FileNotFoundException>(() => ImageIO.LoadClassIds(path)).FileName);
    }

    [Theory]
    [InlineData("noise.png")]
    [InlineData("noise.jpg")]
    public void Undecodable_file_throws_InvalidDataException_naming_the_path(string name)
    {
        var path = folder.File(name);
        File.WriteAllBytes(path, Enumerable.Range(0, 200).Select(i => (byte)(i * 37 + 11)).ToArray());

        var loaders = new List<Func<string, Tensor>> { ImageIO.LoadRgb, ImageIO.LoadGray };
        if (name.EndsWith(".png"))
            loaders.Add(ImageIO.LoadClassIds);
        foreach (var load in loaders)
        {
            var error = Assert.Throws<InvalidDataException>(() => load(path));
            Assert.Contains(path, error.Message);
            Assert.Contains("not a readable PNG/JPEG", error.Message);
            Assert.DoesNotContain("decoders", error.Message);
            Assert.DoesNotContain('\n', error.Message);
        }
    }

    [Fact]
    public void Truncated_png_throws_InvalidDataException_naming_the_path()
    {
        var path = folder.File("truncated.png");
        ImageIO.SaveRgb(RandomLevels([3, 16, 16], seed: 3), path);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..20]);

        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => ImageIO.LoadClassIds(path)).Message);
    }

    /// <summary>Writes a file with <see cref="ImageIO.SaveRgb"/> and returns its bytes.</summary>
    private byte[] Saved(string name, Tensor image)
    {
        ImageIO.SaveRgb(image, folder.File(name));
        return File.ReadAllBytes(folder.File(name));
    }

    /// <summary>Every loader that reads the file's format, each of which must refuse it the same way.</summary>
    private static List<Func<string, Tensor>> LoadersOf(string path)
    {
        var loaders = new List<Func<string, Tensor>> { ImageIO.LoadRgb, ImageIO.LoadGray };
        if (path.EndsWith(".png"))
            loaders.Add(ImageIO.LoadClassIds);
        return loaders;
    }

    private static void AssertRefused(string path, params string[] phrases)
    {
        foreach (var load in LoadersOf(path))
        {
            var message = Assert.Throws<InvalidDataException>(() => load(path)).Message;
            Assert.Contains($"'{path}'", message);
            foreach (var phrase in phrases)
                Assert.Contains(phrase, message);
            Assert.DoesNotContain('\n', message);
        }
    }

    [Fact]
    public void Png_cut_inside_its_image_data_is_refused_as_truncated()
    {
        var png = Saved("cut.png", RandomLevels([3, 32, 32], seed: 6));
        var (idat, length) = TestPng.FindChunk(png, "IDAT");
        File.WriteAllBytes(folder.File("cut.png"), png[..(idat + length / 2)]);

        AssertRefused(folder.File("cut.png"), "is truncated", "re-download or re-export it");
    }

    [Fact]
    public void Jpeg_cut_inside_its_scan_data_is_refused_as_truncated()
    {
        var jpeg = Saved("cut.jpg", RandomLevels([3, 64, 64], seed: 7));
        var scan = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xDA]);
        File.WriteAllBytes(folder.File("cut.jpg"), jpeg[..((scan + jpeg.Length) / 2)]);

        AssertRefused(folder.File("cut.jpg"), "is truncated", "re-download or re-export it");
    }

    [Fact]
    public void Png_whose_IDAT_checksum_does_not_match_is_refused_as_corrupt()
    {
        var png = Saved("flipped.png", RandomLevels([3, 16, 16], seed: 8));
        var (idat, length) = TestPng.FindChunk(png, "IDAT");
        png[idat + length / 2] ^= 0x10; // one flipped bit, as a bad disk or download leaves it
        File.WriteAllBytes(folder.File("flipped.png"), png);

        AssertRefused(folder.File("flipped.png"), "is corrupt", "IDAT", "checksum");
    }

    [Fact]
    public void Png_whose_chunks_are_whole_but_whose_pixel_rows_end_early_is_refused_as_truncated()
    {
        // Half the rows its header promises, in chunks that are whole and whose checksums are right.
        var png = Saved("short-rows.png", RandomLevels([3, 4, 3], seed: 12));
        File.WriteAllBytes(folder.File("short-rows.png"), TestPng.WithPixelData(png, pixels => pixels[..(pixels.Length / 2)]));

        AssertRefused(folder.File("short-rows.png"), "is truncated", "pixel data ends early", "3×4");
    }

    /// <summary>An Adam7-interlaced PNG of random 8-bit levels, as ImageSharp writes it; the levels as a (3,H,W) tensor.</summary>
    private Tensor SaveInterlaced(string path, int width, int height)
    {
        var image = RandomLevels([3, height, width], seed: 11);
        var pixels = image.mul(255).round().to(ScalarType.Byte).permute(1, 2, 0).contiguous().data<byte>().ToArray();
        using var rgb = Image.LoadPixelData<Rgb24>(pixels, width, height);
        rgb.SaveAsPng(path, new PngEncoder { InterlaceMethod = PngInterlaceMode.Adam7 });
        return image;
    }

    [Theory]
    [InlineData(5, 1)]
    [InlineData(5, 9)]
    [InlineData(9, 17)]
    [InlineData(33, 2)]
    public void Interlaced_pngs_load_exactly_and_are_refused_when_their_pixel_data_is_one_byte_short(int width, int height)
    {
        // Adam7 splits the rows into seven passes, some of them empty at these sizes: the expected length must agree.
        var path = folder.File("interlaced.png");
        var image = SaveInterlaced(path, width, height);
        Assert.True(Tensors.Identical(ImageIO.LoadRgb(path), image));

        File.WriteAllBytes(path, TestPng.WithPixelData(File.ReadAllBytes(path), pixels => pixels[..^1]));

        AssertRefused(path, "is truncated", "pixel data ends early");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(4, 4)]
    public void Interlaced_pngs_narrower_than_5_pixels_are_refused_as_ImageSharp_hangs_on_some(int width, int height)
    {
        var path = folder.File("tiny-interlaced.png");
        SaveInterlaced(path, width, height);

        AssertRefused(path, "interlaced", "re-save it without interlacing");
    }

    [Fact]
    public void A_png_whose_pixels_do_not_decode_is_refused_in_one_line_without_the_decoders_text()
    {
        // Whole chunks and right checksums, but filter type 9, which PNG does not define.
        var path = folder.File("bad-filter.png");
        TestPng.Write(path, width: 2, height: 2, bitDepth: 8, TestPng.Grey, [1, 2, 3, 4], filter: 9);

        AssertRefused(path, "is corrupt", "does not decode");
    }

    [Fact]
    public void Images_with_bytes_after_their_end_still_load_exactly()
    {
        var image = RandomLevels([3, 8, 8], seed: 9);
        var png = Saved("padded.png", image);
        var jpeg = Saved("padded.jpg", SmoothRgb(16, 16));
        var expectedJpeg = ImageIO.LoadRgb(folder.File("padded.jpg"));
        File.WriteAllBytes(folder.File("padded.png"), [.. png, .. new byte[64]]);
        File.WriteAllBytes(folder.File("padded.jpg"), [.. jpeg, .. new byte[64]]);

        Assert.True(Tensors.Identical(ImageIO.LoadRgb(folder.File("padded.png")), image));
        Assert.True(Tensors.Identical(ImageIO.LoadRgb(folder.File("padded.jpg")), expectedJpeg));
    }

    [Fact]
    public void A_small_png_that_declares_20000x20000_pixels_is_refused_from_its_header()
    {
        var path = folder.File("bomb.png");
        TestPng.WriteBlankGrey(path, width: 20000, height: 20000);
        Assert.True(new FileInfo(path).Length < 1_000_000);

        AssertRefused(path, "20000×20000", "400 megapixels", "limit of 100 megapixels", "NBH_MAX_PIXELS", "ImageIO.MaxPixels");
    }

    [Fact]
    public void Lowering_MaxPixels_refuses_a_small_image_and_restoring_it_accepts_it_again()
    {
        var png = RandomLevels([3, 10, 20], seed: 10);
        ImageIO.SaveRgb(png, folder.File("small.png"));
        ImageIO.SaveRgb(SmoothRgb(10, 20), folder.File("small.jpg"));
        var limit = ImageIO.MaxPixels;
        try
        {
            ImageIO.MaxPixels = 199;
            AssertRefused(folder.File("small.png"), "20×10", "limit of 199 pixels");
            AssertRefused(folder.File("small.jpg"), "20×10", "limit of 199 pixels");
            ImageIO.MaxPixels = 200;
            Assert.Equal([3L, 10, 20], ImageIO.LoadRgb(folder.File("small.jpg")).shape);
        }
        finally
        {
            ImageIO.MaxPixels = limit;
        }
        Assert.True(Tensors.Identical(ImageIO.LoadRgb(folder.File("small.png")), png));
    }

    [Fact]
    public void MaxPixels_defaults_to_100_megapixels_and_refuses_a_limit_below_one_pixel()
    {
        if (Environment.GetEnvironmentVariable("NBH_MAX_PIXELS") is null)
            Assert.Equal(100_000_000, ImageIO.MaxPixels);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageIO.MaxPixels = 0);
    }

    [Fact]
    public void Formats_other_than_PNG_and_JPEG_are_refused_by_name()
    {
        using (var bmp = new Image<Rgb24>(2, 2))
            bmp.SaveAsBmp(folder.File("photo.png"));

        AssertRefused(folder.File("photo.png"), "is a BMP image", "only PNG and JPEG");
    }

    [Fact]
    public void Save_replaces_an_existing_file_and_leaves_no_temporary_file_behind()
    {
        var path = folder.File("sub", "out.png");
        ImageIO.SaveRgb(torch.zeros(3, 2, 2), path);
        ImageIO.SaveRgb(torch.ones(3, 2, 2), path);

        Assert.Equal(["out.png"], Directory.GetFiles(folder.File("sub")).Select(Path.GetFileName));
        Assert.Equal(1f, ImageIO.LoadRgb(path).min().item<float>());
    }

    [Fact]
    public void SaveClassIds_refuses_ids_beyond_8_bits_and_lossy_formats()
    {
        var tooLarge = Assert.Throws<ArgumentException>(
            () => ImageIO.SaveClassIds(torch.tensor(new long[] { 0, 256 }, [1, 2]), folder.File("ids.png")));
        Assert.Contains("0..256", tooLarge.Message);

        Assert.Throws<ArgumentException>(() => ImageIO.SaveClassIds(torch.zeros([2, 2], ScalarType.Int64), folder.File("ids.jpg")));
        Assert.False(File.Exists(folder.File("ids.png")));
    }

    [Fact]
    public void Save_rejects_wrong_shapes_and_integer_images_saying_what_it_expects()
    {
        var wrongShape = Assert.Throws<ArgumentException>(() => ImageIO.SaveRgb(torch.zeros(4, 2, 2), folder.File("a.png")));
        Assert.Contains("(3,H,W)", wrongShape.Message);
        Assert.Contains("(4,2,2)", wrongShape.Message);

        var bytes = Assert.Throws<ArgumentException>(
            () => ImageIO.SaveRgb(torch.zeros([3, 2, 2], ScalarType.Byte), folder.File("b.png")));
        Assert.Contains("Byte", bytes.Message);
        Assert.Throws<ArgumentException>(() => ImageIO.SaveRgb(torch.zeros(3, 2, 2), folder.File("c.bmp")));
    }

    [Fact]
    public void EncodePng_bytes_decode_to_the_same_pixels()
    {
        var rgb = RandomLevels([3, 3, 5], seed: 4);
        var grey = RandomLevels([1, 3, 5], seed: 5);

        using var rgbImage = Image.Load<Rgb24>(ImageIO.EncodePng(rgb));
        using var greyImage = Image.Load<L8>(ImageIO.EncodePng(grey));
        using var hwImage = Image.Load<L8>(ImageIO.EncodePng(grey.squeeze(0)));

        Assert.Equal((5, 3), (rgbImage.Width, rgbImage.Height));
        var expected = rgb.mul(255).round().to(ScalarType.Byte);
        Assert.Equal(expected[0, 2, 4].item<byte>(), rgbImage[4, 2].R);
        Assert.Equal(expected[1, 1, 3].item<byte>(), rgbImage[3, 1].G);
        Assert.Equal(expected[2, 0, 0].item<byte>(), rgbImage[0, 0].B);
        var expectedGrey = grey.mul(255).round().to(ScalarType.Byte);
        Assert.Equal(expectedGrey[0, 2, 1].item<byte>(), greyImage[1, 2].PackedValue);
        Assert.Equal(expectedGrey[0, 2, 1].item<byte>(), hwImage[1, 2].PackedValue);
    }
}
