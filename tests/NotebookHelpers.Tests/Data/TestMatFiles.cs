using System.Buffers.Binary;
using System.Text;

namespace NotebookHelpers.Tests.Data;

/// <summary>
/// Writes small uncompressed Level 5 MAT-files by the format's documentation (doubles, and a 1x1 struct of double
/// fields), so tests can make the broken variants of a SALICON fixation file they need.
/// </summary>
static class TestMatFiles
{
    const int MiInt8 = 1, MiInt32 = 5, MiUInt32 = 6, MiDouble = 9, MiMatrix = 14;
    const int MxStruct = 2, MxDouble = 6;

    /// <summary>A variable: a double matrix (rows x columns, given row by row) or a struct of such matrices.</summary>
    public abstract record Variable;
    public sealed record Doubles(int Rows, int Columns, params double[] RowMajor) : Variable;
    public sealed record Struct(params (string Field, Doubles Value)[] Fields) : Variable;

    public static string Write(string path, params (string Name, Variable Value)[] variables)
    {
        var file = new MemoryStream();
        var header = Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, written by the NotebookHelpers tests".PadRight(116));
        file.Write(header);
        file.Write(new byte[8]);                 // subsystem data offset
        file.Write([0x00, 0x01, (byte)'I', (byte)'M']); // version 0x0100, little-endian
        foreach (var (name, value) in variables) file.Write(Matrix(name, value));
        File.WriteAllBytes(path, file.ToArray());
        return path;
    }

    static byte[] Matrix(string name, Variable value)
    {
        var body = new MemoryStream();
        switch (value)
        {
            case Doubles d:
                body.Write(Element(MiUInt32, [.. Int32(MxDouble), 0, 0, 0, 0]));
                body.Write(Element(MiInt32, [.. Int32(d.Rows), .. Int32(d.Columns)]));
                body.Write(Element(MiInt8, Encoding.ASCII.GetBytes(name)));
                // Column-major, as MATLAB stores it.
                var data = new List<byte>();
                for (int c = 0; c < d.Columns; c++)
                    for (int r = 0; r < d.Rows; r++)
                        data.AddRange(BitConverter.GetBytes(d.RowMajor[r * d.Columns + c]));
                body.Write(Element(MiDouble, [.. data]));
                break;
            case Struct s:
                const int fieldLength = 32;
                body.Write(Element(MiUInt32, [.. Int32(MxStruct), 0, 0, 0, 0]));
                body.Write(Element(MiInt32, [.. Int32(1), .. Int32(1)]));
                body.Write(Element(MiInt8, Encoding.ASCII.GetBytes(name)));
                body.Write(Element(MiInt32, Int32(fieldLength)));
                body.Write(Element(MiInt8, [.. s.Fields.SelectMany(f => Encoding.ASCII.GetBytes(f.Field.PadRight(fieldLength, '\0')))]));
                foreach (var (_, field) in s.Fields) body.Write(Matrix("", field));
                break;
        }
        return Element(MiMatrix, body.ToArray());
    }

    /// <summary>A tag (type, byte count) and the data, padded to 8 bytes.</summary>
    static byte[] Element(int type, byte[] data)
    {
        var padded = new byte[8 + ((data.Length + 7) & ~7)];
        BinaryPrimitives.WriteInt32LittleEndian(padded, type);
        BinaryPrimitives.WriteInt32LittleEndian(padded.AsSpan(4), data.Length);
        data.CopyTo(padded, 8);
        return padded;
    }

    static byte[] Int32(int value) => BitConverter.GetBytes(value);
}
