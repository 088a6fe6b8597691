using NotebookHelpers.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.Glcic;

/// <summary>
/// The training images of a GLCIC run: held in memory (N,3,S,S) for the CPU profiles and small folders, or read from
/// a photo folder batch by batch for Places2's 1.8 million images, each with the paper's random rescale-and-crop.
/// Either way an epoch's order comes from the run's shuffling generator and a streamed image's crop from a generator
/// seeded by (seed, epoch, image), so a resumed run sees the same batches as one that was never interrupted.
/// </summary>
public sealed class CompletionImages : IDisposable
{
    readonly Tensor? images;
    readonly PhotoFolder? folder;
    readonly int seed;
    readonly TextWriter? log;

    CompletionImages(Tensor? images, PhotoFolder? folder, int size, int seed, TextWriter? log)
    {
        this.images = images;
        this.folder = folder;
        Size = size;
        this.seed = seed;
        this.log = log;
    }

    /// <summary>Images (N,3,S,S) in [0,1], held in memory (this object disposes them).</summary>
    public static CompletionImages InMemory(Tensor images) => new(images, null, (int)images.shape[2], 0, null);

    /// <summary>The photos of <paramref name="folder"/>, read and cropped to <paramref name="size"/> when a batch needs them.</summary>
    public static CompletionImages Streamed(PhotoFolder folder, int size, int seed, TextWriter? log = null) => new(null, folder, size, seed, log);

    /// <summary>How many images an epoch goes through.</summary>
    public long Count => images?.shape[0] ?? folder!.Count;

    /// <summary>The side of the square images.</summary>
    public int Size { get; }

    /// <summary>The images in memory, or null for a streamed set.</summary>
    public Tensor? Tensor => images;

    /// <summary>
    /// The images of one epoch, <paramref name="batchSize"/> at a time, in an order drawn from <paramref name="order"/>,
    /// on <paramref name="device"/>. A streamed image that cannot be read is reported and left out of its batch.
    /// </summary>
    public IEnumerable<Tensor> Batches(int batchSize, Generator order, Device device, int epoch)
    {
        if (images is not null)
        {
            foreach (var batch in Data.DataLoaders.ShuffledBatches(images, batchSize, order, device))
                yield return batch;
            yield break;
        }
        using var permutation = randperm(Count, generator: order);
        var indices = permutation.data<long>().ToArray();
        Tensor? previous = null;
        for (int start = 0; start < indices.Length; start += batchSize)
        {
            previous?.Dispose();
            previous = ReadBatch(indices.AsSpan(start, Math.Min(batchSize, indices.Length - start)).ToArray(), epoch, device);
            if (previous is null) continue;
            yield return previous;
        }
        previous?.Dispose();
    }

    Tensor? ReadBatch(long[] indices, int epoch, Device device)
    {
        var crops = new Tensor?[indices.Length];
        // JPEG decoding is the slow part on a GPU machine: decode a batch on every core.
        Parallel.For(0, indices.Length, i =>
        {
            var path = Path.Combine(folder!.Root, folder.Samples[(int)indices[i]]);
            try
            {
                using var image = ImageIO.LoadRgb(path);
                using var generator = new Generator((ulong)seed * 1_000_003UL + (ulong)epoch * 2_000_003UL + (ulong)indices[i]);
                crops[i] = PhotoFolder.TrainingCrop(image, Size, generator);
            }
            catch (InvalidDataException e)
            {
                lock (indices) log?.WriteLine($"skipped {path}: {e.Message}");
            }
        });
        var read = crops.Where(c => c is not null).Cast<Tensor>().ToList();
        if (read.Count == 0) return null;
        using var scope = NewDisposeScope();
        var batch = stack(read).to(device).MoveToOuterDisposeScope();
        foreach (var c in read) c.Dispose();
        return batch;
    }

    /// <summary>The mean colour (RGB in [0,1]): of all images in memory, of the first <paramref name="sample"/> of a streamed folder.</summary>
    public float[] MeanColour(int sample = 2000)
    {
        if (images is not null) return GlcicExperiment.MeanColour(images);
        using var first = folder!.Stack((int)Math.Min(sample, Count));
        return GlcicExperiment.MeanColour(first);
    }

    public void Dispose() => images?.Dispose();
}
