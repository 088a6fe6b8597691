using NotebookHelpers.Core;
using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using NotebookHelpers.Papers.Glcic;
using NotebookHelpers.Tests.Data;
using NotebookHelpers.Tests.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.Glcic;

/// <summary>
/// A places365_standard folder as the easy-format release lays it out (train/&lt;category&gt;/*.jpg,
/// val/&lt;category&gt;/*.jpg, train.txt and val.txt of relative paths), with 16×16 photos: 4 train, 2 val.
/// </summary>
public sealed class Places2Tests : IDisposable
{
    private readonly TempFolder folder = new();

    // Listed out of folder order: the list decides the order.
    private static readonly string[] TrainList =
        ["train/bakery/00000002.jpg", "train/airfield/00000001.jpg", "train/bakery/00000001.jpg", "train/airfield/00000002.jpg"];

    private static readonly string[] ValList = ["val/airfield/00000001.jpg", "val/bakery/00000001.jpg"];

    public Places2Tests()
    {
        var seed = 0UL;
        foreach (var relative in TrainList.Concat(ValList))
        {
            var path = folder.File(relative.Split('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            ImageIO.SaveRgb(PhotoFolderTests.Noise(16, 16, seed++), path);
        }
        File.WriteAllLines(folder.File("train.txt"), TrainList);
        File.WriteAllLines(folder.File("val.txt"), ValList);
    }

    public void Dispose() => folder.Dispose();

    [Fact]
    public void The_easy_format_list_is_paths_relative_to_the_folder_in_list_order()
    {
        var listed = Places2.ReadList(folder.File("train.txt"));

        Assert.Equal(TrainList, listed.Select(image => image.RelativePath));
        Assert.Equal([1, 2, 3, 4], listed.Select(image => image.Line));
    }

    [Fact]
    public void A_leading_slash_a_class_index_and_blank_lines_are_tolerated()
    {
        File.WriteAllText(folder.File("devkit.txt"), "/a/airfield/00000001.jpg 0\n\n  /b/bakery/00000002.jpg   12  \r\nval/x.jpg\n");

        var listed = Places2.ReadList(folder.File("devkit.txt"));

        Assert.Equal([new ListedImage("a/airfield/00000001.jpg", 1), new ListedImage("b/bakery/00000002.jpg", 3), new ListedImage("val/x.jpg", 4)], listed);
    }

    [Theory]
    [InlineData("train/a.jpg 3 extra")]
    [InlineData("train/a.jpg airfield")]
    [InlineData("/ 4")]
    public void A_line_that_is_not_a_path_and_an_index_is_named_with_its_file_and_line(string line)
    {
        File.WriteAllText(folder.File("bad.txt"), $"train/ok.jpg\n{line}\n");

        var error = Assert.Throws<InvalidDataException>(() => Places2.ReadList(folder.File("bad.txt")));

        Assert.Contains(folder.File("bad.txt"), error.Message);
        Assert.Contains("line 2", error.Message);
    }

    [Fact]
    public void Train_is_read_in_list_order_as_training_samples()
    {
        using var generator = new Generator(1);
        using var dataset = Places2.Load("train", 8, generator: generator, root: folder.Path, log: TextWriter.Null);

        Assert.Equal(4, dataset.Count);
        Assert.Equal(TrainList.Select(path => path), dataset.Samples);
        Assert.Equal(PhotoSampling.Training, dataset.Sampling);
        Assert.Equal([3L, 8, 8], dataset.GetTensor(0)["image"].shape);
    }

    [Fact]
    public void Val_is_read_as_deterministic_evaluation_samples()
    {
        using var dataset = Places2.Load("val", 8, root: folder.Path, log: TextWriter.Null);

        Assert.Equal(PhotoSampling.Evaluation, dataset.Sampling);
        Assert.True(Tensors.Identical(dataset.GetTensor(1)["image"], dataset.GetTensor(1)["image"]));
        var stored = ImageIO.LoadRgb(folder.File("val", "bakery", "00000001.jpg"));
        Assert.True(Tensors.Identical(PhotoFolder.EvaluationCrop(stored, 8), dataset.GetTensor(1)["image"]));
    }

    [Fact]
    public void A_list_in_the_devkit_form_is_read_too()
    {
        File.WriteAllLines(folder.File("val.txt"), ["/val/airfield/00000001.jpg 0", "/val/bakery/00000001.jpg 17"]);

        using var dataset = Places2.Load("val", 8, root: folder.Path, log: TextWriter.Null);

        Assert.Equal(ValList, dataset.Samples);
    }

    [Fact]
    public void The_val_only_layout_of_the_script_is_read()
    {
        using var valOnly = new TempFolder();
        Directory.CreateDirectory(valOnly.File("val_256"));
        foreach (var n in new[] { 1, 2 })
            ImageIO.SaveRgb(PhotoFolderTests.Noise(16, 16, (ulong)n), valOnly.File("val_256", $"Places365_val_0000000{n}.jpg"));
        File.WriteAllLines(valOnly.File("val.txt"), ["val_256/Places365_val_00000001.jpg 165", "val_256/Places365_val_00000002.jpg 3"]);

        using var dataset = Places2.Load("val", 8, root: valOnly.Path, log: TextWriter.Null);

        Assert.Equal(["val_256/Places365_val_00000001.jpg", "val_256/Places365_val_00000002.jpg"], dataset.Samples);
        Assert.True(Places2.Exists("val", valOnly.Path));
        Assert.False(Places2.Exists("train", valOnly.Path));
    }

    [Fact]
    public void A_listed_file_that_is_missing_is_an_error_naming_it_and_its_line()
    {
        var missing = folder.File("train", "bakery", "00000001.jpg");
        File.Delete(missing);

        var error = Assert.Throws<FileNotFoundException>(() =>
            Places2.Load("train", 8, root: folder.Path, log: TextWriter.Null));

        Assert.Equal(missing, error.FileName);
        Assert.Contains(missing, error.Message);
        Assert.Contains("line 3", error.Message);
        Assert.Contains("data-scripts/places2.sh", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_missing_category_folder_names_the_first_missing_file_in_list_order_and_the_count()
    {
        Directory.Delete(folder.File("train", "airfield"), recursive: true);
        File.Delete(folder.File("train", "bakery", "00000001.jpg"));

        var error = Assert.Throws<FileNotFoundException>(() =>
            Places2.Load("train", 8, root: folder.Path, log: TextWriter.Null));

        Assert.Equal(folder.File("train", "airfield", "00000001.jpg"), error.FileName);
        Assert.Contains("line 2", error.Message);
        Assert.Contains("3 listed files are missing", error.Message);
        Assert.Equal([2, 3, 4], Places2.Missing(folder.Path, Places2.ReadList(folder.File("train.txt"))).Select(image => image.Line));
    }

    [Fact]
    public void A_split_of_another_size_than_the_releases_is_noted_in_the_log()
    {
        var log = new StringWriter();

        Places2.Load("val", 8, root: folder.Path, log: log).Dispose();

        Assert.Contains("names 2 images; the release's names 36,500", log.ToString());
        Assert.Equal(new Dictionary<string, int> { ["train"] = 1_803_460, ["val"] = 36_500 }, Places2.SplitSizes);
    }

    [Fact]
    public void A_missing_list_or_dataset_folder_names_what_to_run()
    {
        File.Delete(folder.File("val.txt"));

        var list = Assert.Throws<FileNotFoundException>(() => Places2.Load("val", root: folder.Path, log: TextWriter.Null));
        var dataset = Assert.Throws<DatasetNotFoundException>(() => Places2.Load("train", root: folder.File("absent"), log: TextWriter.Null));

        Assert.Equal(folder.File("val.txt"), list.FileName);
        Assert.Contains("data-scripts/places2.sh", list.Message);
        Assert.Contains("data-scripts/places2.sh", dataset.Message);
        Assert.False(Places2.Exists("val", folder.Path));
        Assert.True(Places2.Exists("train", folder.Path));
    }

    [Fact]
    public void A_listed_file_that_cannot_be_read_is_skipped_and_named()
    {
        var broken = folder.File("val", "airfield", "00000001.jpg");
        PhotoFolderTests.CutInsideScan(broken);
        var log = new StringWriter();

        using var dataset = Places2.Load("val", 8, root: folder.Path, log: log);

        Assert.Equal(["val/bakery/00000001.jpg"], dataset.Samples);
        Assert.Contains(broken, log.ToString());
        Assert.Contains("1 of 2 photo(s)", log.ToString());
    }

    [Fact]
    public void An_unknown_split_is_rejected_with_the_splits_listed()
    {
        var error = Assert.Throws<ArgumentException>(() => Places2.Load("test", root: folder.Path));

        Assert.Contains("train, val", error.Message);
    }

    [Fact]
    public void Info_is_the_glcic_entry_of_the_catalogue()
    {
        Assert.Equal(new DatasetInfo("places2", "Places2 (Places365-Standard, 256×256)", "GLCIC", "data-scripts/places2.sh", "~21 GB"), Places2.Info);
        Assert.Contains(DatasetCatalog.All, dataset => dataset == Places2.Info);
        Assert.Single(DatasetCatalog.All, dataset => dataset.Name == "places2");
        Assert.Contains(DatasetCatalog.All, dataset => dataset == CelebAHq.Info);
        // nbh doctor tells to run the script only when it is there.
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, Places2.Script)));
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, CelebAHq.Script)));
    }
}

/// <summary>Where <see cref="Places2"/> looks when no root is given; these tests set NBH_DATA_PLACES2.</summary>
[Collection(nameof(EnvironmentVariables))]
public sealed class Places2LocationTests : IDisposable
{
    private const string Variable = "NBH_DATA_PLACES2";

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
        Environment.SetEnvironmentVariable(Variable, folder.File("places2"));

        var error = Assert.Throws<DatasetNotFoundException>(() => Places2.Load("val", log: TextWriter.Null));

        Assert.Contains(folder.File("places2"), error.Message);
        Assert.Contains("data-scripts/places2.sh", error.Message);
        Assert.Contains(Variable, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(Places2.Exists("val"));
    }
}
