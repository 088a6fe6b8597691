using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;

namespace NotebookHelpers.Imaging;

/// <summary>
/// An image file read whole and checked before ImageSharp decodes it, since ImageSharp 2 is lenient where a loader must
/// not be: it fills in what a truncated PNG or JPEG lacks (a half-downloaded saliency map then scores AUC-Judd 0.50,
/// silently), and it allocates whatever size a header declares (a 90 KB PNG can ask for 20000×20000 pixels, 6–9 GB).
/// So the file must be a PNG (<see cref="PngStructure"/>) or a JPEG (<see cref="JpegStructure"/>) that is whole, and
/// its header's size within <see cref="ImageIO.MaxPixels"/>, before any pixel memory is taken. Every refusal is an
/// <see cref="InvalidDataException"/> of one line that names the file, says what is wrong and what to do.
/// </summary>
internal sealed class ImageFile
{
    private readonly byte[] bytes;

    private ImageFile(string path, byte[] bytes, PngStructure? png, int width, int height)
    {
        this.bytes = bytes;
        (Path, Png, Width, Height) = (path, png, width, height);
    }

    public string Path { get; }

    /// <summary>The PNG's chunks; null for a JPEG.</summary>
    public PngStructure? Png { get; }

    public int Width { get; }

    public int Height { get; }

    private string FormatName => Png is null ? "JPEG" : "PNG";

    /// <summary>Reads and checks <paramref name="path"/>: a whole PNG or JPEG within the pixel limit, or an exception.</summary>
    public static ImageFile Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Image file not found: {System.IO.Path.GetFullPath(path)}", path);
        var bytes = File.ReadAllBytes(path);
        if (PngStructure.HasSignature(bytes))
        {
            var png = PngStructure.Read(path, bytes);
            RequireWithinLimit(path, png.Width, png.Height);
            RequireDecodableInterlacing(path, png);
            png.RequireCompletePixelData(path); // inflates: only once the size is known to be reasonable
            return new ImageFile(path, bytes, png, png.Width, png.Height);
        }
        if (JpegStructure.HasSignature(bytes))
        {
            var (width, height) = JpegStructure.Read(path, bytes);
            RequireWithinLimit(path, width, height);
            return new ImageFile(path, bytes, null, width, height);
        }
        throw Unreadable(path, WhatElseItIs(bytes));
    }

    /// <summary>Decodes the checked bytes with the decoder of their format; what ImageSharp still refuses is one clean line.</summary>
    public Image<TPixel> Decode<TPixel>() where TPixel : unmanaged, IPixel<TPixel>
    {
        IImageDecoder decoder = Png is null ? new JpegDecoder() : new PngDecoder();
        try
        {
            return Image.Load<TPixel>(bytes, decoder);
        }
        catch (NotSupportedException e)
        {
            throw Unreadable(Path, $"it uses a {FormatName} feature that ImageSharp does not decode (re-save it as a baseline JPEG or a PNG)", e);
        }
        catch (InvalidMemoryOperationException e)
        {
            throw new InvalidDataException($"'{Path}' ({Width}×{Height} pixels) does not fit in the memory ImageSharp may use to decode it.", e);
        }
        catch (Exception e) when (e is ImageFormatException or InvalidDataException or EndOfStreamException)
        {
            // ImageSharp's own text (the decoder's internals) stays in InnerException.
            throw Corrupt(Path, $"its {FormatName} data does not decode", e);
        }
    }

    public static InvalidDataException Truncated(string path, string why, Exception? inner = null) =>
        new($"'{path}' is truncated: {why} (re-download or re-export it).", inner);

    public static InvalidDataException Corrupt(string path, string why, Exception? inner = null) =>
        new($"'{path}' is corrupt: {why} (re-download or re-export it).", inner);

    public static InvalidDataException Unreadable(string path, string why, Exception? inner = null) =>
        new($"'{path}' is not a readable PNG/JPEG image: {why}.", inner);

    private static void RequireWithinLimit(string path, int width, int height)
    {
        if (ImageIO.SizeAboveLimit(width, height) is { } tooLarge)
            throw new InvalidDataException($"'{path}' is {tooLarge}.");
    }

    /// <summary>
    /// ImageSharp 2.1 loops forever, or fails with "Unknown filter type", on valid Adam7-interlaced PNGs narrower than
    /// five pixels (some of their passes are empty), so those are refused rather than left to hang a data loader.
    /// </summary>
    private static void RequireDecodableInterlacing(string path, PngStructure png)
    {
        if (png.Interlaced && png.Width < 5)
            throw Unreadable(path, $"it is interlaced (Adam7) and only {png.Width} pixel(s) wide, which ImageSharp cannot decode; re-save it without interlacing");
    }

    /// <summary>What a file that is neither PNG nor JPEG seems to be, from the signatures ImageSharp would also accept.</summary>
    private static string WhatElseItIs(byte[] bytes)
    {
        if (bytes.Length == 0)
            return "it is empty";
        var start = Encoding.ASCII.GetString(bytes, 0, Math.Min(bytes.Length, 12));
        string? format = start switch
        {
            _ when start.StartsWith("BM", StringComparison.Ordinal) => "BMP",
            _ when start.StartsWith("GIF8", StringComparison.Ordinal) => "GIF",
            _ when start.StartsWith("RIFF", StringComparison.Ordinal) && start.Length == 12 && start.EndsWith("WEBP", StringComparison.Ordinal) => "WebP",
            _ when start.StartsWith("II*\0", StringComparison.Ordinal) || start.StartsWith("MM\0*", StringComparison.Ordinal) => "TIFF",
            _ => null,
        };
        return format is null
            ? "it starts with neither the PNG nor the JPEG signature"
            : $"it is a {format} image; only PNG and JPEG are read (convert it to PNG)";
    }
}
