using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace NotebookHelpers.Tests.Imaging;

/// <summary>
/// Writes PNG files byte for byte as the specification lays them out, so a fixture's palette order and bit depth are
/// exactly what the test says (an encoder is free to reorder a palette).
/// </summary>
public static class TestPng
{
    public const int Grey = 0, Truecolour = 2, Indexed = 3;

    /// <summary>An 8-bit indexed PNG whose pixel (y, x) holds palette index indices[y, x].</summary>
    public static void WriteIndexed(string path, byte[,] indices, IReadOnlyList<(byte R, byte G, byte B)> palette)
    {
        var (height, width) = (indices.GetLength(0), indices.GetLength(1));
        var rows = new byte[height * width];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                rows[y * width + x] = indices[y, x];
        var plte = palette.SelectMany(c => new[] { c.R, c.G, c.B }).ToArray();
        Write(path, width, height, bitDepth: 8, Indexed, rows, plte);
    }

    /// <summary>
    /// A PNG of the given colour type and bit depth from rows already packed (no filter bytes); every row gets filter
    /// type <paramref name="filter"/> (0, None, unless a test wants one PNG does not define).
    /// </summary>
    public static void Write(string path, int width, int height, int bitDepth, int colourType, byte[] packedRows,
        byte[]? palette = null, byte filter = 0)
    {
        var rowBytes = packedRows.Length / height;
        using var file = System.IO.File.Create(path);
        file.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)bitDepth;
        header[9] = (byte)colourType;
        WriteChunk(file, "IHDR", header);
        if (palette is not null)
            WriteChunk(file, "PLTE", palette);
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            for (var y = 0; y < height; y++)
            {
                zlib.WriteByte(filter);
                zlib.Write(packedRows, y * rowBytes, rowBytes);
            }
        WriteChunk(file, "IDAT", compressed.ToArray());
        WriteChunk(file, "IEND", []);
    }

    /// <summary>
    /// An 8-bit grey PNG of zeros, compressed row by row: a 20000×20000 file is about 400 KB on disk yet 400 MB of pixels
    /// once decoded (a decompression bomb), and writing it never holds more than one row in memory.
    /// </summary>
    public static void WriteBlankGrey(string path, int width, int height)
    {
        using var file = System.IO.File.Create(path);
        file.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = Grey;
        WriteChunk(file, "IHDR", header);
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[width + 1]; // filter byte None, then the row's zeros
            for (var y = 0; y < height; y++)
                zlib.Write(row);
        }
        WriteChunk(file, "IDAT", compressed.ToArray());
        WriteChunk(file, "IEND", []);
    }

    /// <summary>
    /// The PNG with its pixel data (the inflated IDAT stream: a filter byte and packed pixels per row) replaced by
    /// <paramref name="edit"/>'s, in one IDAT chunk with a right checksum; every other chunk stays as it was.
    /// </summary>
    public static byte[] WithPixelData(byte[] png, Func<byte[], byte[]> edit)
    {
        var chunks = new List<(string Type, byte[] Data)>();
        for (var offset = 8; offset + 12 <= png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            chunks.Add((Encoding.ASCII.GetString(png, offset + 4, 4), png[(offset + 8)..(offset + 8 + length)]));
            offset += 12 + length;
        }
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(new MemoryStream(chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray()), CompressionMode.Decompress))
            zlib.CopyTo(inflated);
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            zlib.Write(edit(inflated.ToArray()));
        using var output = new MemoryStream();
        output.Write(png.AsSpan(0, 8));
        var firstIdat = chunks.FindIndex(c => c.Type == "IDAT");
        for (var i = 0; i < chunks.Count; i++)
        {
            if (i == firstIdat)
                WriteChunk(output, "IDAT", compressed.ToArray());
            else if (chunks[i].Type != "IDAT")
                WriteChunk(output, chunks[i].Type, chunks[i].Data);
        }
        return output.ToArray();
    }

    /// <summary>Where the data of the first chunk of <paramref name="type"/> starts and how long it is.</summary>
    public static (int Data, int Length) FindChunk(byte[] png, string type)
    {
        var offset = 8;
        while (offset + 8 <= png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            if (Encoding.ASCII.GetString(png, offset + 4, 4) == type)
                return (offset + 8, length);
            offset += 12 + length;
        }
        throw new ArgumentException($"no {type} chunk");
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        stream.Write(word);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        stream.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typeAndData));
        stream.Write(word);
    }

    /// <summary>CRC-32 as PNG defines it (ISO 3309, reflected polynomial 0xEDB88320).</summary>
    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}

public static class Tensors
{
    /// <summary>Same shape, same dtype, same values (TorchSharp's <c>Tensor.equal</c> is element-wise).</summary>
    public static bool Identical(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();
}
