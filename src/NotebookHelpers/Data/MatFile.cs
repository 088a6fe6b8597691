using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace NotebookHelpers.Data;

/// <summary>A MATLAB array read from a .mat file: numbers (column-major, as doubles), text, a struct array or a cell array.</summary>
public abstract record MatValue(int[] Dimensions)
{
    public int Count => Dimensions.Aggregate(1, (a, b) => a * b);
}

/// <summary>A numeric or logical array, converted to doubles, in MATLAB's column-major order.</summary>
public sealed record MatNumeric(int[] Dimensions, double[] Values) : MatValue(Dimensions)
{
    /// <summary>Element (row, column) of a 2-D array.</summary>
    public double this[int row, int column] => Values[column * Dimensions[0] + row];
}

/// <summary>A character array.</summary>
public sealed record MatText(int[] Dimensions, string Text) : MatValue(Dimensions);

/// <summary>A struct array: for each element, its fields by name.</summary>
public sealed record MatStruct(int[] Dimensions, IReadOnlyList<string> FieldNames, IReadOnlyList<IReadOnlyDictionary<string, MatValue>> Elements) : MatValue(Dimensions);

/// <summary>A cell array.</summary>
public sealed record MatCell(int[] Dimensions, IReadOnlyList<MatValue> Items) : MatValue(Dimensions);

/// <summary>
/// Reads MATLAB's Level 5 MAT-files (what <c>save</c> writes by default up to v7, compressed or not), enough for
/// datasets that ship annotations as .mat: numeric, logical, character, struct and cell arrays. Sparse and object
/// arrays, and v7.3 files (HDF5), are refused with a message that says so.
/// </summary>
public static class MatFile
{
    const int MiInt8 = 1, MiUInt8 = 2, MiInt16 = 3, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6, MiSingle = 7, MiDouble = 9,
        MiInt64 = 12, MiUInt64 = 13, MiMatrix = 14, MiCompressed = 15, MiUtf8 = 16, MiUtf16 = 17, MiUtf32 = 18;
    const int MxCell = 1, MxStruct = 2, MxChar = 4, MxSparse = 5;

    /// <summary>The top-level variables of a .mat file, by name.</summary>
    /// <exception cref="InvalidDataException">The file is not a Level 5 MAT-file, or it is truncated or damaged; the message names it.</exception>
    public static IReadOnlyDictionary<string, MatValue> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (LooksLikeVersion4(bytes))
            throw new InvalidDataException($"{path} is a MATLAB v4 MAT-file, which this reader does not handle; re-save it in MATLAB with save(..., '-v7').");
        if (bytes.Length < 128) throw new InvalidDataException($"{path} is too short to be a MAT-file ({bytes.Length} bytes; the header alone is 128).");
        var header = Encoding.ASCII.GetString(bytes, 0, 116);
        if (header.StartsWith("MATLAB 7.3", StringComparison.Ordinal) || (bytes.Length > 512 && Encoding.ASCII.GetString(bytes, 512, 4) == "\x89HDF"))
            throw new InvalidDataException($"{path} is a MAT-file v7.3 (HDF5), which this reader does not handle; re-save it with save(..., '-v7').");
        if (bytes[126] != 'I' || bytes[127] != 'M')
            throw new InvalidDataException($"{path} is not a little-endian Level 5 MAT-file.");
        try
        {
            return Variables(bytes);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or InvalidDataException or OverflowException or EndOfStreamException)
        {
            // A cut download ends inside an element or its compressed stream: every read past the end lands here.
            var why = e is InvalidDataException && !e.Message.Contains("zlib", StringComparison.OrdinalIgnoreCase) && e.Message.StartsWith("variable", StringComparison.Ordinal)
                ? e.Message
                : "it ends inside a data element (truncated download?) or its data is damaged";
            throw new InvalidDataException($"{path} cannot be read: {why}.", e);
        }
    }

    static Dictionary<string, MatValue> Variables(byte[] bytes)
    {
        var variables = new Dictionary<string, MatValue>();
        int offset = 128;
        while (offset + 8 <= bytes.Length)
        {
            var (type, size, dataOffset, next) = Tag(bytes, offset);
            if (size < 0 || dataOffset + size > bytes.Length) throw new EndOfStreamException();
            if (type == MiCompressed)
            {
                next = dataOffset + size; // compressed elements are not padded to 8 bytes
                var inflated = Inflate(bytes, dataOffset, size);
                var (innerType, innerSize, innerData, _) = Tag(inflated, 0);
                if (innerData + innerSize > inflated.Length) throw new EndOfStreamException();
                if (innerType == MiMatrix) Add(variables, Matrix(inflated, innerData, innerSize));
            }
            else if (type == MiMatrix)
            {
                Add(variables, Matrix(bytes, dataOffset, size));
            }
            offset = next;
        }
        if (offset < bytes.Length) throw new EndOfStreamException(); // a cut inside the last tag
        return variables;
    }

    /// <summary>
    /// A v4 MAT-file has no text header: it starts with a 20-byte matrix header whose first word (MOPT) is a small
    /// number (0 for a little-endian double matrix) followed by rows, columns, the imaginary flag (0 or 1) and the
    /// name's length, none of which a v5 file's text header ("MATLAB 5.0 ...") can look like.
    /// </summary>
    static bool LooksLikeVersion4(byte[] bytes)
    {
        if (bytes.Length < 20) return false;
        int Word(int i) => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4 * i));
        int mopt = Word(0), rows = Word(1), columns = Word(2), imaginary = Word(3), nameLength = Word(4);
        return mopt is >= 0 and <= 4052 && mopt % 10 <= 5 && rows >= 0 && columns >= 0 && imaginary is 0 or 1 && nameLength is > 0 and < 64;
    }

    static void Add(Dictionary<string, MatValue> variables, (string Name, MatValue Value) variable) => variables[variable.Name] = variable.Value;

    static byte[] Inflate(byte[] bytes, int offset, int length)
    {
        using var input = new ZLibStream(new MemoryStream(bytes, offset, length), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>A data element's tag: its type and byte count, where its data starts and where the next element starts
    /// (data is padded to 8 bytes; a "small" element packs up to 4 bytes into the tag itself).</summary>
    static (int Type, int Size, int Data, int Next) Tag(byte[] b, int offset)
    {
        uint first = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(offset));
        if ((first >> 16) != 0)
            return ((int)(first & 0xffff), (int)(first >> 16), offset + 4, offset + 8);
        int size = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(offset + 4));
        return ((int)first, size, offset + 8, offset + 8 + ((size + 7) & ~7));
    }

    static (string Name, MatValue Value) Matrix(byte[] b, int offset, int size)
    {
        int end = offset + size;
        var (_, _, flagsData, afterFlags) = Tag(b, offset);
        int mxClass = b[flagsData] & 0xff;
        bool isComplex = (b[flagsData + 1] & 0x08) != 0;
        var (_, dimsSize, dimsData, afterDims) = Tag(b, afterFlags);
        var dimensions = Enumerable.Range(0, dimsSize / 4).Select(i => BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(dimsData + 4 * i))).ToArray();
        var (_, nameSize, nameData, afterName) = Tag(b, afterDims);
        var name = Encoding.ASCII.GetString(b, nameData, nameSize);
        if (mxClass == MxSparse) throw new InvalidDataException($"variable '{name}' is a sparse array, which this reader does not handle");
        if (isComplex) throw new InvalidDataException($"variable '{name}' is complex, which this reader does not handle");
        int count = dimensions.Aggregate(1, (a, d) => a * d);
        MatValue value = mxClass switch
        {
            MxStruct => Struct(b, afterName, end, dimensions, count),
            MxCell => new MatCell(dimensions, Elements(b, afterName, end, count).ToList()),
            MxChar => new MatText(dimensions, Text(b, afterName)),
            >= 6 and <= 15 => new MatNumeric(dimensions, Numbers(b, afterName)),
            _ => throw new InvalidDataException($"variable '{name}' is of MATLAB class {mxClass}, which this reader does not handle"),
        };
        return (name, value);
    }

    static MatStruct Struct(byte[] b, int offset, int end, int[] dimensions, int count)
    {
        var (_, _, lengthData, afterLength) = Tag(b, offset);
        int fieldLength = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(lengthData));
        var (_, namesSize, namesData, afterNames) = Tag(b, afterLength);
        var names = Enumerable.Range(0, fieldLength == 0 ? 0 : namesSize / fieldLength)
            .Select(i => Encoding.ASCII.GetString(b, namesData + i * fieldLength, fieldLength).TrimEnd('\0'))
            .ToList();
        var values = Elements(b, afterNames, end, count * names.Count).ToList();
        // Fields are stored element by element: all fields of element 0, then element 1, ...
        var elements = Enumerable.Range(0, count)
            .Select(e => (IReadOnlyDictionary<string, MatValue>)names.Select((n, f) => (n, values[e * names.Count + f])).ToDictionary(x => x.n, x => x.Item2))
            .ToList();
        return new MatStruct(dimensions, names, elements);
    }

    static IEnumerable<MatValue> Elements(byte[] b, int offset, int end, int count)
    {
        for (int i = 0; i < count && offset < end; i++)
        {
            var (type, size, data, next) = Tag(b, offset);
            if (type != MiMatrix) throw new InvalidDataException($"expected an array inside a struct or cell, found element type {type}");
            // An empty element has a tag of size 0 and no header.
            yield return size == 0 ? new MatNumeric([0, 0], []) : Matrix(b, data, size).Value;
            offset = next;
        }
    }

    static double[] Numbers(byte[] b, int offset)
    {
        var (type, size, data, _) = Tag(b, offset);
        (int width, Func<int, double> read) = type switch
        {
            MiDouble => (8, (Func<int, double>)(i => BinaryPrimitives.ReadDoubleLittleEndian(b.AsSpan(i)))),
            MiSingle => (4, i => BinaryPrimitives.ReadSingleLittleEndian(b.AsSpan(i))),
            MiInt8 => (1, i => (sbyte)b[i]),
            MiUInt8 => (1, i => b[i]),
            MiInt16 => (2, i => BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(i))),
            MiUInt16 => (2, i => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(i))),
            MiInt32 => (4, i => BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(i))),
            MiUInt32 => (4, i => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(i))),
            MiInt64 => (8, i => BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(i))),
            MiUInt64 => (8, i => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(i))),
            _ => throw new InvalidDataException($"numeric data of element type {type} is not handled"),
        };
        var values = new double[size / width];
        for (int i = 0; i < values.Length; i++) values[i] = read(data + i * width);
        return values;
    }

    static string Text(byte[] b, int offset)
    {
        var (type, size, data, _) = Tag(b, offset);
        return type switch
        {
            MiUtf8 or MiUInt8 or MiInt8 => Encoding.UTF8.GetString(b, data, size),
            MiUtf16 or MiUInt16 => Encoding.Unicode.GetString(b, data, size),
            MiUtf32 => Encoding.UTF32.GetString(b, data, size),
            _ => throw new InvalidDataException($"text of element type {type} is not handled"),
        };
    }
}
