using NotebookHelpers.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Data;

public sealed class DataLoadersTests
{
    /// <summary>Sample i is {"index": i, "image": a (3,4,4) image filled with i}.</summary>
    private sealed class Numbered(int count) : torch.utils.data.Dataset
    {
        public bool Disposed { get; private set; }

        public override long Count => count;

        public override Dictionary<string, Tensor> GetTensor(long index) => new()
        {
            ["index"] = torch.tensor(index),
            ["image"] = torch.full([3, 4, 4], (float)index),
        };

        protected override void Dispose(bool disposing) => Disposed = true;
    }

    private static List<long[]> Epoch(IEnumerable<Dictionary<string, Tensor>> loader) =>
        loader.Select(batch => batch["index"].data<long>().ToArray()).ToList();

    [Fact]
    public void Batches_stack_each_key_and_keep_the_order_without_shuffle()
    {
        using var loader = DataLoaders.Create(new Numbered(10), batchSize: 4);

        var shapes = loader.Select(batch => batch["image"].shape).ToList();

        Assert.Equal([[4L, 3, 4, 4], [4L, 3, 4, 4], [2L, 3, 4, 4]], shapes);
        Assert.Equal([[0L, 1, 2, 3], [4L, 5, 6, 7], [8L, 9]], Epoch(loader));
    }

    [Fact]
    public void DropLast_leaves_out_the_short_batch()
    {
        using var loader = DataLoaders.Create(new Numbered(10), batchSize: 4, dropLast: true);

        Assert.Equal(2, Epoch(loader).Count);
    }

    [Fact]
    public void Shuffle_with_a_seed_repeats_run_to_run_but_not_epoch_to_epoch()
    {
        using var first = DataLoaders.Create(new Numbered(20), batchSize: 20, shuffle: true, seed: 1);
        using var second = DataLoaders.Create(new Numbered(20), batchSize: 20, shuffle: true, seed: 1);
        using var other = DataLoaders.Create(new Numbered(20), batchSize: 20, shuffle: true, seed: 2);

        var firstRun = new[] { Epoch(first)[0], Epoch(first)[0] };
        var secondRun = new[] { Epoch(second)[0], Epoch(second)[0] };

        Assert.Equal(firstRun, secondRun);
        Assert.NotEqual(firstRun[0], firstRun[1]);
        Assert.NotEqual(firstRun[0], Epoch(other)[0]);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), firstRun[1].Order());
    }

    [Fact]
    public void Disposing_the_loader_leaves_the_dataset_usable()
    {
        var dataset = new Numbered(3);

        DataLoaders.Create(dataset, batchSize: 2).Dispose();

        Assert.False(dataset.Disposed);
    }
}
