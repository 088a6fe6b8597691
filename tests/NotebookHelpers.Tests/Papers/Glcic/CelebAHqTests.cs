using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using NotebookHelpers.Papers.Glcic;
using NotebookHelpers.Tests.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.Glcic;

/// <summary>A CelebA-HQ folder of 30 small faces named by index as CelebAMask-HQ names them (0.jpg … 29.jpg).</summary>
public sealed class CelebAHqTests : IDisposable
{
    private readonly TempFolder folder = new();

    public CelebAHqTests()
    {
        for (var index = 0; index < 30; index++)
            ImageIO.SaveRgb(PhotoFolderTests.Noise(12, 12, (ulong)index), folder.File($"{index}.jpg"));
    }

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Numbered_files_are_in_the_order_of_their_number_not_of_their_text()
    {
        var ordered = CelebAHq.OrderedImages(folder.Path);

        Assert.Equal(Enumerable.Range(0, 30).Select(index => $"{index}.jpg"), ordered);
    }

    [Fact]
    public void Other_names_are_in_ordinal_order()
    {
        File.Move(folder.File("3.jpg"), folder.File("face-b.jpg"));
        File.Move(folder.File("10.jpg"), folder.File("face-a.jpg"));

        var ordered = CelebAHq.OrderedImages(folder.Path);

        Assert.Equal(ordered.Order(StringComparer.Ordinal), ordered);
        Assert.Equal("0.jpg", ordered[0]);
        Assert.Equal("1.jpg", ordered[1]);
        Assert.Equal("11.jpg", ordered[2]);
    }

    [Fact]
    public void The_split_is_by_file_order_28000_train_and_the_last_2000_val_in_proportion()
    {
        using var train = CelebAHq.Load("train", 8, root: folder.Path, log: TextWriter.Null);
        using var val = CelebAHq.Load("val", 8, root: folder.Path, log: TextWriter.Null);

        Assert.Equal(Enumerable.Range(0, 28).Select(index => $"{index}.jpg"), train.Samples);
        Assert.Equal(["28.jpg", "29.jpg"], val.Samples);
        Assert.Equal(2000, CelebAHq.ValCountFor(30_000));
        Assert.Equal(30_000 - 2000, CelebAHq.TrainCount);
        Assert.Equal(1, CelebAHq.ValCountFor(14));
        Assert.Equal(2, CelebAHq.ValCountFor(16));
    }

    [Fact]
    public void Zero_padded_names_from_one_split_alike()
    {
        using var padded = new TempFolder();
        for (var number = 1; number <= 15; number++)
            ImageIO.SaveRgb(PhotoFolderTests.Noise(8, 8, (ulong)number), padded.File($"{number:00000}.jpg"));

        using var val = CelebAHq.Load("val", 8, root: padded.Path, log: TextWriter.Null);

        Assert.Equal(["00015.jpg"], val.Samples);
    }

    [Fact]
    public void Train_samples_are_random_windows_and_val_samples_deterministic()
    {
        using var generator = new Generator(4);
        using var train = CelebAHq.Load("train", 8, generator: generator, root: folder.Path, log: TextWriter.Null);
        using var val = CelebAHq.Load("val", 8, root: folder.Path, log: TextWriter.Null);

        Assert.Equal(PhotoSampling.Training, train.Sampling);
        Assert.Equal(PhotoSampling.Evaluation, val.Sampling);
        Assert.Equal([3L, 8, 8], train.GetTensor(0)["image"].shape);
        var stored = ImageIO.LoadRgb(folder.File("29.jpg"));
        Assert.True(Tensors.Identical(PhotoFolder.EvaluationCrop(stored, 8), val.GetTensor(1)["image"]));
    }

    [Fact]
    public void A_folder_of_another_size_is_noted_in_the_log()
    {
        var log = new StringWriter();

        CelebAHq.Load("val", 8, root: folder.Path, log: log).Dispose();

        Assert.Contains("holds 30 images; the release has 30,000", log.ToString());
        Assert.Contains("The last 2 in file order are val", log.ToString());
    }

    [Fact]
    public void A_truncated_face_is_named_and_skipped()
    {
        PhotoFolderTests.CutInsideScan(folder.File("29.jpg"));
        var log = new StringWriter();

        using var val = CelebAHq.Load("val", 8, root: folder.Path, log: log);

        Assert.Equal(["28.jpg"], val.Samples);
        Assert.Contains(folder.File("29.jpg"), log.ToString());
    }

    [Fact]
    public void A_folder_without_images_and_a_missing_folder_name_the_script()
    {
        using var empty = new TempFolder();

        var none = Assert.Throws<InvalidDataException>(() => CelebAHq.Load("train", root: empty.Path, log: TextWriter.Null));
        var absent = Assert.Throws<DatasetNotFoundException>(() => CelebAHq.Load("train", root: empty.File("absent"), log: TextWriter.Null));

        Assert.Contains(empty.Path, none.Message);
        Assert.Contains("data-scripts/celebahq.sh", none.Message);
        Assert.Contains("data-scripts/celebahq.sh", absent.Message);
        Assert.True(CelebAHq.Exists(folder.Path));
        Assert.False(CelebAHq.Exists(empty.File("absent")));
    }

    [Fact]
    public void Info_is_the_glcic_entry_of_the_catalogue()
    {
        Assert.Equal("celebahq", CelebAHq.Info.Name);
        Assert.Equal("GLCIC", CelebAHq.Info.UsedBy);
        Assert.Equal("data-scripts/celebahq.sh", CelebAHq.Info.Script);
        Assert.Single(DatasetCatalog.All, dataset => dataset.Name == "celebahq");
    }
}
