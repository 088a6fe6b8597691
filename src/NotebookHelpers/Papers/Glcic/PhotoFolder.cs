using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.Glcic;

/// <summary>How a <see cref="PhotoFolder"/> makes an S×S sample of a photo.</summary>
public enum PhotoSampling
{
    /// <summary>
    /// GLCIC's training sample (Iizuka et al. 2017, §4 and §5): the photo is rescaled so that its shorter side is a
    /// random length in [S, 1.5·S] (the paper's [256, 384] for S = 256), then a random S×S patch of it is taken.
    /// </summary>
    Training,

    /// <summary>The same photo always gives the same sample: the shorter side resized to S, then the central S×S window.</summary>
    Evaluation,
}

/// <summary>
/// Where a training sample comes from in its photo: the photo rescaled to <see cref="Height"/>×<see cref="Width"/>
/// (its shorter side <see cref="ShorterSide"/>, the aspect ratio kept) and the window of the sample's size whose
/// top-left pixel is (<see cref="Top"/>, <see cref="Left"/>) in it.
/// </summary>
public readonly record struct TrainingWindow(int ShorterSide, int Height, int Width, int Top, int Left);

/// <summary>
/// A folder of photos as a dataset for image completion: every PNG and JPEG under a folder, or the files of an explicit
/// list, each sample one RGB image "image" float32 (3,S,S) in [0,1] made as <see cref="PhotoSampling"/> says. It is
/// the general piece: your own photos as they are, and <see cref="Places2"/> and <see cref="CelebAHq"/> read through it.
/// <para>
/// Random choices (the training scale and window) are drawn from the <see cref="Generator"/> given, one draw per
/// sample in the order the samples are asked for, so the same seed and the same order give the same samples; without
/// one they come from libtorch's global generator.
/// </para>
/// <para>
/// A file that cannot be read (truncated, corrupt, above <see cref="ImageIO.MaxPixels"/>, missing) is reported by path in
/// the log and skipped, as <see cref="FileDataset{TSample}"/> does; how many were skipped is written after the up-front
/// check and after <see cref="Stack"/>.
/// </para>
/// </summary>
public sealed class PhotoFolder : FileDataset<string>
{
    public const string ImageKey = "image";

    /// <summary>The longest shorter side of a training sample, as a multiple of its size: 384 / 256 in the paper.</summary>
    public const double MaxTrainingScale = 1.5;

    private readonly Generator? generator;
    private readonly Lock drawing = new();
    private readonly TextWriter log;

    /// <param name="root">The folder the paths are relative to.</param>
    /// <param name="relativePaths">The photos, relative to <paramref name="root"/>, in the order of the samples.</param>
    /// <param name="size">S, the side of every sample.</param>
    /// <param name="sampling">How a photo becomes a sample.</param>
    /// <param name="generator">Where the random choices of <see cref="PhotoSampling.Training"/> come from; null: libtorch's global generator.</param>
    /// <param name="log">Where skipped files and their count are reported; standard error when null.</param>
    /// <param name="validate">
    /// Check every file up front (<see cref="FileDataset{TSample}.Validate"/>, which reads each file once) and drop the
    /// ones that fail; false leaves each to be found when it is loaded, for lists too long to read twice.
    /// </param>
    public PhotoFolder(string root, IEnumerable<string> relativePaths, int size,
        PhotoSampling sampling = PhotoSampling.Training, Generator? generator = null, TextWriter? log = null,
        bool validate = true)
        : base(relativePaths, log)
    {
        RequireSize(size);
        if (!Enum.IsDefined(sampling))
            throw new ArgumentOutOfRangeException(nameof(sampling), sampling, "Use PhotoSampling.Training or PhotoSampling.Evaluation.");
        Root = root;
        Size = size;
        Sampling = sampling;
        this.generator = generator;
        this.log = log ?? Console.Error;
        if (Count == 0)
            throw new InvalidDataException($"No photo was given to read from {root}: the list of files is empty.");
        if (validate)
            ReportDropped(Validate(), (int)Count);
    }

    /// <summary>The folder the samples' paths are relative to.</summary>
    public string Root { get; }

    /// <summary>S: every sample is (3,S,S).</summary>
    public int Size { get; }

    public PhotoSampling Sampling { get; }

    /// <summary>The file extensions read, in any case: .png, .jpg and .jpeg.</summary>
    public static IReadOnlySet<string> Extensions => FilePairing.ImageExtensions;

    /// <summary>
    /// Every photo under <paramref name="folder"/> (<see cref="ListImages"/>) as a dataset. A missing folder is a
    /// <see cref="DirectoryNotFoundException"/>, a folder without a photo an <see cref="InvalidDataException"/>, each
    /// naming the folder.
    /// </summary>
    public static PhotoFolder FromFolder(string folder, int size, PhotoSampling sampling = PhotoSampling.Training,
        Generator? generator = null, TextWriter? log = null, bool validate = true)
    {
        RequireSize(size);
        var files = ListImages(folder);
        if (files.Count == 0)
            throw new InvalidDataException(
                $"{Path.GetFullPath(folder)} holds no photo: no .png, .jpg or .jpeg file in it or in its subfolders. " +
                "Put your photos there, or give the folder that holds them.");
        return new PhotoFolder(folder, files, size, sampling, generator, log, validate);
    }

    /// <summary>
    /// The first <paramref name="limit"/> readable photos under <paramref name="folder"/>, in the order of
    /// <see cref="ListImages"/>, as one float32 (N,3,S,S) tensor in [0,1]: what a notebook trains from on a CPU. The
    /// training scales and windows are drawn from a generator seeded with <paramref name="seed"/>, so the same seed gives
    /// the same tensor. Unreadable files are reported and skipped, the next photo taking their place.
    /// </summary>
    public static Tensor LoadFirst(string folder, int size, int limit, ulong seed = 0,
        PhotoSampling sampling = PhotoSampling.Training, TextWriter? log = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        using var seeded = new Generator(seed);
        // Only the photos reached are read; checking the whole folder first would read every file of a large one.
        using var photos = FromFolder(folder, size, sampling, seeded, log, validate: false);
        return photos.Stack(limit);
    }

    /// <summary>
    /// The PNG and JPEG files (<see cref="Extensions"/>) under <paramref name="folder"/> and all its subfolders,
    /// relative to it, in ordinal order of those relative paths. Hidden files and folders (names starting with '.')
    /// are left out. A missing folder is a <see cref="DirectoryNotFoundException"/> naming it.
    /// </summary>
    public static IReadOnlyList<string> ListImages(string folder)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The photo folder {Path.GetFullPath(folder)} does not exist.");
        var options = new EnumerationOptions { RecurseSubdirectories = true };
        return Directory.EnumerateFiles(folder, "*", options)
            .Where(path => Extensions.Contains(Path.GetExtension(path)))
            .Select(path => Path.GetRelativePath(folder, path))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The first <paramref name="limit"/> samples that load, in order, stacked into float32 (N,3,S,S); N is smaller
    /// when fewer samples load. A file that fails is reported and skipped, and the count written to the log. The
    /// training windows come from this dataset's generator.
    /// </summary>
    public Tensor Stack(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var failed = Skipped.Select(skip => skip.Path).ToHashSet(StringComparer.Ordinal);
        var images = new List<Tensor>();
        var newlySkipped = 0;
        try
        {
            for (var i = 0; i < Count && images.Count < limit; i++)
            {
                if (failed.Contains(PathOf(Samples[i])))
                    continue;
                var before = SkippedCount;
                var sample = GetTensor(i)[ImageKey];
                // A sample that fails is replaced by a later one, which this loop reaches in its turn: drop the stand-in.
                if (SkippedCount == before)
                {
                    images.Add(sample);
                    continue;
                }
                sample.Dispose();
                newlySkipped += SkippedCount - before;
                failed.Add(PathOf(Samples[i]));
            }
            if (newlySkipped > 0)
                log.WriteLine($"{newlySkipped} photo(s) of {Root} could not be read and were skipped (listed above); {images.Count} stacked.");
            return torch.stack(images);
        }
        finally
        {
            foreach (var image in images)
                image.Dispose();
        }
    }

    /// <summary>
    /// The training sample of <paramref name="image"/> (3,H,W): <see cref="DrawTrainingWindow"/>, then the photo
    /// resized with antialiasing (<see cref="ImageTransforms.ResizeShorterSide"/>) and that window cut out, (3,S,S).
    /// </summary>
    public static Tensor TrainingCrop(Tensor image, int size, Generator? generator = null)
    {
        var window = DrawTrainingWindow(image.shape[^2], image.shape[^1], size, generator);
        return CutOut(image, window, size);
    }

    /// <summary>The evaluation sample of <paramref name="image"/> (3,H,W): shorter side resized to S, then the central S×S window.</summary>
    public static Tensor EvaluationCrop(Tensor image, int size)
    {
        RequireSize(size);
        var shorter = Math.Min(image.shape[^2], image.shape[^1]);
        var resized = shorter == size ? image : ImageTransforms.ResizeShorterSide(image, size);
        return ImageTransforms.CenterCrop(resized, size, size);
    }

    /// <summary>
    /// The random part of a training sample of a <paramref name="height"/>×<paramref name="width"/> photo: a shorter
    /// side uniform in <see cref="TrainingShorterSides"/>, the longer side following as
    /// <see cref="ImageTransforms.ResizeShorterSide"/> computes it, and a uniform top-left corner of an S×S window in
    /// that size. Two draws from <paramref name="generator"/>, the side first.
    /// </summary>
    public static TrainingWindow DrawTrainingWindow(long height, long width, int size, Generator? generator = null)
    {
        var (min, max) = TrainingShorterSides(size);
        if (height <= 0 || width <= 0)
            throw new ArgumentException($"A photo of {height}x{width} pixels has no sample.");
        using var scope = NewDisposeScope();
        var shorterSide = (int)torch.randint(min, max + 1, [1], generator: generator).item<long>();
        var (shorter, longer) = height <= width ? (height, width) : (width, height);
        var newLonger = (int)(shorterSide * longer / (double)shorter);
        var (newHeight, newWidth) = height <= width ? (shorterSide, newLonger) : (newLonger, shorterSide);
        var (top, left) = ImageTransforms.RandomCropOrigin(newHeight, newWidth, size, size, generator);
        return new TrainingWindow(shorterSide, newHeight, newWidth, top, left);
    }

    /// <summary>The range of the shorter side of a training sample of size S, both ends included: S and ⌊1.5·S⌋.</summary>
    public static (int Min, int Max) TrainingShorterSides(int size)
    {
        RequireSize(size);
        return (size, (int)Math.Floor(size * MaxTrainingScale));
    }

    protected override IEnumerable<string> FilesOf(string sample) => [PathOf(sample)];

    protected override Dictionary<string, Tensor> Load(string sample)
    {
        var image = ImageIO.LoadRgb(PathOf(sample));
        var crop = Sampling == PhotoSampling.Training
            ? CutOut(image, NextWindow(image.shape[1], image.shape[2]), Size)
            : EvaluationCrop(image, Size);
        return new Dictionary<string, Tensor> { [ImageKey] = crop.contiguous() };
    }

    private string PathOf(string sample) => Path.Combine(Root, sample);

    // Both draws of one sample under one lock, so that samples loaded in parallel each get a consistent pair.
    private TrainingWindow NextWindow(long height, long width)
    {
        lock (drawing)
            return DrawTrainingWindow(height, width, Size, generator);
    }

    private static Tensor CutOut(Tensor image, TrainingWindow window, int size)
    {
        var sameSize = image.shape[^2] == window.Height && image.shape[^1] == window.Width;
        var resized = sameSize ? image : ImageTransforms.Resize(image, window.Height, window.Width);
        return ImageTransforms.Crop(resized, window.Top, window.Left, size, size);
    }

    private void ReportDropped(int dropped, int kept)
    {
        if (dropped > 0)
            log.WriteLine($"{dropped} of {dropped + kept} photo(s) of {Root} could not be read and were skipped (listed above).");
        if (kept == 0)
            throw new InvalidDataException($"None of the photos of {Root} could be read (the log lists each and why).");
    }

    private static void RequireSize(int size)
    {
        if (size <= 0)
            throw new ArgumentOutOfRangeException(nameof(size), size, "The sample size S must be positive.");
    }
}
