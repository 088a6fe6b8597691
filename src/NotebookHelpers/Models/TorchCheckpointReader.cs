using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using static TorchSharp.torch;

namespace NotebookHelpers.Models;

/// <summary>
/// Reads the state dicts <c>torch.save</c> writes, in both of PyTorch's formats:
/// <list type="bullet">
/// <item>the zip format (PyTorch 1.6 and later): <c>archive/data.pkl</c>, a pickle of the state dict in which every
/// storage is a persistent id, and each storage's raw little-endian bytes in <c>archive/data/&lt;key&gt;</c>;</item>
/// <item>the legacy format of torchvision's oldest published weights (<c>vgg16-397923af.pth</c>,
/// <c>vgg19-dcbb9e9d.pth</c>, <c>vgg16_bn-6c64b313.pth</c>): five consecutive pickles (a magic number, the protocol
/// version 1001, system info, the state dict, the sorted storage keys), then each storage as an int64 element count
/// and its bytes.</item>
/// </list>
/// TorchSharp.PyBridge 1.4.4 reads only the zip format, and there it fails on tensors that are not contiguous or that
/// start at an offset into their storage (measured: "Bytes() called on non-contiguous tensor", "out of bounds for
/// storage"), which checkpoints with shared storages have. This reader handles both; a small pickle machine knows the
/// opcodes <c>torch.save</c> emits and builds nothing but dictionaries, tuples, lists, numbers, strings and tensor
/// references: no code from the file runs.
/// </summary>
public static class TorchCheckpointReader
{
    static readonly BigInteger MagicNumber = BigInteger.Parse("1950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber);
    const int ProtocolVersion = 1001;

    /// <summary>True when the bytes start like a legacy checkpoint: pickle protocol 2, then the magic number.</summary>
    public static bool IsLegacy(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && head[0] == 0x80 && head[1] == 0x02 && head[2] == 0x8a && head[3] == 0x0a;

    /// <summary>True when the bytes start like a zip archive, the format of torch.save since PyTorch 1.6.</summary>
    public static bool IsZip(ReadOnlySpan<byte> head) => head.Length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;

    /// <summary>The tensors of a state dict saved by torch.save, by name, on the CPU.</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        var head = new byte[4];
        using (var stream = File.OpenRead(path)) stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (IsZip(head)) return ReadZip(path);
        if (IsLegacy(head)) return ReadLegacy(File.ReadAllBytes(path));
        throw new InvalidDataException("it starts neither like a zip archive nor like a legacy PyTorch pickle");
    }

    static Dictionary<string, Tensor> ReadZip(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var pickle = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) || e.FullName == "data.pkl")
            ?? throw new InvalidDataException("the archive has no data.pkl: not written by torch.save");
        var prefix = pickle.FullName[..^"data.pkl".Length];
        var reader = new PickleReader(ReadEntry(pickle));
        var root = reader.Load();
        var storages = new Dictionary<string, (ScalarType, byte[])>();
        foreach (var (key, type) in reader.StorageTypes)
        {
            var entry = zip.GetEntry($"{prefix}data/{key}") ?? throw new InvalidDataException($"storage {key} is missing from the archive: truncated download?");
            storages[key] = (type, ReadEntry(entry));
        }
        return Tensors(root, storages);
    }

    static byte[] ReadEntry(ZipArchiveEntry entry)
    {
        var bytes = new byte[entry.Length];
        using var stream = entry.Open();
        stream.ReadExactly(bytes);
        return bytes;
    }

    static Dictionary<string, Tensor> ReadLegacy(byte[] bytes)
    {
        var reader = new PickleReader(bytes);
        if (reader.Load() is not BigInteger magic || magic != MagicNumber)
            throw new InvalidDataException("not a legacy PyTorch checkpoint (no magic number)");
        if (reader.Load() is not long version || version != ProtocolVersion)
            throw new InvalidDataException("unsupported legacy PyTorch protocol version");
        reader.Load(); // system info: endianness and type sizes, little-endian on every platform torchvision used
        var root = reader.Load();
        if (reader.Load() is not List<object?> keys)
            throw new InvalidDataException("the storage key list is missing");

        var storages = new Dictionary<string, (ScalarType, byte[])>();
        int offset = reader.Position;
        foreach (var key in keys.Cast<string>())
        {
            var type = reader.StorageTypes.TryGetValue(key, out var t) ? t : throw new InvalidDataException($"storage {key} is never referenced");
            if (offset + 8 > bytes.Length) throw new InvalidDataException($"the file ends before storage {key}: truncated download?");
            long count = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(offset, 8));
            offset += 8;
            long length = count * ElementSize(type);
            if (offset + length > bytes.Length) throw new InvalidDataException($"the file ends inside storage {key}: truncated download?");
            storages[key] = (type, bytes.AsSpan(offset, (int)length).ToArray());
            offset += (int)length;
        }
        return Tensors(root, storages);
    }

    static Dictionary<string, Tensor> Tensors(object? root, Dictionary<string, (ScalarType Type, byte[] Data)> storages)
    {
        if (root is not Dictionary<object, object?> dict)
            throw new InvalidDataException("the checkpoint holds no dictionary of tensors (a whole pickled model, not a state dict?)");
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, value) in dict)
            if (value is TensorReference reference) // entries that are not tensors (nested metadata) are not weights
                tensors[(string)name] = reference.Build(storages);
        return tensors;
    }

    static long ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    static ScalarType StorageType(string name) => name switch
    {
        "FloatStorage" => ScalarType.Float32,
        "DoubleStorage" => ScalarType.Float64,
        "HalfStorage" => ScalarType.Float16,
        "BFloat16Storage" => ScalarType.BFloat16,
        "LongStorage" => ScalarType.Int64,
        "IntStorage" => ScalarType.Int32,
        "ShortStorage" => ScalarType.Int16,
        "CharStorage" => ScalarType.Int8,
        "ByteStorage" => ScalarType.Byte,
        "BoolStorage" => ScalarType.Bool,
        _ => throw new InvalidDataException($"unsupported storage type torch.{name}"),
    };

    sealed record Global(string Module, string Name);

    /// <summary>A storage as the pickle names it: its key, and for an old-style view, the offset into the root storage.</summary>
    sealed record StorageReference(string Key, long ViewOffset);

    sealed record TensorReference(StorageReference Storage, long Offset, long[] Size, long[] Stride)
    {
        public Tensor Build(Dictionary<string, (ScalarType Type, byte[] Data)> storages)
        {
            var (type, data) = storages[Storage.Key];
            var flat = Flat(type, data);
            long count = Size.Aggregate(1L, (a, b) => a * b);
            // The usual case, one tensor filling its own storage in row-major order, needs no second copy.
            if (Storage.ViewOffset + Offset == 0 && flat.numel() == count && Stride.SequenceEqual(RowMajorStrides(Size)))
                return flat.view(Size);
            using (flat)
            using (var strided = flat.as_strided(Size, Stride, Storage.ViewOffset + Offset))
                return strided.contiguous().clone();
        }

        static long[] RowMajorStrides(long[] size)
        {
            var strides = new long[size.Length];
            for (long i = size.Length - 1, stride = 1; i >= 0; stride *= Math.Max(size[i], 1), i--)
                strides[i] = stride;
            return strides;
        }

        /// <summary>A 1-D tensor of the storage's elements, decoded from its little-endian bytes.</summary>
        static Tensor Flat(ScalarType type, byte[] data) => type switch
        {
            ScalarType.Float32 => tensor(MemoryMarshal.Cast<byte, float>(data).ToArray()),
            ScalarType.Float64 => tensor(MemoryMarshal.Cast<byte, double>(data).ToArray()),
            ScalarType.Int64 => tensor(MemoryMarshal.Cast<byte, long>(data).ToArray()),
            ScalarType.Int32 => tensor(MemoryMarshal.Cast<byte, int>(data).ToArray()),
            ScalarType.Int16 => tensor(MemoryMarshal.Cast<byte, short>(data).ToArray()),
            ScalarType.Int8 => tensor(MemoryMarshal.Cast<byte, sbyte>(data).ToArray()),
            ScalarType.Byte => tensor(data),
            ScalarType.Bool => tensor(data.Select(b => b != 0).ToArray()),
            // Half and bfloat16 go through float32, which holds every value of both exactly.
            ScalarType.Float16 => tensor(MemoryMarshal.Cast<byte, Half>(data).ToArray().Select(h => (float)h).ToArray()).to(ScalarType.Float16),
            ScalarType.BFloat16 => tensor(MemoryMarshal.Cast<byte, ushort>(data).ToArray().Select(b => BitConverter.Int32BitsToSingle(b << 16)).ToArray()).to(ScalarType.BFloat16),
            _ => throw new InvalidDataException($"unsupported storage type {type}"),
        };
    }

    sealed record Reduced(Global Callable, object?[] Arguments);

    /// <summary>The pickle opcodes torch.save writes (protocol 2, its default, and protocol 4's framing), nothing more.</summary>
    sealed class PickleReader(byte[] data)
    {
        readonly Stack<object?> stack = new();
        readonly Stack<int> marks = new();
        readonly Dictionary<int, object?> memo = [];
        public readonly Dictionary<string, ScalarType> StorageTypes = [];
        public int Position { get; private set; }

        static readonly object Mark = new();

        public object? Load()
        {
            stack.Clear();
            marks.Clear();
            while (true)
            {
                if (Position >= data.Length) throw new InvalidDataException("the file ends inside a pickle: truncated download?");
                byte op = data[Position++];
                switch (op)
                {
                    case 0x80: Position++; break;                                   // PROTO
                    case (byte)'.': return stack.Pop();                              // STOP
                    case (byte)'(': marks.Push(stack.Count); break;                  // MARK
                    case (byte)'}': stack.Push(new Dictionary<object, object?>()); break;
                    case (byte)']': stack.Push(new List<object?>()); break;
                    case (byte)')': stack.Push(Array.Empty<object?>()); break;
                    case (byte)'N': stack.Push(null); break;
                    case 0x88: stack.Push(true); break;
                    case 0x89: stack.Push(false); break;
                    case (byte)'K': stack.Push((long)data[Position++]); break;       // BININT1
                    case (byte)'M': stack.Push((long)ReadUInt16()); break;           // BININT2
                    case (byte)'J': stack.Push((long)ReadInt32()); break;            // BININT
                    case 0x8a: stack.Push(ReadLong(data[Position++])); break;        // LONG1
                    case 0x8b: stack.Push(ReadLong(ReadInt32())); break;             // LONG4
                    case (byte)'G':                                                  // BINFLOAT
                        stack.Push(BinaryPrimitives.ReadDoubleBigEndian(data.AsSpan(Position, 8)));
                        Position += 8;
                        break;
                    case (byte)'X': stack.Push(ReadString(ReadInt32())); break;      // BINUNICODE
                    case 0x8c: stack.Push(ReadString(data[Position++])); break;      // SHORT_BINUNICODE
                    case (byte)'U': stack.Push(ReadString(data[Position++])); break; // SHORT_BINSTRING
                    case (byte)'T': stack.Push(ReadString(ReadInt32())); break;      // BINSTRING
                    case (byte)'c': stack.Push(Allowed(new Global(ReadLine(), ReadLine()))); break;
                    case 0x93: { var name = (string)stack.Pop()!; var module = (string)stack.Pop()!; stack.Push(Allowed(new Global(module, name))); break; } // STACK_GLOBAL (protocol 4)
                    case 0x95: Position += 8; break;                                 // FRAME (protocol 4): a length hint
                    case 0x94: memo[memo.Count] = stack.Peek(); break;               // MEMOIZE (protocol 4)
                    case (byte)'q': memo[data[Position++]] = stack.Peek(); break;    // BINPUT
                    case (byte)'r': memo[ReadInt32()] = stack.Peek(); break;         // LONG_BINPUT
                    case (byte)'h': stack.Push(memo[data[Position++]]); break;       // BINGET
                    case (byte)'j': stack.Push(memo[ReadInt32()]); break;            // LONG_BINGET
                    case (byte)'0': stack.Pop(); break;                              // POP
                    case (byte)'t': stack.Push(PopMarked().ToArray()); break;        // TUPLE
                    case 0x85: stack.Push(new[] { stack.Pop() }); break;             // TUPLE1
                    case 0x86: { var b = stack.Pop(); var a = stack.Pop(); stack.Push(new[] { a, b }); break; }
                    case 0x87: { var c = stack.Pop(); var b = stack.Pop(); var a = stack.Pop(); stack.Push(new[] { a, b, c }); break; }
                    case (byte)'a': { var item = stack.Pop(); ((List<object?>)stack.Peek()!).Add(item); break; }
                    case (byte)'e': { var items = PopMarked(); ((List<object?>)stack.Peek()!).AddRange(items); break; }
                    case (byte)'s': { var value = stack.Pop(); var key = stack.Pop()!; SetItem(stack.Peek(), key, value); break; }
                    case (byte)'u':
                        {
                            var items = PopMarked();
                            for (int i = 0; i + 1 < items.Count; i += 2) SetItem(stack.Peek(), items[i]!, items[i + 1]);
                            break;
                        }
                    case (byte)'R': { var args = (object?[])stack.Pop()!; var callable = (Global)stack.Pop()!; stack.Push(Reduce(callable, args)); break; }
                    case 0x81: { var args = (object?[])stack.Pop()!; var cls = (Global)stack.Pop()!; stack.Push(Reduce(cls, args)); break; } // NEWOBJ
                    case (byte)'b': stack.Pop(); break;                              // BUILD: object state (e.g. _metadata) is not needed
                    case (byte)'Q': stack.Push(PersistentLoad(stack.Pop())); break;  // BINPERSID
                    default:
                        throw new InvalidDataException($"unexpected pickle opcode 0x{op:x2} at byte {Position - 1}: not a state dict saved by torch.save");
                }
            }
        }

        /// <summary>
        /// The globals a state dict needs, as <c>torch.load(weights_only=True)</c> allows them: anything else (a
        /// function such as <c>os.system</c>, a class of some program) means the file is not a plain state dict,
        /// and perhaps a malicious one. Nothing is ever called; the file is refused.
        /// </summary>
        static Global Allowed(Global global) =>
            (global.Module, global.Name) switch
            {
                ("collections", "OrderedDict") => global,
                ("torch._utils", "_rebuild_tensor_v2" or "_rebuild_tensor" or "_rebuild_parameter" or "_rebuild_parameter_with_state") => global,
                ("torch", var name) when name.EndsWith("Storage", StringComparison.Ordinal) => global,
                _ => throw new InvalidDataException(
                    $"its pickle names {global.Module}.{global.Name}, which a state dict never needs; refused unread, as torch.load(weights_only=True) refuses it (the file may be unsafe)"),
            };

        static void SetItem(object? target, object key, object? value)
        {
            if (target is Dictionary<object, object?> dict) dict[key] = value;
            // Items of other objects (reduced to Reduced records) are not needed for a state dict.
        }

        List<object?> PopMarked()
        {
            int start = marks.Pop();
            var items = new List<object?>();
            while (stack.Count > start) items.Add(stack.Pop());
            items.Reverse();
            return items;
        }

        object? Reduce(Global callable, object?[] args) => (callable.Module, callable.Name) switch
        {
            ("collections", "OrderedDict") => new Dictionary<object, object?>(),
            ("torch._utils", "_rebuild_tensor_v2" or "_rebuild_tensor") =>
                new TensorReference((StorageReference)args[0]!, (long)args[1]!, Longs(args[2]), Longs(args[3])),
            ("torch._utils", "_rebuild_parameter") => args[0],
            _ => new Reduced(callable, args),
        };

        static long[] Longs(object? tuple) => ((object?[])tuple!).Select(v => (long)v!).ToArray();

        /// <summary>('storage', torch.FloatStorage, key, location, size, view) → a reference to that storage.</summary>
        object PersistentLoad(object? id)
        {
            if (id is not object?[] { Length: >= 5 } parts || parts[0] is not "storage")
                throw new InvalidDataException("unexpected persistent id: not a tensor storage");
            var type = StorageType(((Global)parts[1]!).Name);
            var key = (string)parts[2]!;
            StorageTypes[key] = type;
            // Files from before PyTorch 1.0 may name a view (view key, offset, size) into the root storage.
            return parts.Length > 5 && parts[5] is object?[] { Length: 3 } view
                ? new StorageReference(key, (long)view[1]!)
                : new StorageReference(key, 0);
        }

        ushort ReadUInt16()
        {
            var value = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(Position, 2));
            Position += 2;
            return value;
        }

        int ReadInt32()
        {
            var value = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(Position, 4));
            Position += 4;
            return value;
        }

        object ReadLong(int length)
        {
            var value = new BigInteger(data.AsSpan(Position, length), isUnsigned: false, isBigEndian: false);
            Position += length;
            return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
        }

        string ReadString(int length)
        {
            var value = Encoding.UTF8.GetString(data, Position, length);
            Position += length;
            return value;
        }

        string ReadLine()
        {
            int end = Array.IndexOf(data, (byte)'\n', Position);
            var line = Encoding.ASCII.GetString(data, Position, end - Position);
            Position = end + 1;
            return line;
        }
    }
}
