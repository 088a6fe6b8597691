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
/// A PASCAL VOC 2012 folder as the tar unpacks (JPEGImages, SegmentationClass and SegmentationObject as palette PNGs
/// in the VOC palette, ImageSets/Segmentation), written with three images of 6×8: two in train, one in val.
/// </summary>
public sealed class PascalVocTests : IDisposable
{
    private const int Height = 6, Width = 8;

    private static readonly (byte R, byte G, byte B)[] VocPalette =
        [.. Enumerable.Range(0, 256).Select(VocColormap.Colour)];

    private readonly TempFolder folder = new();
    private readonly Dictionary<string, byte[,]> classMasks = [];
    private readonly Dictionary<string, byte[,]> objectMasks = [];

    public PascalVocTests()
    {
        string[] ids = ["2007_000032", "2007_000039", "2007_000063"];
        foreach (var (id, n) in ids.Select((id, n) => (id, n)))
        {
            // Class ids spread over 0..20 with a band of 255 (void) down one column; instances 1..3 and the same band.
            var classes = new byte[Height, Width];
            var objects = new byte[Height, Width];
            for (var y = 0; y < Height; y++)
                for (var x = 0; x < Width; x++)
                {
                    classes[y, x] = x == 3 ? (byte)255 : (byte)((y * Width + x + 7 * n) % 21);
                    objects[y, x] = x == 3 ? (byte)255 : (byte)((x / 2 + y) % 4);
                }
            classMasks[id] = classes;
            objectMasks[id] = objects;
            WriteSample(folder.Path, id, classes, objects, seed: n);
        }
        WriteSplit(folder.Path, "train", "2007_000039", "", "2007_000032");
        WriteSplit(folder.Path, "val", "2007_000063");
        WriteSplit(folder.Path, "trainval", "2007_000032", "2007_000039", "2007_000063");
    }

    public void Dispose() => folder.Dispose();

    private static void WriteSample(string root, string id, byte[,] classes, byte[,] objects, int seed)
    {
        foreach (var sub in new[] { "JPEGImages", "SegmentationClass", "SegmentationObject" })
            Directory.CreateDirectory(Path.Combine(root, sub));
        var generator = new Generator((ulong)seed);
        ImageIO.SaveRgb(torch.rand([3, classes.GetLength(0), classes.GetLength(1)], generator: generator),
            Path.Combine(root, "JPEGImages", id + ".jpg"));
        TestPng.WriteIndexed(Path.Combine(root, "SegmentationClass", id + ".png"), classes, VocPalette);
        TestPng.WriteIndexed(Path.Combine(root, "SegmentationObject", id + ".png"), objects, VocPalette);
    }

    private static void WriteSplit(string root, string split, params string[] lines)
    {
        var sets = Path.Combine(root, "ImageSets", "Segmentation");
        Directory.CreateDirectory(sets);
        File.WriteAllLines(Path.Combine(sets, split + ".txt"), lines);
    }

    private static long[] Flat(byte[,] mask) => [.. mask.Cast<byte>().Select(v => (long)v)];

    private static long[] Flat(Tensor labels) => labels.flatten().data<long>().ToArray();

    [Fact]
    public void Class_masks_decode_to_exact_class_ids_with_255_kept()
    {
        var dataset = PascalVoc.Load("train", Height, Width, root: folder.Path, log: TextWriter.Null);

        Assert.Equal(["2007_000039", "2007_000032"], dataset.Samples.Select(sample => sample.Id));
        for (var n = 0; n < 2; n++)
        {
            var sample = dataset.GetTensor(n);
            Assert.Equal(["image", "label"], sample.Keys.Order());
            Assert.Equal(ScalarType.Int64, sample["label"].dtype);
            Assert.Equal([(long)Height, Width], sample["label"].shape);
            Assert.Equal(Flat(classMasks[dataset.Samples[n].Id]), Flat(sample["label"]));
            Assert.Contains(255L, Flat(sample["label"]));
            Assert.Equal(ScalarType.Float32, sample["image"].dtype);
            Assert.Equal([3L, Height, Width], sample["image"].shape);
            Assert.True(sample["image"].min().item<float>() >= 0f && sample["image"].max().item<float>() <= 1f);
        }
    }

    [Theory]
    [InlineData(12, 16)]
    [InlineData(3, 4)]
    [InlineData(5, 11)]
    public void Resizing_is_nearest_neighbour_for_labels_so_ids_stay_exact(int height, int width)
    {
        var dataset = PascalVoc.Load("val", height, width, root: folder.Path, log: TextWriter.Null);

        var sample = dataset.GetTensor(0);
        var stored = classMasks["2007_000063"];
        var labels = Flat(sample["label"]);
        Assert.Equal([3L, height, width], sample["image"].shape);
        Assert.Equal([(long)height, width], sample["label"].shape);
        // PyTorch's nearest: output (i, j) takes input (⌊i·H/h⌋, ⌊j·W/w⌋), the id itself, never a blend of ids.
        for (var i = 0; i < height; i++)
            for (var j = 0; j < width; j++)
                Assert.Equal(stored[i * Height / height, j * Width / width], labels[i * width + j]);
    }

    [Fact]
    public void The_split_lists_are_read_in_order_without_blank_lines()
    {
        Assert.Equal(["2007_000039", "2007_000032"], PascalVoc.SplitIds("train", folder.Path));
        Assert.Equal(["2007_000063"], PascalVoc.SplitIds("val", folder.Path));
        Assert.Equal(3, PascalVoc.Load("trainval", 4, 4, root: folder.Path, log: TextWriter.Null).Count);
        Assert.Equal(new Dictionary<string, int> { ["train"] = 1464, ["val"] = 1449, ["trainval"] = 2913 }, PascalVoc.SplitSizes);
    }

    [Fact]
    public void A_split_of_another_size_than_the_release_is_noted_in_the_log()
    {
        var log = new StringWriter();

        PascalVoc.Load("val", 4, 4, root: folder.Path, log: log);

        Assert.Contains("val split", log.ToString());
        Assert.Contains("lists 1 images; the release lists 1449", log.ToString());
    }

    [Fact]
    public void A_split_line_of_more_than_one_word_is_named()
    {
        WriteSplit(folder.Path, "val", "2007_000063", "2007_000032 -1");

        var error = Assert.Throws<InvalidDataException>(() => PascalVoc.SplitIds("val", folder.Path));

        Assert.Contains("val.txt, line 2", error.Message);
    }

    [Fact]
    public void The_object_option_maps_instances_to_classes_and_the_boundary_to_class_21()
    {
        var dataset = PascalVoc.Load("trainval", Height, Width, VocTarget.SegmentationObject, folder.Path, TextWriter.Null);

        for (var n = 0; n < 3; n++)
        {
            var expected = Flat(objectMasks[dataset.Samples[n].Id]).Select(v => v == 255 ? 21L : v).ToArray();
            Assert.Equal(expected, Flat(dataset.GetTensor(n)["label"]));
        }
        Assert.Equal(PascalVoc.ObjectClassCount, PascalVoc.ClassCountOf(VocTarget.SegmentationObject));
        Assert.Equal(22, PascalVoc.LabelNamesOf(VocTarget.SegmentationObject).Count);
        Assert.Equal("boundary", PascalVoc.LabelNamesOf(VocTarget.SegmentationObject)[21]);
        Assert.Equal("object 1", PascalVoc.LabelNamesOf(VocTarget.SegmentationObject)[1]);
        Assert.Null(PascalVoc.IgnoreIndexOf(VocTarget.SegmentationObject));
        Assert.Equal(21, PascalVoc.ClassCountOf(VocTarget.SegmentationClass));
        Assert.Equal(255, PascalVoc.IgnoreIndexOf(VocTarget.SegmentationClass));
    }

    [Fact]
    public void An_object_mask_with_more_instances_than_22_outputs_hold_is_named()
    {
        var path = folder.File("SegmentationObject", "2007_000063.png");
        TestPng.WriteIndexed(path, new byte[,] { { 0, 20, 255 }, { 21, 1, 2 } }, VocPalette);

        var error = Assert.Throws<InvalidDataException>(() => PascalVoc.LoadLabel(path, VocTarget.SegmentationObject));

        Assert.Contains(path, error.Message);
        Assert.Contains("value 21 at pixel (x=0, y=1)", error.Message);
    }

    [Fact]
    public void A_file_missing_from_the_split_is_an_error_that_names_it()
    {
        var missing = folder.File("JPEGImages", "2007_000032.jpg");
        File.Delete(missing);

        var error = Assert.Throws<FileNotFoundException>(() =>
            PascalVoc.Load("train", Height, Width, root: folder.Path, log: TextWriter.Null));

        Assert.Equal(missing, error.FileName);
        Assert.Contains(missing, error.Message);
        Assert.Contains("lists 1 file(s) that do not exist", error.Message);
        Assert.Contains("data-scripts/voc2012.sh", error.Message);
    }

    [Fact]
    public void A_mask_missing_for_the_chosen_target_is_named()
    {
        var missing = folder.File("SegmentationObject", "2007_000063.png");
        File.Delete(missing);

        var error = Assert.Throws<FileNotFoundException>(() =>
            PascalVoc.Load("val", 4, 4, VocTarget.SegmentationObject, folder.Path, TextWriter.Null));

        Assert.Equal(missing, error.FileName);
        Assert.Equal(1, PascalVoc.Load("val", 4, 4, root: folder.Path, log: TextWriter.Null).Count);
    }

    [Fact]
    public void A_value_that_is_no_class_id_is_named_with_its_pixel()
    {
        var path = folder.File("SegmentationClass", "2007_000032.png");
        TestPng.WriteIndexed(path, new byte[,] { { 0, 20, 255 }, { 1, 37, 37 } }, VocPalette);

        var error = Assert.Throws<InvalidDataException>(() => PascalVoc.LoadLabel(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("value 37 at pixel (x=1, y=1)", error.Message);
        Assert.Contains("2 pixel(s)", error.Message);
    }

    [Fact]
    public void A_dataset_skips_a_mask_with_invalid_ids_and_names_it()
    {
        var path = folder.File("SegmentationClass", "2007_000032.png");
        var bad = (byte[,])classMasks["2007_000032"].Clone();
        bad[2, 5] = 100;
        TestPng.WriteIndexed(path, bad, VocPalette);
        var log = new StringWriter();
        var dataset = PascalVoc.Load("train", Height, Width, root: folder.Path, log: log);

        // Sample 1 is 2007_000032: the next loadable sample (wrapping round) takes its place.
        var sample = dataset.GetTensor(1);

        Assert.Equal(Flat(classMasks["2007_000039"]), Flat(sample["label"]));
        Assert.Equal(path, Assert.Single(dataset.Skipped).Path);
        Assert.Contains("value 100", dataset.Skipped[0].Reason);
        Assert.Contains(path, log.ToString());
    }

    [Fact]
    public void A_mask_of_another_size_than_its_image_is_named()
    {
        var path = folder.File("SegmentationClass", "2007_000063.png");
        TestPng.WriteIndexed(path, new byte[Height, Width + 1], VocPalette);
        var dataset = PascalVoc.Load("trainval", 4, 4, root: folder.Path, log: TextWriter.Null);

        dataset.GetTensor(2);

        var skipped = Assert.Single(dataset.Skipped);
        Assert.Contains("is 9×6 pixels but its image", skipped.Reason);
        Assert.Contains(path, skipped.Reason);
    }

    [Fact]
    public void A_truncated_mask_is_left_out_when_the_dataset_is_made()
    {
        var path = folder.File("SegmentationClass", "2007_000039.png");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var dataset = PascalVoc.Load("train", Height, Width, root: folder.Path, log: TextWriter.Null);

        Assert.Equal(["2007_000032"], dataset.Samples.Select(sample => sample.Id));
        Assert.Equal(path, Assert.Single(dataset.Skipped).Path);
    }

    [Fact]
    public void Exists_says_whether_the_split_and_its_folders_are_there()
    {
        Assert.True(PascalVoc.Exists("train", folder.Path));
        Assert.True(PascalVoc.Exists("val", folder.Path, VocTarget.SegmentationObject));
        Assert.False(PascalVoc.Exists("train", folder.File("absent")));

        File.Delete(folder.File("ImageSets", "Segmentation", "val.txt"));
        Directory.Delete(folder.File("SegmentationObject"), recursive: true);

        Assert.False(PascalVoc.Exists("val", folder.Path));
        Assert.True(PascalVoc.Exists("train", folder.Path));
        Assert.False(PascalVoc.Exists("train", folder.Path, VocTarget.SegmentationObject));
    }

    [Fact]
    public void A_missing_folder_is_named_with_the_script()
    {
        Directory.Delete(folder.File("SegmentationObject"), recursive: true);

        var error = Assert.Throws<DirectoryNotFoundException>(() =>
            PascalVoc.Load("train", 4, 4, VocTarget.SegmentationObject, folder.Path, TextWriter.Null));

        Assert.Contains(folder.File("SegmentationObject"), error.Message);
        Assert.Contains("data-scripts/voc2012.sh", error.Message);
    }

    [Fact]
    public void A_missing_dataset_folder_names_the_download_script()
    {
        var error = Assert.Throws<DatasetNotFoundException>(() =>
            PascalVoc.Load("train", 4, 4, root: folder.File("absent"), log: TextWriter.Null));

        Assert.Contains("data-scripts/voc2012.sh", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void The_tar_unpacked_in_place_is_found_under_VOCdevkit()
    {
        using var outer = new TempFolder();
        var inner = outer.File("VOCdevkit", "VOC2012");
        Directory.CreateDirectory(outer.File("VOCdevkit"));
        Directory.Move(folder.Path, inner);
        try
        {
            Assert.Equal(inner, PascalVoc.DatasetFolder(outer.Path));
            Assert.True(PascalVoc.Exists("val", outer.Path));
            Assert.Equal(2, PascalVoc.Load("train", 4, 4, root: outer.Path, log: TextWriter.Null).Count);
        }
        finally
        {
            Directory.Move(inner, folder.Path);
        }
    }

    [Fact]
    public void An_unknown_split_is_rejected_with_the_splits_listed()
    {
        var error = Assert.Throws<ArgumentException>(() => PascalVoc.Load("test", 4, 4, root: folder.Path));

        Assert.Contains("train, val, trainval", error.Message);
    }

    [Fact]
    public void The_classes_are_VOCs_21_in_the_order_of_its_palette()
    {
        Assert.Equal(21, PascalVoc.ClassNames.Count);
        Assert.Equal("background", PascalVoc.ClassNames[0]);
        Assert.Equal("person", PascalVoc.ClassNames[15]);
        Assert.Equal("tvmonitor", PascalVoc.ClassNames[20]);
        Assert.Equal(Palettes.PascalVoc.ClassNames, PascalVoc.ClassNames);
        Assert.Equal(Palettes.PascalVoc.IgnoreIndex, PascalVoc.VoidValue);
        Assert.Equal(new DatasetInfo("voc2012", "PASCAL VOC 2012", "SegNet", "data-scripts/voc2012.sh", "~2 GB"), PascalVoc.Info);
    }

    [Fact]
    public void A_DataLoader_stacks_samples_into_batches()
    {
        using var dataset = PascalVoc.Load("trainval", 4, 5, root: folder.Path, log: TextWriter.Null);
        using var loader = DataLoaders.Create(dataset, batchSize: 2);

        var batches = loader.Select(batch => batch.ToDictionary(entry => entry.Key, entry => (entry.Value.shape, entry.Value.dtype))).ToList();

        Assert.Equal(2, batches.Count);
        Assert.Equal([2L, 3, 4, 5], batches[0]["image"].shape);
        Assert.Equal([2L, 4, 5], batches[0]["label"].shape);
        Assert.Equal(ScalarType.Int64, batches[0]["label"].dtype);
        Assert.Equal([1L, 4, 5], batches[1]["label"].shape);
    }
}

/// <summary>Where <see cref="PascalVoc"/> looks when no root is given; these tests set NBH_DATA_VOC2012.</summary>
[Collection(nameof(EnvironmentVariables))]
public sealed class PascalVocLocationTests : IDisposable
{
    private const string Variable = "NBH_DATA_VOC2012";

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
        Environment.SetEnvironmentVariable(Variable, folder.File("voc2012"));

        var error = Assert.Throws<DatasetNotFoundException>(() => PascalVoc.Load("val", 4, 4, log: TextWriter.Null));

        Assert.Contains(folder.File("voc2012"), error.Message);
        Assert.Contains("data-scripts/voc2012.sh", error.Message);
        Assert.Contains(Variable, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(PascalVoc.Exists("val"));
    }

    [Fact]
    public void The_variable_points_the_loader_at_the_dataset()
    {
        var root = folder.File("voc2012");
        foreach (var sub in new[] { "JPEGImages", "SegmentationClass", Path.Combine("ImageSets", "Segmentation") })
            Directory.CreateDirectory(Path.Combine(root, sub));
        ImageIO.SaveRgb(torch.full([3, 4, 4], 0.5f), Path.Combine(root, "JPEGImages", "a.jpg"));
        TestPng.WriteIndexed(Path.Combine(root, "SegmentationClass", "a.png"), new byte[4, 4],
            [.. Enumerable.Range(0, 256).Select(VocColormap.Colour)]);
        File.WriteAllLines(Path.Combine(root, "ImageSets", "Segmentation", "val.txt"), ["a"]);
        Environment.SetEnvironmentVariable(Variable, root);

        Assert.True(PascalVoc.Exists("val"));
        Assert.False(PascalVoc.Exists("train"));
        Assert.Equal(1, PascalVoc.Load("val", 2, 2, log: TextWriter.Null).Count);
    }
}
