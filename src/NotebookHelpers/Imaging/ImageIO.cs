using System.Globalization;
using NotebookHelpers.Core;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Imaging;

/// <summary>
/// Reads and writes images as tensors: RGB as float32 (3,H,W) in [0,1], grey maps as float32 (1,H,W) in [0,1],
/// class-id maps as int64 (H,W). Pixels travel through one byte array per image, never through per-pixel tensor indexing.
/// <para>
/// Every loader reads only PNG and JPEG, and refuses, with an <see cref="InvalidDataException"/> of one line naming the
/// file, one that is truncated or corrupt (ImageSharp alone would fill in what is missing) and one whose header
/// declares more than <see cref="MaxPixels"/> pixels, before decoding it.
/// </para>
/// </summary>
public static class ImageIO
{
    /// <summary>The environment variable that sets <see cref="MaxPixels"/> for a process: a whole number of pixels.</summary>
    public const string MaxPixelsVariable = "NBH_MAX_PIXELS";

    /// <summary>The pixel limit without <see cref="MaxPixelsVariable"/>: 100 megapixels, far above any dataset here
    /// (SALICON is 640×480, PASCAL VOC about 500×375, ImageNet photos a few megapixels).</summary>
    public const long DefaultMaxPixels = 100_000_000;

    private static readonly Lazy<long> LimitFromEnvironment = new(ReadLimitFromEnvironment);
    private static long limitSet; // 0 until MaxPixels is set

    /// <summary>
    /// The most pixels (width × height) an image may have to be loaded. A loader reads the size from the file's header
    /// and refuses a larger image before decoding it: a 90 KB PNG can declare 20000×20000 pixels, which take 6–9 GB to
    /// decode. The default is <see cref="DefaultMaxPixels"/>; the environment variable <c>NBH_MAX_PIXELS</c>
    /// (<see cref="MaxPixelsVariable"/>), read once on first use, replaces it for the process, and setting this property
    /// replaces both. The same limit bounds the size of SALICON fixation maps. Reading it throws an
    /// <see cref="InvalidOperationException"/> when <c>NBH_MAX_PIXELS</c> is not a positive whole number.
    /// </summary>
    public static long MaxPixels
    {
        get => Interlocked.Read(ref limitSet) is > 0 and var set ? set : LimitFromEnvironment.Value;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Interlocked.Exchange(ref limitSet, value);
        }
    }

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
        var file = ImageFile.Read(path);
        var header = file.Png ?? throw new InvalidDataException($"'{path}' is a JPEG, not a PNG; class-id maps must be lossless PNG files.");
        long[] ids = header.ColorType switch
        {
            PngStructure.Grey or PngStructure.GreyWithAlpha => GreyValues(file, header.BitDepth),
            PngStructure.Indexed => PaletteIndices(file, ColourLookup.FromPalette(header.Palette, path)),
            _ => PaletteIndices(file, ColourLookup.VocColourMap),
        };
        return torch.tensor(ids, [header.Height, header.Width]);
    }

    /// <summary>
    /// Makes every check a loader makes before it decodes, without decoding: the file exists and is a whole PNG or JPEG
    /// (every chunk or segment complete, checksums right) of at most <see cref="MaxPixels"/> pixels. Returns its size;
    /// throws what a loader would, a <see cref="FileNotFoundException"/> or a one-line <see cref="InvalidDataException"/>.
    /// </summary>
    public static (int Width, int Height) Check(string path)
    {
        var file = ImageFile.Read(path);
        return (file.Width, file.Height);
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

    private static Image<TPixel> Decode<TPixel>(string path) where TPixel : unmanaged, IPixel<TPixel> =>
        ImageFile.Read(path).Decode<TPixel>();

    /// <summary>
    /// Null when a width × height image is within <see cref="MaxPixels"/>; else the sentence's end that says so and how
    /// to raise the limit, e.g. "20000×20000 pixels (400 megapixels), above the limit of 100 megapixels; ...".
    /// </summary>
    internal static string? SizeAboveLimit(long width, long height)
    {
        var limit = MaxPixels;
        if (width * height <= limit)
            return null;
        var megapixels = width * height >= 1_000_000 ? $" ({Pixels(width * height)})" : "";
        return $"{width}×{height} pixels{megapixels}, above the limit of {Pixels(limit)}; if it is meant to be this large, " +
               $"raise the limit with the environment variable {MaxPixelsVariable} or ImageIO.MaxPixels";
    }

    private static string Pixels(long count) =>
        count >= 1_000_000 ? $"{(count / 1e6).ToString("0.#", CultureInfo.InvariantCulture)} megapixels" : $"{count} pixels";

    private static long ReadLimitFromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(MaxPixelsVariable);
        if (string.IsNullOrWhiteSpace(text))
            return DefaultMaxPixels;
        if (long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit > 0)
            return limit;
        throw new InvalidOperationException(
            $"{MaxPixelsVariable} is '{text}', not a positive whole number of pixels: set it to, say, 400000000 for " +
            $"400 megapixels, or unset it for the default of {Pixels(DefaultMaxPixels)}.");
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

    private static long[] GreyValues(ImageFile file, int bitDepth)
    {
        if (bitDepth == 16)
        {
            using var wide = file.Decode<L16>();
            var values = new L16[wide.Width * wide.Height];
            wide.CopyPixelDataTo(values);
            return Array.ConvertAll(values, v => (long)v.PackedValue);
        }
        using var image = file.Decode<L8>();
        var pixels = new byte[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        // ImageSharp stretches 1-, 2- and 4-bit grey to 0..255; the file's value is the id.
        var stretch = 255 / ((1 << bitDepth) - 1);
        return Array.ConvertAll(pixels, v => (long)(v / stretch));
    }

    private static long[] PaletteIndices(ImageFile file, ColourLookup lookup)
    {
        using var image = file.Decode<Rgb24>();
        var pixels = new Rgb24[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        var ids = new long[pixels.Length];
        for (var i = 0; i < pixels.Length; i++)
        {
            var p = pixels[i];
            if (!lookup.TryGetIndex(p, out var index))
                throw new InvalidDataException(
                    $"'{file.Path}': colour ({p.R},{p.G},{p.B}) at pixel (x={i % image.Width}, y={i / image.Width}) " +
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
