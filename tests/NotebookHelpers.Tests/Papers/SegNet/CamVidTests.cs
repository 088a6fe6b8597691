using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using NotebookHelpers.Papers.SegNet;
using NotebookHelpers.Tests.Data;
using NotebookHelpers.Tests.Imaging;
using NotebookHelpers.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.SegNet;

/// <summary>
/// A CamVid folder as the SegNet tutorial lays it out ({train,val,test}/*.png frames, {train,val,test}annot/*.png grey
/// class ids), written with frames of 6×8: 3 train, 2 val, 1 test.
/// </summary>
public sealed class CamVidTests : IDisposable
{
    private const int Height = 6, Width = 8;

    private readonly TempFolder folder = new();
    private readonly Dictionary<string, Tensor> images = [];
    private readonly Dictionary<string, Tensor> labels = [];

    public CamVidTests()
    {
        var counts = new Dictionary<string, int> { ["train"] = 3, ["val"] = 2, ["test"] = 1 };
        var seed = 0;
        foreach (var (split, count) in counts)
        {
            Directory.CreateDirectory(folder.File(split));
            Directory.CreateDirectory(folder.File(split + "annot"));
            // Written in reverse so that the loader's name order is not the order of creation.
            for (var n = count - 1; n >= 0; n--)
            {
                var name = $"0001TP_00{n}690";
                var generator = new Generator((ulong)seed++);
                var image = torch.randint(0, 256, [3, Height, Width], generator: generator).to(ScalarType.Float32).div(255f);
                // Ids 0..11 in every map, 11 (unlabelled) included.
                var ids = torch.arange(Height * Width).add(seed).remainder(12).reshape(Height, Width);
                ImageIO.SaveRgb(image, folder.File(split, name + ".png"));
                ImageIO.SaveClassIds(ids, folder.File(split + "annot", name + ".png"));
                images[$"{split}/{name}"] = image;
                labels[$"{split}/{name}"] = ids;
            }
        }
    }

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData("train", 3)]
    [InlineData("val", 2)]
    [InlineData("test", 1)]
    public void Samples_are_the_frames_and_their_exact_class_ids_in_name_order(string split, int count)
    {
        var dataset = CamVid.Load(split, Height, Width, root: folder.Path, log: TextWriter.Null);

        Assert.Equal(count, dataset.Count);
        Assert.Equal(Enumerable.Range(0, count).Select(n => $"0001TP_00{n}690"), dataset.Samples.Select(sample => sample.Id));
        for (var n = 0; n < count; n++)
        {
            var key = $"{split}/{dataset.Samples[n].Id}";
            var sample = dataset.GetTensor(n);
            Assert.True(Tensors.Identical(labels[key], sample["label"]));
            Assert.Contains(11L, sample["label"].flatten().data<long>().ToArray());
            Assert.Equal(ScalarType.Float32, sample["image"].dtype);
            Assert.True(sample["image"].sub(images[key]).abs().max().item<float>() < 1e-6f);
        }
    }

    [Theory]
    [InlineData(12, 16)]
    [InlineData(3, 4)]
    [InlineData(5, 11)]
    public void Resizing_is_nearest_neighbour_for_labels_so_ids_stay_exact(int height, int width)
    {
        var dataset = CamVid.Load("test", height, width, root: folder.Path, log: TextWriter.Null);

        var sample = dataset.GetTensor(0);
        var stored = labels["test/0001TP_000690"].data<long>().ToArray();
        var loaded = sample["label"].flatten().data<long>().ToArray();
        Assert.Equal([3L, height, width], sample["image"].shape);
        Assert.Equal([(long)height, width], sample["label"].shape);
        // PyTorch's nearest: output (i, j) takes input (⌊i·H/h⌋, ⌊j·W/w⌋), the id itself, never a blend of ids.
        for (var i = 0; i < height; i++)
            for (var j = 0; j < width; j++)
                Assert.Equal(stored[i * Height / height * Width + j * Width / width], loaded[i * width + j]);
    }

    [Fact]
    public void The_default_size_is_the_tutorials_360_by_480()
    {
        var dataset = CamVid.Load("test", root: folder.Path, log: TextWriter.Null);

        var sample = dataset.GetTensor(0);

        Assert.Equal([3L, 360, 480], sample["image"].shape);
        Assert.Equal([360L, 480], sample["label"].shape);
        Assert.Equal((360, 480), (CamVid.Height, CamVid.Width));
    }

    [Fact]
    public void A_split_of_another_size_than_the_tutorials_is_noted_in_the_log()
    {
        var log = new StringWriter();

        CamVid.Load("train", 4, 4, root: folder.Path, log: log);

        Assert.Contains("CamVid's train split", log.ToString());
        Assert.Contains("has 3 frames; the SegNet tutorial's has 367", log.ToString());
        Assert.Equal(new Dictionary<string, int> { ["train"] = 367, ["val"] = 101, ["test"] = 233 }, CamVid.SplitSizes);
    }

    [Fact]
    public void A_frame_without_its_label_map_is_an_error_that_names_the_missing_file()
    {
        var missing = folder.File("trainannot", "0001TP_001690.png");
        File.Delete(missing);

        var error = Assert.Throws<FileNotFoundException>(() =>
            CamVid.Load("train", 4, 4, root: folder.Path, log: TextWriter.Null));

        Assert.Equal(missing, error.FileName);
        Assert.Contains(missing, error.Message);
        Assert.Contains("data-scripts/camvid.sh", error.Message);
    }

    [Fact]
    public void A_label_map_without_its_frame_is_an_error_that_names_the_missing_file()
    {
        var missing = folder.File("val", "0001TP_000690.png");
        File.Delete(missing);

        var error = Assert.Throws<FileNotFoundException>(() =>
            CamVid.Load("val", 4, 4, root: folder.Path, log: TextWriter.Null));

        Assert.Equal(missing, error.FileName);
    }

    [Fact]
    public void A_value_above_11_is_named_with_its_pixel()
    {
        var path = folder.File("valannot", "0001TP_001690.png");
        ImageIO.SaveClassIds(torch.tensor(new long[] { 0, 11, 10, 12, 200, 3 }, [2, 3]), path);

        var error = Assert.Throws<InvalidDataException>(() => CamVid.LoadLabel(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("value 12 at pixel (x=0, y=1)", error.Message);
        Assert.Contains("2 pixel(s)", error.Message);
    }

    [Fact]
    public void A_dataset_skips_a_label_map_with_invalid_ids_and_names_it()
    {
        var path = folder.File("valannot", "0001TP_001690.png");
        ImageIO.SaveClassIds(torch.full([Height, Width], 12L, dtype: ScalarType.Int64), path);
        var log = new StringWriter();
        var dataset = CamVid.Load("val", Height, Width, root: folder.Path, log: log);

        var sample = dataset.GetTensor(1);

        Assert.True(Tensors.Identical(labels["val/0001TP_000690"], sample["label"]));
        Assert.Equal(path, Assert.Single(dataset.Skipped).Path);
        Assert.Contains(path, log.ToString());
    }

    [Fact]
    public void A_colour_jpeg_label_is_refused_by_name()
    {
        var path = folder.File("testannot", "0001TP_000690.png");
        ImageIO.SaveRgb(torch.rand([3, Height, Width]), folder.File("label.jpg"));
        File.Copy(folder.File("label.jpg"), path, overwrite: true);

        var error = Assert.Throws<InvalidDataException>(() => CamVid.LoadLabel(path));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Exists_says_whether_both_folders_of_the_split_are_there()
    {
        Assert.True(CamVid.Exists("train", folder.Path));
        Assert.False(CamVid.Exists("train", folder.File("absent")));

        Directory.Delete(folder.File("testannot"), recursive: true);

        Assert.False(CamVid.Exists("test", folder.Path));
        Assert.True(CamVid.Exists("val", folder.Path));
    }

    [Fact]
    public void A_missing_split_folder_is_named_with_the_script()
    {
        Directory.Delete(folder.File("testannot"), recursive: true);

        var error = Assert.Throws<DirectoryNotFoundException>(() =>
            CamVid.Load("test", root: folder.Path, log: TextWriter.Null));

        Assert.Contains(folder.File("testannot"), error.Message);
        Assert.Contains("data-scripts/camvid.sh", error.Message);
    }

    [Fact]
    public void A_missing_dataset_folder_names_the_download_script()
    {
        var error = Assert.Throws<DatasetNotFoundException>(() =>
            CamVid.Load("train", root: folder.File("absent"), log: TextWriter.Null));

        Assert.Contains("data-scripts/camvid.sh", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void An_unknown_split_is_rejected_with_the_splits_listed()
    {
        var error = Assert.Throws<ArgumentException>(() => CamVid.Load("trainval", root: folder.Path));

        Assert.Contains("train, val, test", error.Message);
    }

    [Fact]
    public void The_classes_weights_and_ignore_label_are_the_tutorials()
    {
        Assert.Equal(
            ["Sky", "Building", "Pole", "Road", "Pavement", "Tree", "SignSymbol", "Fence", "Car", "Pedestrian", "Bicyclist"],
            CamVid.ClassNames);
        Assert.Equal(Palettes.CamVid.ClassNames, CamVid.ClassNames);
        Assert.Equal(11, CamVid.IgnoreIndex);
        Assert.Equal(Palettes.CamVid.IgnoreIndex, CamVid.IgnoreIndex);
        Assert.Equal(CamVid.ClassCount, CamVid.TutorialClassWeights.Count);
        Assert.Equal(0.2595f, CamVid.TutorialClassWeights[0]);
        Assert.Equal(9.6446f, CamVid.TutorialClassWeights[6]);
        Assert.Equal(7.3614f, CamVid.TutorialClassWeights[10]);
        Assert.Equal("camvid", CamVid.Info.Name);
        Assert.Equal("data-scripts/camvid.sh", CamVid.Info.Script);
        Assert.Equal("SegNet", CamVid.Info.UsedBy);
    }

    [Fact]
    public void A_DataLoader_stacks_samples_into_batches()
    {
        using var dataset = CamVid.Load("train", 4, 6, root: folder.Path, log: TextWriter.Null);
        using var loader = DataLoaders.Create(dataset, batchSize: 2);

        var batches = loader.Select(batch => batch.ToDictionary(entry => entry.Key, entry => (entry.Value.shape, entry.Value.dtype))).ToList();

        Assert.Equal(2, batches.Count);
        Assert.Equal([2L, 3, 4, 6], batches[0]["image"].shape);
        Assert.Equal([2L, 4, 6], batches[0]["label"].shape);
        Assert.Equal(ScalarType.Int64, batches[1]["label"].dtype);
        Assert.Equal([1L, 4, 6], batches[1]["label"].shape);
    }
}

/// <summary>Where <see cref="CamVid"/> looks when no root is given; these tests set NBH_DATA_CAMVID.</summary>
[Collection(nameof(EnvironmentVariables))]
public sealed class CamVidLocationTests : IDisposable
{
    private const string Variable = "NBH_DATA_CAMVID";

    private readonly TempFolder folder = new();
    private readonly string? saved = Environment.GetEnvironmentVariable(Variable);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(Variable, saved);
        folder.Dispose();
    }

    [Fact]
    public void A_missing_dataset_is_one_line_naming_the_folder_the_script_and_the_variable()
    {
        Environment.SetEnvironmentVariable(Variable, folder.File("camvid"));

        var error = Assert.Throws<DatasetNotFoundException>(() => CamVid.Load("val", log: TextWriter.Null));

        Assert.Contains(folder.File("camvid"), error.Message);
        Assert.Contains("data-scripts/camvid.sh", error.Message);
        Assert.Contains(Variable, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(CamVid.Exists("val"));
    }

    [Fact]
    public void The_variable_points_the_loader_at_the_dataset()
    {
        var root = folder.File("camvid");
        Directory.CreateDirectory(Path.Combine(root, "val"));
        Directory.CreateDirectory(Path.Combine(root, "valannot"));
        ImageIO.SaveRgb(torch.full([3, 4, 4], 0.5f), Path.Combine(root, "val", "a.png"));
        ImageIO.SaveClassIds(torch.zeros([4, 4], ScalarType.Int64), Path.Combine(root, "valannot", "a.png"));
        Environment.SetEnvironmentVariable(Variable, root);

        Assert.True(CamVid.Exists("val"));
        Assert.False(CamVid.Exists("train"));
        Assert.Equal(1, CamVid.Load("val", 2, 2, log: TextWriter.Null).Count);
    }
}
