using System.Buffers.Binary;
using NotebookHelpers.Core;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Imaging;

/// <summary>
/// Reads and writes images as tensors: RGB as float32 (3,H,W) in [0,1], grey maps as float32 (1,H,W) in [0,1],
/// class-id maps as int64 (H,W). Pixels travel through one byte array per image, never through per-pixel tensor indexing.
/// </summary>
public static class ImageIO
{
    /// <summary>Reads a PNG or JPEG (any pixel format) as float32 (3,H,W) in [0,1]; alpha is dropped.</summary>
    public static Tensor LoadRgb(string path)
    {
        using var image = Decode<Rgb24>(path);
        var pixels = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(pixels);
        return InterleavedToChw(pixels, image.Height, image.Width, channels: 3);
    }

    /// <summary>
    /// Reads an 8-bit grey map (a saliency map, say) as float32 (1,H,W) in [0,1];
    /// a colour file is reduced to ImageSharp's luminance (BT.709).
    /// </summary>
    public static Tensor LoadGray(string path)
    {
        using var image = Decode<L8>(path);
        var pixels = new byte[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        return InterleavedToChw(pixels, image.Height, image.Width, channels: 1);
    }

    /// <summary>
    /// Reads a class-id map as int64 (H,W). A greyscale PNG holds the id as its value; an indexed PNG
    /// (PASCAL VOC SegmentationClass) holds it as the palette index, 255 (void) included; an RGB PNG is read
    /// through the PASCAL VOC colour map. Only PNG: a lossy JPEG would invent ids at every edge.
    /// </summary>
    public static Tensor LoadClassIds(string path)
    {
        RequireFile(path);
        var header = PngHeader.Read(path) ?? throw (IsPng(path)
            ? Unreadable(path, "it does not start with the PNG signature")
            : new InvalidDataException($"'{path}' is not a PNG; class-id maps must be lossless PNG files."));
        long[] ids = header.ColorType switch
        {
            PngHeader.Grey or PngHeader.GreyWithAlpha => GreyValues(path, header.BitDepth),
            PngHeader.Indexed => PaletteIndices(path, ColourLookup.FromPalette(header.Palette, path)),
            _ => PaletteIndices(path, ColourLookup.VocColourMap),
        };
        return torch.tensor(ids, [header.Height, header.Width]);
    }

    /// <summary>Writes float (3,H,W) in [0,1] (clamped) as PNG or JPEG, chosen by the extension.</summary>
    public static void SaveRgb(Tensor chw, string path)
    {
        RequireFloatImage(chw, "SaveRgb", "(3,H,W)", chw.dim() == 3 && chw.shape[0] == 3);
        using var image = ToImage<Rgb24>(chw);
        SaveAtomically(image, path, grey: false);
    }

    /// <summary>Writes a float map (H,W) or (1,H,W) in [0,1] (clamped) as an 8-bit grey PNG or JPEG.</summary>
    public static void SaveGray(Tensor map, string path)
    {
        var isMap = map.dim() == 2 || (map.dim() == 3 && map.shape[0] == 1);
        RequireFloatImage(map, "SaveGray", "(H,W) or (1,H,W)", isMap);
        using var image = ToImage<L8>(map.dim() == 2 ? map.unsqueeze(0) : map);
        SaveAtomically(image, path, grey: true);
    }

    /// <summary>Writes an integer (H,W) map with ids in [0,255] as an 8-bit greyscale PNG (value = class id).</summary>
    public static void SaveClassIds(Tensor hw, string path)
    {
        if (hw.dim() != 2 || hw.is_floating_point() || hw.dtype == ScalarType.Bool)
            throw new ArgumentException(
                $"SaveClassIds expects an integer (H,W) map, got {hw.dtype} of shape {Shapes.Format(hw)}.", nameof(hw));
        if (!IsPng(path))
            throw new ArgumentException($"Class-id maps must be saved as .png (lossless), got '{path}'.", nameof(path));
        using (NewDisposeScope())
        {
            var (min, max) = (hw.min().item<long>(), hw.max().item<long>());
            if (min < 0 || max > 255)
                throw new ArgumentException(
                    $"An 8-bit PNG holds ids 0..255, but the map holds {min}..{max}.", nameof(hw));
            var pixels = hw.to(ScalarType.Byte).cpu().contiguous().data<byte>().ToArray();
            using var image = Image.LoadPixelData<L8>(pixels, (int)hw.shape[1], (int)hw.shape[0]);
            SaveAtomically(image, path, grey: true);
        }
    }

    /// <summary>Encodes float (3,H,W), (1,H,W) or (H,W) in [0,1] (clamped) as PNG bytes, for plots and notebook display.</summary>
    public static byte[] EncodePng(Tensor chw)
    {
        var rank = chw.dim();
        var channels = rank == 3 ? chw.shape[0] : 1;
        RequireFloatImage(chw, "EncodePng", "(3,H,W), (1,H,W) or (H,W)", rank == 2 || (rank == 3 && channels is 1 or 3));
        using var stream = new MemoryStream();
        if (channels == 3)
        {
            using var image = ToImage<Rgb24>(chw);
            image.Save(stream, PngEncoderFor(grey: false));
        }
        else
        {
            using var image = ToImage<L8>(rank == 2 ? chw.unsqueeze(0) : chw);
            image.Save(stream, PngEncoderFor(grey: true));
        }
        return stream.ToArray();
    }

    private static Image<TPixel> Decode<TPixel>(string path) where TPixel : unmanaged, IPixel<TPixel>
    {
        RequireFile(path);
        try
        {
            return Image.Load<TPixel>(path);
        }
        catch (Exception e) when (e is ImageFormatException or InvalidDataException or EndOfStreamException
                                       or NotSupportedException or InvalidMemoryOperationException)
        {
            throw Unreadable(path, e.Message, e);
        }
    }

    private static InvalidDataException Unreadable(string path, string why, Exception? inner = null) =>
        new($"'{path}' is not a readable PNG/JPEG image: {why}", inner);

    private static void RequireFile(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Image file not found: {Path.GetFullPath(path)}", path);
    }

    private static Tensor InterleavedToChw(byte[] pixels, int height, int width, int channels)
    {
        using var scope = NewDisposeScope();
        var hwc = torch.tensor(pixels, [height, width, channels]);
        return hwc.permute(2, 0, 1).to(ScalarType.Float32).div_(255f).MoveToOuterDisposeScope();
    }

    private static Image<TPixel> ToImage<TPixel>(Tensor chw) where TPixel : unmanaged, IPixel<TPixel>
    {
        using var scope = NewDisposeScope();
        var quantised = chw.detach().nan_to_num(0).clamp(0, 1).mul(255).round().to(ScalarType.Byte);
        var pixels = quantised.permute(1, 2, 0).cpu().contiguous().data<byte>().ToArray();
        return Image.LoadPixelData<TPixel>(pixels, (int)chw.shape[2], (int)chw.shape[1]);
    }

    private static long[] GreyValues(string path, int bitDepth)
    {
        if (bitDepth == 16)
        {
            using var wide = Decode<L16>(path);
            var values = new L16[wide.Width * wide.Height];
            wide.CopyPixelDataTo(values);
            return Array.ConvertAll(values, v => (long)v.PackedValue);
        }
        using var image = Decode<L8>(path);
        var pixels = new byte[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        // ImageSharp stretches 1-, 2- and 4-bit grey to 0..255; the file's value is the id.
        var stretch = 255 / ((1 << bitDepth) - 1);
        return Array.ConvertAll(pixels, v => (long)(v / stretch));
    }

    private static long[] PaletteIndices(string path, ColourLookup lookup)
    {
        using var image = Decode<Rgb24>(path);
        var pixels = new Rgb24[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        var ids = new long[pixels.Length];
        for (var i = 0; i < pixels.Length; i++)
        {
            var p = pixels[i];
            if (!lookup.TryGetIndex(p, out var index))
                throw new InvalidDataException(
                    $"'{path}': colour ({p.R},{p.G},{p.B}) at pixel (x={i % image.Width}, y={i / image.Width}) " +
                    $"is not in {lookup.Description}, so it names no class.");
            ids[i] = index;
        }
        return ids;
    }

    private static void RequireFloatImage(Tensor t, string method, string expected, bool shapeOk)
    {
        if (!shapeOk)
            throw new ArgumentException($"{method} expects {expected}, got shape {Shapes.Format(t)}.");
        if (!t.is_floating_point())
            throw new ArgumentException(
                $"{method} expects floating-point values in [0,1], got {t.dtype}; divide 8-bit images by 255 first.");
    }

    private static void SaveAtomically(Image image, string path, bool grey)
    {
        IImageEncoder encoder = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => PngEncoderFor(grey),
            ".jpg" or ".jpeg" => new JpegEncoder
            {
                Quality = 95,
                ColorType = grey ? JpegColorType.Luminance : JpegColorType.YCbCrRatio444,
            },
            _ => throw new ArgumentException($"Cannot tell the format of '{path}': use .png, .jpg or .jpeg.", nameof(path)),
        };
        AtomicFile.Write(path, temp =>
        {
            using var stream = File.Create(temp);
            image.Save(stream, encoder);
        });
    }

    private static PngEncoder PngEncoderFor(bool grey) => new()
    {
        ColorType = grey ? PngColorType.Grayscale : PngColorType.Rgb,
        BitDepth = PngBitDepth.Bit8,
    };

    private static bool IsPng(string path) => Path.GetExtension(path).Equals(".png", StringComparison.OrdinalIgnoreCase);


    /// <summary>The IHDR fields and PLTE entries of a PNG, read from its chunks (ImageSharp 2 decodes indexed PNGs to RGB).</summary>
    private sealed record PngHeader(int Width, int Height, int BitDepth, int ColorType, Rgb24[] Palette)
    {
        // IHDR colour types (PNG specification, 11.2.2).
        public const int Grey = 0, Truecolour = 2, Indexed = 3, GreyWithAlpha = 4;

        private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

        public static PngHeader? Read(string path)
        {
            using var stream = File.OpenRead(path);
            Span<byte> signature = stackalloc byte[8];
            if (stream.ReadAtLeast(signature, 8, throwOnEndOfStream: false) < 8 || !signature.SequenceEqual(Signature))
                return null;
            try
            {
                return ReadChunks(stream);
            }
            catch (EndOfStreamException)
            {
                throw Unreadable(path, "its header chunks are truncated or corrupt");
            }
        }

        private static PngHeader ReadChunks(Stream stream)
        {
            Span<byte> lengthAndType = stackalloc byte[8];
            int width = 0, height = 0, bitDepth = 0;
            var colorType = Truecolour;
            var palette = Array.Empty<Rgb24>();
            while (true)
            {
                stream.ReadExactly(lengthAndType);
                var length = BinaryPrimitives.ReadInt32BigEndian(lengthAndType);
                if (length < 0 || length > stream.Length - stream.Position)
                    throw new EndOfStreamException();
                var type = System.Text.Encoding.ASCII.GetString(lengthAndType[4..]);
                if (type is "IDAT" or "IEND")
                    return new PngHeader(width, height, bitDepth, colorType, palette);
                var data = new byte[length];
                stream.ReadExactly(data);
                stream.ReadExactly(lengthAndType[..4]); // CRC: ImageSharp checks it when it decodes the pixels.
                if (type == "IHDR")
                {
                    if (length < 13)
                        throw new EndOfStreamException();
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
                    bitDepth = data[8];
                    colorType = data[9];
                }
                else if (type == "PLTE")
                {
                    palette = new Rgb24[length / 3];
                    for (var i = 0; i < palette.Length; i++)
                        palette[i] = new Rgb24(data[3 * i], data[3 * i + 1], data[3 * i + 2]);
                }
            }
        }
    }

    /// <summary>Colour → class id, for maps that store ids as colours.</summary>
    private sealed class ColourLookup(Dictionary<Rgb24, byte> indexOf, string description)
    {
        public static readonly ColourLookup VocColourMap = new(
            Enumerable.Range(0, 256).ToDictionary(i =>
            {
                var (r, g, b) = VocColormap.Colour(i);
                return new Rgb24(r, g, b);
            }, i => (byte)i),
            "the PASCAL VOC colour map");

        public string Description => description;

        public static ColourLookup FromPalette(Rgb24[] palette, string path)
        {
            var indexOf = new Dictionary<Rgb24, byte>();
            // A palette that repeats a colour is ambiguous once decoded to RGB; the lowest index wins.
            for (var i = palette.Length - 1; i >= 0; i--)
                indexOf[palette[i]] = (byte)i;
            return new ColourLookup(indexOf, $"the palette of '{path}'");
        }

        public bool TryGetIndex(Rgb24 colour, out byte index) => indexOf.TryGetValue(colour, out index);
    }
}
