using NotebookHelpers.Data;
using NotebookHelpers.Papers.SalGan;
using NotebookHelpers.Tests.Data;
using NotebookHelpers.Tests.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.SalGan;

/// <summary>A SALICON-layout folder written from synthetic scenes of 48×64: 4 train, 3 val and 2 test images.</summary>
public sealed class SaliconTests : IDisposable
{
    private const int Height = 48, Width = 64;

    private readonly TempFolder folder = new();
    private readonly SyntheticSaliency train = SyntheticSaliency.Generate(4, Height, Width, seed: 1);
    private readonly SyntheticSaliency val = SyntheticSaliency.Generate(3, Height, Width, seed: 2);

    public SaliconTests()
    {
        train.WriteTo(folder.Path, "train");
        val.WriteTo(folder.Path, "val");
        SyntheticSaliency.Generate(2, Height, Width, seed: 3).WriteTo(folder.Path, "test");
    }

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData("train", 4)]
    [InlineData("val", 3)]
    public void Samples_hold_image_density_and_fixations_at_the_network_size(string split, int count)
    {
        var dataset = Salicon.Load(split, 24, 32, root: folder.Path, log: TextWriter.Null);

        Assert.Equal(count, dataset.Count);
        var sample = dataset.GetTensor(count - 1);
        Assert.Equal(["density", "fixations", "image"], sample.Keys.Order());
        Assert.Equal([3L, 24, 32], sample["image"].shape);
        Assert.Equal([1L, 24, 32], sample["density"].shape);
        Assert.Equal([1L, 24, 32], sample["fixations"].shape);
        Assert.True(sample["fixations"].eq(0).logical_or(sample["fixations"].eq(1)).all().item<bool>());
        Assert.All(sample.Values, tensor => Assert.Equal(ScalarType.Float32, tensor.dtype));
    }

    [Fact]
    public void The_test_split_has_images_only()
    {
        var dataset = Salicon.Load("test", 24, 32, root: folder.Path, log: TextWriter.Null);

        Assert.Equal(2, dataset.Count);
        var sample = dataset.GetTensor(0);
        Assert.Equal(["image"], sample.Keys);
        Assert.Equal([3L, 24, 32], sample["image"].shape);
    }

    [Fact]
    public void Without_fixations_a_sample_holds_the_image_and_the_density_map()
    {
        Directory.Delete(folder.File("fixations", "train"), recursive: true);

        var dataset = Salicon.Load("train", 24, 32, root: folder.Path, log: TextWriter.Null, withFixations: false);

        Assert.Equal(["density", "image"], dataset.GetTensor(0).Keys.Order());
    }

    [Fact]
    public void Written_images_load_back_exactly_at_their_own_size()
    {
        var dataset = Salicon.Load("train", Height, Width, root: folder.Path, log: TextWriter.Null);

        for (var n = 0; n < 4; n++)
            Assert.True(dataset.GetTensor(n)["image"].sub(train.Images[n]).abs().max().item<float>() < 1e-6f);
    }

    [Fact]
    public void Loaded_fixation_maps_keep_every_fixation_of_the_stored_map()
    {
        // 48×64 → 24×32 halves both sides: stored fixation (y, x) must light pixel (y / 2, x / 2).
        var dataset = Salicon.Load("train", 24, 32, root: folder.Path, log: TextWriter.Null);

        for (var n = 0; n < 4; n++)
        {
            var fixations = dataset.GetTensor(n)["fixations"];
            Assert.All(train.FixationPoints[n], p => Assert.Equal(1f, fixations[0, p.Y / 2, p.X / 2].item<float>()));
            Assert.Equal(train.FixationPoints[n].Select(p => (p.Y / 2, p.X / 2)).Distinct().Count(),
                (int)fixations.sum().item<float>());
        }
    }

    [Theory]
    [InlineData(480, 640, 192, 256)]
    [InlineData(37, 53, 16, 20)]
    [InlineData(20, 30, 45, 61)]
    public void Resized_fixation_maps_lose_no_fixation_and_invent_none(int height, int width, int outHeight, int outWidth)
    {
        // The guarantee of ResizeFixations: input (y, x) fixated ⇒ output (⌊y·h/H⌋, ⌊x·w/W⌋) fixated; and each fixated
        // output (i, j) has a fixated input in rows ⌊iH/h⌋..⌈(i+1)H/h⌉−1, columns ⌊jW/w⌋..⌈(j+1)W/w⌉−1.
        var random = new Random(height);
        var input = new float[height * width];
        var fixated = Enumerable.Range(0, 60).Select(_ => (Y: random.Next(height), X: random.Next(width))).Distinct().ToList();
        foreach (var (y, x) in fixated)
            input[y * width + x] = random.Next(1, 256) / 255f;

        var resized = Salicon.ResizeFixations(torch.tensor(input, [1, height, width]), outHeight, outWidth);
        var output = resized.data<float>().ToArray();

        Assert.Equal([1L, outHeight, outWidth], resized.shape);
        Assert.All(fixated, p =>
            Assert.Equal(1f, output[(int)((long)p.Y * outHeight / height) * outWidth + (int)((long)p.X * outWidth / width)]));
        for (var i = 0; i < outHeight; i++)
            for (var j = 0; j < outWidth; j++)
            {
                var (top, bottom) = (i * height / outHeight, CeilDiv((i + 1) * height, outHeight));
                var (left, right) = (j * width / outWidth, CeilDiv((j + 1) * width, outWidth));
                var hasFixation = fixated.Any(p => p.Y >= top && p.Y < bottom && p.X >= left && p.X < right);
                Assert.Equal(hasFixation ? 1f : 0f, output[i * outWidth + j]);
            }

        static int CeilDiv(int a, int b) => (a + b - 1) / b;
    }

    [Fact]
    public void A_corrupt_map_is_skipped_and_named_in_the_log()
    {
        var corrupt = folder.File("maps", "train", "synthetic_train_00001.png");
        File.WriteAllBytes(corrupt, Enumerable.Range(0, 200).Select(i => (byte)(i * 37 + 11)).ToArray());
        var log = new StringWriter();

        var dataset = Salicon.Load("train", 24, 32, root: folder.Path, log: log);

        Assert.Equal(3, dataset.Count);
        Assert.Equal(corrupt, Assert.Single(dataset.Skipped).Path);
        Assert.Contains(corrupt, log.ToString());
        Assert.DoesNotContain("synthetic_train_00001", dataset.Samples.Select(sample => sample.Stem));
    }

    [Fact]
    public void An_image_without_a_map_is_left_out_and_counted_in_the_log()
    {
        File.Delete(folder.File("maps", "train", "synthetic_train_00002.png"));
        var log = new StringWriter();

        var dataset = Salicon.Load("train", 24, 32, root: folder.Path, log: log);

        Assert.Equal(3, dataset.Count);
        // Its image and its fixation map are the two files left without a partner in every folder.
        Assert.Contains("3 samples paired; 2 files without a partner", log.ToString());
        Assert.Contains("synthetic_train_00002.png", log.ToString());
    }

    [Fact]
    public void A_missing_split_folder_is_named_in_the_error()
    {
        Directory.Delete(folder.File("maps", "val"), recursive: true);

        var error = Assert.Throws<DirectoryNotFoundException>(() =>
            Salicon.Load("val", root: folder.Path, log: TextWriter.Null));

        Assert.Contains(folder.File("maps", "val"), error.Message);
        Assert.Contains("data-scripts/salicon.sh", error.Message);
        Assert.False(Salicon.Exists("val", folder.Path));
        Assert.True(Salicon.Exists("train", folder.Path));
    }

    [Fact]
    public void A_missing_dataset_folder_names_the_download_script()
    {
        var error = Assert.Throws<DatasetNotFoundException>(() =>
            Salicon.Load("train", root: folder.File("absent"), log: TextWriter.Null));

        Assert.Contains("data-scripts/salicon.sh", error.Message);
        Assert.False(Salicon.Exists("train", folder.File("absent")));
    }

    [Fact]
    public void An_unknown_split_is_rejected_with_the_splits_listed()
    {
        var error = Assert.Throws<ArgumentException>(() => Salicon.Load("training", root: folder.Path));

        Assert.Contains("train, val, test", error.Message);
    }

    [Fact]
    public void A_DataLoader_stacks_samples_into_batches()
    {
        using var dataset = Salicon.Load("train", 24, 32, root: folder.Path, log: TextWriter.Null);
        using var loader = DataLoaders.Create(dataset, batchSize: 3);

        var batches = loader.Select(batch => batch.ToDictionary(entry => entry.Key, entry => entry.Value.shape)).ToList();

        Assert.Equal(2, batches.Count);
        Assert.Equal([3L, 3, 24, 32], batches[0]["image"]);
        Assert.Equal([3L, 1, 24, 32], batches[0]["density"]);
        Assert.Equal([1L, 1, 24, 32], batches[1]["fixations"]);
    }
}

/// <summary>Where <see cref="Salicon"/> looks when no root is given; these tests set NBH_DATA_SALICON.</summary>
[Collection(nameof(EnvironmentVariables))]
public sealed class SaliconLocationTests : IDisposable
{
    private const string Variable = "NBH_DATA_SALICON";

    private readonly TempFolder folder = new();
    private readonly string? saved = Environment.GetEnvironmentVariable(Variable);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(Variable, saved);
        folder.Dispose();
    }

    [Fact]
    public void A_missing_dataset_names_the_script_and_the_variable()
    {
        Environment.SetEnvironmentVariable(Variable, folder.File("salicon"));

        var error = Assert.Throws<DatasetNotFoundException>(() => Salicon.Load("val", log: TextWriter.Null));

        Assert.Contains(folder.File("salicon"), error.Message);
        Assert.Contains("data-scripts/salicon.sh", error.Message);
        Assert.Contains(Variable, error.Message);
        Assert.False(Salicon.Exists("val"));
    }

    [Fact]
    public void The_variable_points_the_loader_at_the_dataset()
    {
        SyntheticSaliency.Generate(2, 16, 16, seed: 0).WriteTo(folder.File("salicon"), "val");
        Environment.SetEnvironmentVariable(Variable, folder.File("salicon"));

        var dataset = Salicon.Load("val", 8, 8, log: TextWriter.Null);

        Assert.True(Salicon.Exists("val"));
        Assert.False(Salicon.Exists("train"));
        Assert.Equal(2, dataset.Count);
    }
}
