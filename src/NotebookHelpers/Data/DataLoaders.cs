using System.Collections;
using NotebookHelpers.Imaging;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NotebookHelpers.Data;

/// <summary>
/// TorchSharp's <c>DataLoader</c> for datasets of named tensors, with a reproducible shuffle. TorchSharp's own collate
/// stacks each key into a batch and moves it to the device.
/// </summary>
public static class DataLoaders
{
    /// <summary>
    /// <paramref name="predict"/> on <paramref name="images"/> (N,3,H,W) in [0, 1], <paramref name="batchSize"/> at a
    /// time, each batch ImageNet-normalised on <paramref name="device"/>, without gradients; the outputs concatenated
    /// on the CPU. The caller puts its network in evaluation mode.
    /// </summary>
    public static Tensor PredictInBatches(Tensor images, int batchSize, Device device, Func<Tensor, Tensor> predict)
    {
        using var noGrad = no_grad();
        var outputs = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = ImageTransforms.NormalizeImageNet(images[TensorIndex.Slice(start, Math.Min(start + batchSize, images.shape[0]))].to(device));
            outputs.Add(predict(batch).cpu().MoveToOuterDisposeScope());
        }
        var all = cat(outputs);
        foreach (var output in outputs) output.Dispose();
        return all;
    }

    /// <summary>
    /// Images held in memory (N,…), <paramref name="batchSize"/> at a time in an order drawn from
    /// <paramref name="generator"/>, as they are, on <paramref name="device"/>. A batch is freed when the next one is
    /// asked for; the last one handed out stays valid for the caller.
    /// </summary>
    public static IEnumerable<Tensor> ShuffledBatches(Tensor images, int batchSize, Generator generator, Device device)
    {
        long count = images.shape[0];
        using var order = randperm(count, generator: generator);
        Tensor? previous = null;
        for (long start = 0; start < count; start += batchSize)
        {
            previous?.Dispose();
            using var index = order[TensorIndex.Slice(start, Math.Min(start + batchSize, count))];
            using (var scope = NewDisposeScope())
                previous = images.index_select(0, index).to(device).MoveToOuterDisposeScope();
            yield return previous;
        }
    }

    /// <summary>
    /// A split held in memory, <paramref name="batchSize"/> samples at a time in an order drawn from
    /// <paramref name="generator"/>: the images ImageNet-normalised (one copy of the split is kept, normalised a batch
    /// at a time) with their targets, both on <paramref name="device"/>. A batch is freed when the next one is asked
    /// for; the last one handed out (say by <c>.First()</c>) stays valid for the caller.
    /// </summary>
    public static IEnumerable<(Tensor Inputs, Tensor Targets)> NormalizedBatches(Tensor images, Tensor targets, int batchSize, Generator generator, Device device)
    {
        long count = images.shape[0];
        using var order = randperm(count, generator: generator);
        (Tensor Inputs, Tensor Targets)? previous = null;
        for (long start = 0; start < count; start += batchSize)
        {
            if (previous is { } p) { p.Inputs.Dispose(); p.Targets.Dispose(); }
            using var index = order[TensorIndex.Slice(start, Math.Min(start + batchSize, count))];
            Tensor inputs, batchTargets;
            using (var scope = NewDisposeScope())
            {
                inputs = ImageTransforms.NormalizeImageNet(images.index_select(0, index).to(device)).MoveToOuterDisposeScope();
                batchTargets = targets.index_select(0, index).to(device).MoveToOuterDisposeScope();
            }
            previous = (inputs, batchTargets);
            yield return (inputs, batchTargets);
        }
    }

    /// <summary>
    /// Batches of <paramref name="batchSize"/> samples. With <paramref name="shuffle"/>, each epoch (each enumeration)
    /// draws a new order from a generator seeded once with <paramref name="seed"/>: the epochs differ from each other
    /// and the whole run repeats exactly. (TorchSharp's seeded shuffle repeats one order every epoch.)
    /// <para>
    /// A batch's tensors are disposed when the loader moves to the next batch (or the enumeration ends, as after
    /// <c>First()</c>): keep nothing from it past the step, or pass <paramref name="disposeBatches"/> = false to own them.
    /// Disposing the loader leaves the dataset alone, so one dataset can feed several loaders.
    /// <paramref name="numWorkers"/> threads decode samples; 0 or 1 decode them one at a time, the right choice on small
    /// machines.
    /// </para>
    /// </summary>
    public static DataLoader Create(torch.utils.data.Dataset dataset, int batchSize, bool shuffle = false,
        int seed = 0, Device? device = null, bool dropLast = false, int numWorkers = 0, bool disposeBatches = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        IEnumerable<long> order = shuffle ? new EpochShuffler(dataset, seed) : new InOrder(dataset);
        return new DataLoader(dataset, batchSize, order, device, Math.Max(numWorkers, 1), dropLast,
            disposeBatch: disposeBatches, disposeDataset: false);
    }

    /// <summary>0, 1, ..., Count − 1, with the count read at each epoch.</summary>
    private sealed class InOrder(torch.utils.data.Dataset dataset) : IEnumerable<long>
    {
        public IEnumerator<long> GetEnumerator()
        {
            for (long i = 0, count = dataset.Count; i < count; i++)
                yield return i;
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A fresh permutation per enumeration, all drawn from one seeded generator.</summary>
    private sealed class EpochShuffler(torch.utils.data.Dataset dataset, int seed) : IEnumerable<long>
    {
        private readonly Random random = new(seed);

        public IEnumerator<long> GetEnumerator()
        {
            var order = new long[dataset.Count];
            for (var i = 0; i < order.Length; i++)
                order[i] = i;
            lock (random)
                random.Shuffle(order);
            return ((IEnumerable<long>)order).GetEnumerator();
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
