using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using NotebookHelpers.Papers.Glcic;
using NotebookHelpers.Tests.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.Glcic;

public sealed class PhotoFolderTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>Random levels, so that two different windows of a photo differ.</summary>
    internal static Tensor Noise(int height, int width, ulong seed)
    {
        using var generator = new Generator(seed);
        return torch.randint(0, 256, [3, height, width], generator: generator).to(ScalarType.Float32).div(255f);
    }

    /// <summary>Cuts a JPEG halfway through its scan data, as an interrupted download leaves it.</summary>
    internal static void CutInsideScan(string jpegPath)
    {
        var jpeg = File.ReadAllBytes(jpegPath);
        var scan = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xDA]);
        File.WriteAllBytes(jpegPath, jpeg[..((scan + jpeg.Length) / 2)]);
    }

    private string Write(Tensor image, params string[] parts)
    {
        var path = folder.File(parts);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ImageIO.SaveRgb(image, path);
        return path;
    }

    private string[] WriteNoise(int count, int height = 20, int width = 28) =>
        Enumerable.Range(0, count).Select(n => Write(Noise(height, width, (ulong)n), $"photo{n}.png")).ToArray();

    [Fact]
    public void Every_png_and_jpeg_under_the_folder_is_listed_recursively_in_ordinal_path_order()
    {
        Write(Noise(4, 4, 0), "b.png");
        Write(Noise(4, 4, 1), "a", "z.jpg");
        Write(Noise(4, 4, 2), "a", "c.jpeg");
        File.Move(folder.File("a", "c.jpeg"), folder.File("a", "c.JPEG"));
        Write(Noise(4, 4, 3), "a", "sub", "d.png");
        Write(Noise(4, 4, 4), "Z.png");
        Write(Noise(4, 4, 5), ".hidden.png");
        Write(Noise(4, 4, 6), ".cache", "e.png");
        File.WriteAllText(folder.File("notes.txt"), "not a photo");

        var files = PhotoFolder.ListImages(folder.Path);

        Assert.Equal(["Z.png", Path.Combine("a", "c.JPEG"), Path.Combine("a", "sub", "d.png"), Path.Combine("a", "z.jpg"), "b.png"], files);
        using var dataset = PhotoFolder.FromFolder(folder.Path, 4, log: TextWriter.Null);
        Assert.Equal(files, dataset.Samples);
        Assert.Equal(folder.Path, dataset.Root);
    }

    [Fact]
    public void An_explicit_list_keeps_its_order()
    {
        WriteNoise(3);

        using var dataset = new PhotoFolder(folder.Path, ["photo2.png", "photo0.png"], 8, PhotoSampling.Evaluation, log: TextWriter.Null);

        Assert.Equal(["photo2.png", "photo0.png"], dataset.Samples);
        Assert.True(Tensors.Identical(
            PhotoFolder.EvaluationCrop(ImageIO.LoadRgb(folder.File("photo2.png")), 8), dataset.GetTensor(0)["image"]));
    }

    [Fact]
    public void Training_samples_are_s_by_s_and_lie_inside_the_rescaled_photo()
    {
        // A photo of one colour: any padding or a window outside it would bring in other values.
        Write(torch.tensor(new[] { 51f, 102f, 153f }).div(255f).reshape(3, 1, 1).expand(3, 30, 50).contiguous(), "flat.png");
        using var generator = new Generator(3);
        using var dataset = PhotoFolder.FromFolder(folder.Path, 16, PhotoSampling.Training, generator, TextWriter.Null);

        for (var draw = 0; draw < 20; draw++)
        {
            var image = dataset.GetTensor(0)["image"];
            Assert.Equal([3L, 16, 16], image.shape);
            Assert.Equal(ScalarType.Float32, image.dtype);
            Assert.True(image[0].sub(0.2f).abs().max().item<float>() < 1e-5f);
            Assert.True(image[2].sub(0.6f).abs().max().item<float>() < 1e-5f);
        }
        for (var draw = 0; draw < 200; draw++)
        {
            var window = PhotoFolder.DrawTrainingWindow(30, 50, 16, generator);
            Assert.InRange(window.Top, 0, window.Height - 16);
            Assert.InRange(window.Left, 0, window.Width - 16);
        }
    }

    [Fact]
    public void The_shorter_side_is_drawn_from_s_to_one_and_a_half_s_and_the_longer_keeps_the_aspect_ratio()
    {
        using var generator = new Generator(11);

        var landscape = Enumerable.Range(0, 300).Select(_ => PhotoFolder.DrawTrainingWindow(40, 60, 16, generator)).ToList();
        var portrait = Enumerable.Range(0, 50).Select(_ => PhotoFolder.DrawTrainingWindow(60, 40, 16, generator)).ToList();

        Assert.Equal((256, 384), PhotoFolder.TrainingShorterSides(256));
        Assert.Equal((16, 24), PhotoFolder.TrainingShorterSides(16));
        Assert.All(landscape, window => Assert.InRange(window.ShorterSide, 16, 24));
        Assert.Equal(Enumerable.Range(16, 9), landscape.Select(window => window.ShorterSide).Distinct().Order());
        Assert.All(landscape, window => Assert.Equal((window.ShorterSide, (int)(window.ShorterSide * 60 / 40.0)), (window.Height, window.Width)));
        Assert.All(portrait, window => Assert.Equal(((int)(window.ShorterSide * 60 / 40.0), window.ShorterSide), (window.Height, window.Width)));
    }

    [Fact]
    public void A_training_sample_is_its_window_of_the_photo_resized_with_antialiasing()
    {
        var image = Noise(30, 45, 9);

        using var first = new Generator(5);
        using var second = new Generator(5);
        var sample = PhotoFolder.TrainingCrop(image, 12, first);
        var window = PhotoFolder.DrawTrainingWindow(30, 45, 12, second);

        var expected = ImageTransforms.Crop(ImageTransforms.Resize(image, window.Height, window.Width), window.Top, window.Left, 12, 12);
        Assert.True(Tensors.Identical(expected, sample));
        Assert.Equal(window.Height, ImageTransforms.ResizeShorterSide(image, window.ShorterSide).shape[1]);
        Assert.Equal(window.Width, ImageTransforms.ResizeShorterSide(image, window.ShorterSide).shape[2]);
    }

    [Fact]
    public void Training_samples_repeat_with_the_same_seed_and_change_with_another()
    {
        WriteNoise(3);

        List<Tensor> Draw(ulong seed)
        {
            using var generator = new Generator(seed);
            using var dataset = PhotoFolder.FromFolder(folder.Path, 12, PhotoSampling.Training, generator, TextWriter.Null);
            return [.. Enumerable.Range(0, 6).Select(i => dataset.GetTensor(i % 3)["image"])];
        }

        var (a, b, c) = (Draw(7), Draw(7), Draw(8));

        Assert.All(a.Zip(b), pair => Assert.True(Tensors.Identical(pair.First, pair.Second)));
        Assert.Contains(a.Zip(c), pair => !Tensors.Identical(pair.First, pair.Second));
        // The same photo asked for twice gets a new window.
        Assert.False(Tensors.Identical(a[0], a[3]));
    }

    [Fact]
    public void Evaluation_samples_are_the_centre_of_the_photo_resized_to_s_and_never_change()
    {
        var photo = Write(Noise(24, 40, 4), "wide.jpg");
        Write(Noise(12, 30, 5), "short.png");
        using var dataset = PhotoFolder.FromFolder(folder.Path, 12, PhotoSampling.Evaluation, log: TextWriter.Null);

        var first = dataset.GetTensor(1)["image"];

        Assert.True(Tensors.Identical(first, dataset.GetTensor(1)["image"]));
        var expected = ImageTransforms.CenterCrop(ImageTransforms.ResizeShorterSide(ImageIO.LoadRgb(photo), 12), 12, 12);
        Assert.True(Tensors.Identical(expected, first));
        // A photo whose shorter side is S already is cut, not resampled.
        var stored = ImageIO.LoadRgb(folder.File("short.png"));
        Assert.True(Tensors.Identical(stored[.., .., TensorIndex.Slice(9, 21)], dataset.GetTensor(0)["image"]));
    }

    [Fact]
    public void A_truncated_jpeg_is_named_in_the_log_skipped_and_counted()
    {
        var paths = Enumerable.Range(0, 3).Select(n => Write(Noise(16, 16, (ulong)n), $"{n}.jpg")).ToArray();
        CutInsideScan(paths[1]);
        var log = new StringWriter();

        using var dataset = PhotoFolder.FromFolder(folder.Path, 8, PhotoSampling.Evaluation, log: log);

        Assert.Equal(2, dataset.Count);
        Assert.Equal(["0.jpg", "2.jpg"], dataset.Samples);
        Assert.Equal(paths[1], Assert.Single(dataset.Skipped).Path);
        Assert.Contains("is truncated", dataset.Skipped[0].Reason);
        Assert.Contains(paths[1], log.ToString());
        Assert.Contains("1 of 3 photo(s)", log.ToString());
    }

    [Fact]
    public void LoadFirst_skips_a_truncated_jpeg_met_on_the_way_and_takes_the_next_photo()
    {
        var paths = Enumerable.Range(0, 4).Select(n => Write(Noise(16, 16, (ulong)n), $"{n}.jpg")).ToArray();
        CutInsideScan(paths[1]);
        var log = new StringWriter();

        var images = PhotoFolder.LoadFirst(folder.Path, 8, limit: 2, sampling: PhotoSampling.Evaluation, log: log);

        Assert.Equal([2L, 3, 8, 8], images.shape);
        Assert.True(Tensors.Identical(PhotoFolder.EvaluationCrop(ImageIO.LoadRgb(paths[0]), 8), images[0]));
        Assert.True(Tensors.Identical(PhotoFolder.EvaluationCrop(ImageIO.LoadRgb(paths[2]), 8), images[1]));
        Assert.Contains(paths[1], log.ToString());
        Assert.Contains("1 photo(s)", log.ToString());
        Assert.Contains("2 stacked", log.ToString());
    }

    [Fact]
    public void LoadFirst_stacks_the_first_photos_and_repeats_with_its_seed()
    {
        WriteNoise(5);

        var a = PhotoFolder.LoadFirst(folder.Path, 10, limit: 3, seed: 1, log: TextWriter.Null);
        var b = PhotoFolder.LoadFirst(folder.Path, 10, limit: 3, seed: 1, log: TextWriter.Null);
        var c = PhotoFolder.LoadFirst(folder.Path, 10, limit: 3, seed: 2, log: TextWriter.Null);
        var all = PhotoFolder.LoadFirst(folder.Path, 10, limit: 50, sampling: PhotoSampling.Evaluation, log: TextWriter.Null);

        Assert.Equal([3L, 3, 10, 10], a.shape);
        Assert.Equal(ScalarType.Float32, a.dtype);
        Assert.True(Tensors.Identical(a, b));
        Assert.False(Tensors.Identical(a, c));
        Assert.Equal([5L, 3, 10, 10], all.shape);
        Assert.InRange(all.min().item<float>(), 0f, 1f);
        Assert.InRange(all.max().item<float>(), 0f, 1f);
    }

    [Fact]
    public void A_folder_without_photos_is_an_error_naming_it_and_what_it_looks_for()
    {
        Directory.CreateDirectory(folder.File("empty", "sub"));
        File.WriteAllText(folder.File("empty", "sub", "readme.txt"), "no photos here");

        var error = Assert.Throws<InvalidDataException>(() => PhotoFolder.FromFolder(folder.File("empty"), 8, log: TextWriter.Null));

        Assert.Contains(folder.File("empty"), error.Message);
        Assert.Contains(".png, .jpg or .jpeg", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        var missing = Assert.Throws<DirectoryNotFoundException>(() => PhotoFolder.ListImages(folder.File("absent")));
        Assert.Contains(folder.File("absent"), missing.Message);
    }

    [Fact]
    public void A_folder_whose_photos_all_fail_is_an_error()
    {
        File.WriteAllText(folder.File("broken.png"), "not a png");

        var error = Assert.Throws<InvalidDataException>(() => PhotoFolder.FromFolder(folder.Path, 8, log: TextWriter.Null));

        Assert.Contains(folder.Path, error.Message);
    }

    [Fact]
    public void A_DataLoader_stacks_the_samples_into_batches()
    {
        WriteNoise(3);
        using var generator = new Generator(0);
        using var dataset = PhotoFolder.FromFolder(folder.Path, 8, PhotoSampling.Training, generator, TextWriter.Null);
        using var loader = DataLoaders.Create(dataset, batchSize: 2);

        var shapes = loader.Select(batch => batch[PhotoFolder.ImageKey].shape).ToList();

        Assert.Equal([[2L, 3, 8, 8], [1L, 3, 8, 8]], shapes);
    }
}
