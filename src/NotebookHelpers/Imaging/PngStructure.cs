using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SixLabors.ImageSharp.PixelFormats;

namespace NotebookHelpers.Imaging;

/// <summary>
/// A PNG's chunks, walked and checked the way ImageSharp 2 does not: it decodes a file cut inside its image data with
/// the missing rows left black, and a file without IEND as if it were whole. Here every chunk must be complete with a
/// matching CRC, IHDR must come first, IEND must be reached, and the compressed pixel data must inflate to as many
/// bytes as the header's size promises (<see cref="RequireCompletePixelData"/>). Also gives the IHDR fields and the
/// PLTE entries, which <see cref="ImageIO.LoadClassIds"/> needs (ImageSharp 2 decodes indexed PNGs to RGB).
/// </summary>
internal sealed record PngStructure(int Width, int Height, int BitDepth, int ColorType, bool Interlaced, Rgb24[] Palette, byte[] CompressedPixels)
{
    // IHDR colour types (PNG specification, 11.2.2).
    public const int Grey = 0, Truecolour = 2, Indexed = 3, GreyWithAlpha = 4, TruecolourWithAlpha = 6;

    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    public static bool HasSignature(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Signature);

    /// <summary>Walks every chunk up to IEND; throws <see cref="InvalidDataException"/> naming the file and what is wrong.</summary>
    public static PngStructure Read(string path, byte[] bytes)
    {
        var reader = new ChunkReader(path, bytes);
        var header = reader.Next();
        if (header.Type != "IHDR" || header.Data.Length < 13)
            throw ImageFile.Corrupt(path, "it does not begin with an IHDR header chunk");
        var png = FromHeader(path, header.Data.Span);
        var compressed = new MemoryStream();
        for (var chunk = reader.Next(); chunk.Type != "IEND"; chunk = reader.Next())
        {
            if (chunk.Type == "IDAT")
                compressed.Write(chunk.Data.Span);
            else if (chunk.Type == "PLTE")
                png = png with { Palette = PaletteOf(chunk.Data.Span) };
        }
        if (compressed.Length == 0)
            throw ImageFile.Corrupt(path, "it has no IDAT chunk, so no pixels");
        return png with { CompressedPixels = compressed.ToArray() };
    }

    /// <summary>
    /// Inflates the pixel data, keeping none of it, and requires the bytes the header's size promises (a filter byte and
    /// the packed pixels of every row, of every Adam7 pass when interlaced). A file can be whole chunk by chunk yet hold
    /// too short a stream: ImageSharp would fill the missing rows with black.
    /// </summary>
    public void RequireCompletePixelData(string path)
    {
        var expected = ExpectedPixelBytes();
        long inflated = 0;
        var buffer = new byte[1 << 16];
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(CompressedPixels), CompressionMode.Decompress);
            for (int read; inflated < expected && (read = zlib.Read(buffer)) > 0;)
                inflated += read;
        }
        catch (InvalidDataException e)
        {
            throw ImageFile.Corrupt(path, "its compressed pixel data does not inflate", e);
        }
        if (inflated < expected)
            throw ImageFile.Truncated(path, $"its pixel data ends early ({inflated} of the {expected} bytes its {Width}×{Height} header promises)");
    }

    private static PngStructure FromHeader(string path, ReadOnlySpan<byte> ihdr)
    {
        int width = BinaryPrimitives.ReadInt32BigEndian(ihdr), height = BinaryPrimitives.ReadInt32BigEndian(ihdr[4..]);
        int bitDepth = ihdr[8], colorType = ihdr[9], interlace = ihdr[12];
        if (width <= 0 || height <= 0)
            throw ImageFile.Corrupt(path, $"its IHDR header gives a size of {(uint)width}×{(uint)height} pixels");
        if (BitsPerSample(colorType, bitDepth) is null || interlace > 1)
            throw ImageFile.Corrupt(path, $"its IHDR header gives colour type {colorType} at bit depth {bitDepth}, interlace {interlace}, which PNG does not define");
        return new PngStructure(width, height, bitDepth, colorType, interlace == 1, [], []);
    }

    private static Rgb24[] PaletteOf(ReadOnlySpan<byte> plte)
    {
        var palette = new Rgb24[plte.Length / 3];
        for (var i = 0; i < palette.Length; i++)
            palette[i] = new Rgb24(plte[3 * i], plte[3 * i + 1], plte[3 * i + 2]);
        return palette;
    }

    /// <summary>Bits per pixel for the colour types and bit depths the specification allows (table 11.1), else null.</summary>
    private static int? BitsPerSample(int colorType, int bitDepth) => (colorType, bitDepth) switch
    {
        (Grey, 1 or 2 or 4 or 8 or 16) => bitDepth,
        (Indexed, 1 or 2 or 4 or 8) => bitDepth,
        (Truecolour, 8 or 16) => 3 * bitDepth,
        (GreyWithAlpha, 8 or 16) => 2 * bitDepth,
        (TruecolourWithAlpha, 8 or 16) => 4 * bitDepth,
        _ => null,
    };

    // Adam7's passes: first column and row, and the steps between them (PNG specification, 8.2).
    private static readonly (int X, int Y, int StepX, int StepY)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    private long ExpectedPixelBytes()
    {
        var bitsPerPixel = BitsPerSample(ColorType, BitDepth)!.Value;
        long Bytes(long width, long height) => width == 0 || height == 0 ? 0 : height * (1 + (width * bitsPerPixel + 7) / 8);
        if (!Interlaced)
            return Bytes(Width, Height);
        return Adam7.Sum(pass => Bytes(Steps(Width, pass.X, pass.StepX), Steps(Height, pass.Y, pass.StepY)));
    }

    private static long Steps(int size, int first, int step) => size <= first ? 0 : (size - first + step - 1) / step;

    /// <summary>One chunk: its four-letter type and its data.</summary>
    private readonly record struct Chunk(string Type, ReadOnlyMemory<byte> Data);

    /// <summary>Reads chunk after chunk, checking that each is whole and that its CRC matches.</summary>
    private sealed class ChunkReader(string path, byte[] bytes)
    {
        private int offset = Signature.Length;
        private string? last;

        public Chunk Next()
        {
            if (offset + 8 > bytes.Length)
                throw ImageFile.Truncated(path, last is null ? "it ends inside its signature" : $"it ends after its {last} chunk, before the IEND chunk");
            var length = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset));
            var typeBytes = bytes.AsSpan(offset + 4, 4);
            if (!IsChunkType(typeBytes))
                throw ImageFile.Corrupt(path, $"its chunk structure is broken at byte {offset}");
            var type = Encoding.ASCII.GetString(typeBytes);
            if (length > int.MaxValue || offset + 12L + length > bytes.Length)
                throw ImageFile.Truncated(path, type == "IDAT" ? "its image data ends early, inside an IDAT chunk" : $"it ends inside its {type} chunk");
            var crcEnd = offset + 8 + (int)length;
            if (Crc32.Of(bytes.AsSpan(offset + 4, 4 + (int)length)) != BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(crcEnd)))
                throw ImageFile.Corrupt(path, $"the checksum of its {type} chunk does not match its data");
            var chunk = new Chunk(type, bytes.AsMemory(offset + 8, (int)length));
            offset = crcEnd + 4;
            last = type;
            return chunk;
        }

        private static bool IsChunkType(ReadOnlySpan<byte> type)
        {
            foreach (var b in type)
                if (!char.IsAsciiLetter((char)b))
                    return false;
            return true;
        }
    }

    /// <summary>
    /// CRC-32 as PNG defines it (ISO 3309, reflected polynomial 0xEDB88320), eight bytes a step ("slicing by 8"):
    /// table k gives the CRC of a byte followed by k zero bytes, so eight lookups replace eight rounds. Every byte of a
    /// PNG passes through it, so it is worth the 8 KB of tables.
    /// </summary>
    private static class Crc32
    {
        private static readonly uint[] Tables = BuildTables();

        public static uint Of(ReadOnlySpan<byte> bytes)
        {
            var t = Tables;
            var crc = 0xFFFFFFFFu;
            for (; bytes.Length >= 8; bytes = bytes[8..])
            {
                var low = BinaryPrimitives.ReadUInt32LittleEndian(bytes) ^ crc;
                var high = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
                crc = t[7 * 256 + (low & 0xFF)] ^ t[6 * 256 + ((low >> 8) & 0xFF)] ^ t[5 * 256 + ((low >> 16) & 0xFF)] ^ t[4 * 256 + (low >> 24)]
                    ^ t[3 * 256 + (high & 0xFF)] ^ t[2 * 256 + ((high >> 8) & 0xFF)] ^ t[256 + ((high >> 16) & 0xFF)] ^ t[high >> 24];
            }
            foreach (var b in bytes)
                crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8);
            return ~crc;
        }

        private static uint[] BuildTables()
        {
            var t = new uint[8 * 256];
            for (var n = 0u; n < 256; n++)
            {
                var c = n;
                for (var k = 0; k < 8; k++)
                    c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                t[n] = c;
            }
            for (var i = 256; i < t.Length; i++)
                t[i] = (t[i - 256] >> 8) ^ t[t[i - 256] & 0xFF];
            return t;
        }
    }
}
