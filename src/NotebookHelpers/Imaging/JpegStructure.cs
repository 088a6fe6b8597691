using System.Buffers.Binary;

namespace NotebookHelpers.Imaging;

/// <summary>
/// A JPEG's markers, walked from SOI to EOI: ImageSharp 2 decodes a JPEG cut inside its scan data with the missing
/// blocks filled in grey, so a half-downloaded photo would be classified or scored as if it were whole. Every segment
/// must be complete, a frame header (SOF) must give the size before the first scan, and the end-of-image marker must
/// follow the scan data. Bytes after EOI (padding, or a camera's second picture) are left alone.
/// </summary>
internal static class JpegStructure
{
    private const byte Soi = 0xD8, Eoi = 0xD9, Sos = 0xDA, Tem = 0x01, Rst0 = 0xD0, Rst7 = 0xD7;

    public static bool HasSignature(ReadOnlySpan<byte> bytes) => bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == Soi && bytes[2] == 0xFF;

    /// <summary>The frame's width and height; throws <see cref="InvalidDataException"/> naming the file and what is wrong.</summary>
    public static (int Width, int Height) Read(string path, byte[] bytes)
    {
        (int Width, int Height)? size = null;
        var sawScan = false;
        var offset = 2;
        while (true)
        {
            var marker = NextMarker(path, bytes, ref offset, sawScan);
            if (marker == Eoi)
                return sawScan ? size!.Value : throw ImageFile.Corrupt(path, "its end-of-image marker comes before any scan data");
            if (marker == Tem || marker is >= Rst0 and <= Rst7)
                continue; // markers without a segment
            var segmentEnd = SegmentEnd(path, bytes, offset, marker);
            if (IsFrameHeader(marker))
                size ??= FrameSize(path, bytes.AsSpan(offset, segmentEnd - offset));
            if (marker == Sos)
            {
                if (size is null)
                    throw ImageFile.Corrupt(path, "its scan data comes before any frame header (SOF)");
                sawScan = true;
                offset = EndOfScanData(bytes, segmentEnd);
            }
            else
            {
                offset = segmentEnd;
            }
        }
    }

    /// <summary>The code of the marker at <paramref name="offset"/> (skipping fill bytes), leaving offset just after it.</summary>
    private static byte NextMarker(string path, byte[] bytes, ref int offset, bool sawScan)
    {
        while (offset < bytes.Length && bytes[offset] == 0xFF && offset + 1 < bytes.Length && bytes[offset + 1] == 0xFF)
            offset++; // fill bytes before a marker
        if (offset + 2 > bytes.Length)
            throw ImageFile.Truncated(path, sawScan
                ? "its image data ends early, before the end-of-image marker"
                : "it ends before its scan data");
        if (bytes[offset] != 0xFF)
            throw ImageFile.Corrupt(path, $"its marker structure is broken at byte {offset}");
        offset += 2;
        return bytes[offset - 1];
    }

    /// <summary>Where the segment whose length field is at <paramref name="offset"/> ends; it must lie inside the file.</summary>
    private static int SegmentEnd(string path, byte[] bytes, int offset, byte marker)
    {
        if (offset + 2 > bytes.Length)
            throw ImageFile.Truncated(path, $"it ends inside its 0xFF{marker:X2} segment");
        var length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(offset));
        if (length < 2)
            throw ImageFile.Corrupt(path, $"its 0xFF{marker:X2} segment has a length of {length}");
        if (offset + length > bytes.Length)
            throw ImageFile.Truncated(path, $"it ends inside its 0xFF{marker:X2} segment");
        return offset + length;
    }

    /// <summary>SOF0–SOF15, less DHT (C4), JPG (C8) and DAC (CC), which share the range.</summary>
    private static bool IsFrameHeader(byte marker) => marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC);

    /// <summary>A frame header: length (2), precision (1), height (2), width (2), components...</summary>
    private static (int Width, int Height) FrameSize(string path, ReadOnlySpan<byte> segment)
    {
        if (segment.Length < 7)
            throw ImageFile.Corrupt(path, "its frame header (SOF) is too short to hold a size");
        return (BinaryPrimitives.ReadUInt16BigEndian(segment[5..]), BinaryPrimitives.ReadUInt16BigEndian(segment[3..]));
    }

    /// <summary>
    /// The offset of the first marker after entropy-coded data: there a 0xFF byte is followed by 0x00 (a stuffed data
    /// byte) or by a restart marker, so any other 0xFF pair ends the data. The file's length when it never ends.
    /// </summary>
    private static int EndOfScanData(byte[] bytes, int offset)
    {
        while (true)
        {
            var found = bytes.AsSpan(offset).IndexOf((byte)0xFF);
            if (found < 0 || offset + found + 1 >= bytes.Length)
                return bytes.Length;
            var at = offset + found;
            var next = bytes[at + 1];
            if (next != 0x00 && next is not (>= Rst0 and <= Rst7))
                return at;
            offset = at + 2;
        }
    }
}
