using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.SegNet;

/// <summary>Which of PASCAL VOC's two kinds of mask <see cref="PascalVoc"/> reads as the label.</summary>
public enum VocTarget
{
    /// <summary>
    /// <c>SegmentationClass/*.png</c>: palette index = class id 0..20 (<see cref="PascalVoc.ClassNames"/>), 255 on
    /// object boundaries and difficult regions, kept as 255 so the loss and the metrics ignore it. 21 classes.
    /// </summary>
    SegmentationClass,

    /// <summary>
    /// <c>SegmentationObject/*.png</c> read as the seed article read it, with 22 outputs: palette index 0 (background)
    /// stays 0, instance index k = 1..20 (the k-th object of that image) becomes class k, and 255 (boundary) becomes
    /// class 21 (<see cref="PascalVoc.BoundaryClass"/>); nothing is ignored. For comparison only: see
    /// <see cref="PascalVoc"/> for why it is not semantic segmentation.
    /// </summary>
    SegmentationObject,
}

/// <summary>
/// PASCAL VOC 2012 segmentation (Everingham et al.; the trainval release VOCtrainval_11-May-2012.tar): 1,464 train and
/// 1,449 val images (2,913 trainval) with pixel masks of 20 object classes and background. SegNet's second benchmark.
/// <para>
/// The dataset folder is the one that holds <c>JPEGImages</c>, i.e. <c>VOCdevkit/VOC2012</c> of the unpacked tar
/// (<see cref="DatasetLocation"/>: <c>NBH_DATA_VOC2012</c>, else <c>$NBH_DATA_DIR/voc2012</c>, else
/// <c>data/voc2012</c>; <c>data-scripts/voc2012.sh</c> lays it out there). A folder whose
/// <c>VOCdevkit/VOC2012</c> holds them (the tar unpacked in place) is read as well. Under it:
/// <c>JPEGImages/&lt;id&gt;.jpg</c>, <c>SegmentationClass/&lt;id&gt;.png</c> and <c>SegmentationObject/&lt;id&gt;.png</c>
/// (8-bit palette PNGs), and <c>ImageSets/Segmentation/{train,val,trainval}.txt</c>, one image id per line.
/// </para>
/// <para>
/// A sample is a dictionary: "image" float32 (3,H,W) in [0,1], resized bilinearly with antialiasing
/// (<see cref="ImageTransforms.Resize"/>), and "label" int64 (H,W), resized by nearest neighbour
/// (<see cref="ImageTransforms.ResizeLabels"/>) so that every id stays an id of the file: ids are never interpolated.
/// Both are stretched to the requested size (the aspect ratio is not kept).
/// </para>
/// <para>
/// The target is <see cref="VocTarget.SegmentationClass"/> by default, and it is the right one for semantic
/// segmentation: its index is the class of the pixel. <see cref="VocTarget.SegmentationObject"/> numbers the instances
/// of each image instead: index 1 is "the first object annotated in this image", a cat in one image and a bus in the
/// next, so a network trained on it learns to count objects in annotation order, not to recognise them, and its
/// "classes" mean nothing from one image to the next. Its boundary band (255), which VOC's benchmark leaves out of
/// the score, becomes a class of its own (21) that the network is trained to draw. The seed article made that choice
/// (22 outputs); <see cref="VocTarget.SegmentationObject"/> reproduces it for comparison.
/// </para>
/// <para>
/// Errors, not skips: an id that the split file lists but whose image or mask is missing makes <see cref="Load"/> throw
/// a <see cref="FileNotFoundException"/> naming the first missing file and the count, since a split with holes is no
/// longer the benchmark. A mask holding a value that is no id (21..254) is an <see cref="InvalidDataException"/> naming
/// the file (<see cref="LoadLabel"/>); inside a dataset, as for any unreadable or truncated file
/// (<see cref="FileDataset{TSample}"/>), that sample is then skipped and the file named in the log and in
/// <see cref="FileDataset{TSample}.Skipped"/>, so a training run is not ended by one bad file.
/// </para>
/// </summary>
public static class PascalVoc
{
    public const string Name = "voc2012";
    public const string Script = "data-scripts/voc2012.sh";

    /// <summary>What <c>nbh doctor</c> lists for this dataset; the SegNet catalogue registers it.</summary>
    public static readonly DatasetInfo Info = new(Name, "PASCAL VOC 2012", "SegNet", Script, "~2 GB");

    public const string ImageKey = SegmentationFileDataset.ImageKey;
    public const string LabelKey = SegmentationFileDataset.LabelKey;

    /// <summary>Background and the 20 object classes of <see cref="VocTarget.SegmentationClass"/>.</summary>
    public const int ClassCount = 21;

    /// <summary>The value of boundaries and difficult regions in the masks; the ignore index of <see cref="VocTarget.SegmentationClass"/>.</summary>
    public const int VoidValue = 255;

    /// <summary>The outputs of <see cref="VocTarget.SegmentationObject"/>: background, instances 1..20, the boundary.</summary>
    public const int ObjectClassCount = 22;

    /// <summary>The class the boundary (255) becomes under <see cref="VocTarget.SegmentationObject"/>.</summary>
    public const int BoundaryClass = 21;

    /// <summary>The class names in VOC order (class id = index): the order of the devkit and of the palette.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
    [
        "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
        "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
    ];

    /// <summary>The segmentation splits of the trainval release (the test images are not in it).</summary>
    public static IReadOnlyList<string> Splits { get; } = ["train", "val", "trainval"];

    /// <summary>How many ids each split file of the release lists.</summary>
    public static IReadOnlyDictionary<string, int> SplitSizes { get; } =
        new Dictionary<string, int> { ["train"] = 1464, ["val"] = 1449, ["trainval"] = 2913 };

    /// <summary>How many outputs a network needs for <paramref name="target"/>: 21, or 22 for the object masks.</summary>
    public static int ClassCountOf(VocTarget target) =>
        target == VocTarget.SegmentationObject ? ObjectClassCount : ClassCount;

    /// <summary>The label the loss and the metrics skip: 255 for the class masks; none for the object masks, whose boundary is a class.</summary>
    public static int? IgnoreIndexOf(VocTarget target) =>
        target == VocTarget.SegmentationObject ? null : VoidValue;

    /// <summary>
    /// The names of the label values of <paramref name="target"/>: <see cref="ClassNames"/>, or for the object masks
    /// "background", "object 1" … "object 20", "boundary".
    /// </summary>
    public static IReadOnlyList<string> LabelNamesOf(VocTarget target) =>
        target == VocTarget.SegmentationObject
            ? ["background", .. Enumerable.Range(1, BoundaryClass - 1).Select(k => $"object {k}"), "boundary"]
            : ClassNames;

    /// <summary>
    /// The folder that holds <c>JPEGImages</c>: <paramref name="root"/> itself, or its <c>VOCdevkit/VOC2012</c> when
    /// only that one does (the tar unpacked in place).
    /// </summary>
    public static string DatasetFolder(string root)
    {
        var devkit = Path.Combine(root, "VOCdevkit", "VOC2012");
        return !Directory.Exists(Path.Combine(root, "JPEGImages")) && Directory.Exists(Path.Combine(devkit, "JPEGImages"))
            ? devkit
            : root;
    }

    /// <summary>The split file of <paramref name="split"/>: <c>ImageSets/Segmentation/&lt;split&gt;.txt</c>.</summary>
    public static string SplitFile(string folder, string split)
    {
        RequireSplit(split);
        return Path.Combine(folder, "ImageSets", "Segmentation", split + ".txt");
    }

    /// <summary>
    /// Whether the split file of <paramref name="split"/>, <c>JPEGImages</c> and the folder of <paramref name="target"/>
    /// exist, so a notebook can fall back to synthetic scenes when they do not. It does not look at the files the split
    /// lists (<see cref="Load"/> does). <paramref name="root"/> null looks where <see cref="DatasetLocation"/> says.
    /// </summary>
    public static bool Exists(string split = "train", string? root = null,
        VocTarget target = VocTarget.SegmentationClass)
    {
        RequireSplit(split);
        var folder = DatasetFolder(root ?? DatasetLocation.Resolve(Name));
        return Directory.Exists(Path.Combine(folder, "JPEGImages"))
            && Directory.Exists(Path.Combine(folder, target.ToString()))
            && File.Exists(SplitFile(folder, split));
    }

    /// <summary>
    /// The image ids of <paramref name="split"/> in the order of its split file; blank lines are skipped, and a line
    /// holding more than one word is an error naming the file and the line.
    /// </summary>
    public static IReadOnlyList<string> SplitIds(string split, string? root = null)
    {
        var file = SplitFile(RootFolder(root), split);
        if (!File.Exists(file))
            throw new FileNotFoundException(
                $"PASCAL VOC 2012's split file {file} does not exist; {Script} lays out the dataset with it.", file);
        var ids = new List<string>();
        var lines = File.ReadAllLines(file);
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n].Trim();
            if (line.Length == 0)
                continue;
            if (line.Any(char.IsWhiteSpace))
                throw new InvalidDataException(
                    $"{file}, line {n + 1}: '{line}' is not one image id (a segmentation split file holds one id a line).");
            ids.Add(line);
        }
        return ids;
    }

    /// <summary>
    /// The samples of <paramref name="split"/>, in the order of its split file, resized to
    /// <paramref name="height"/>×<paramref name="width"/>, with the label of <paramref name="target"/>. Every listed
    /// id needs <c>JPEGImages/&lt;id&gt;.jpg</c> and its mask, else a <see cref="FileNotFoundException"/> names the
    /// first missing file; files that are truncated or corrupt are reported in <paramref name="log"/> and skipped
    /// (<see cref="FileDataset{TSample}.Validate"/>). A split of another size than the release's is noted in the log.
    /// </summary>
    public static SegmentationFileDataset Load(string split, int height, int width,
        VocTarget target = VocTarget.SegmentationClass, string? root = null, TextWriter? log = null)
    {
        RequireSplit(split);
        SegmentationFileDataset.RequireSize(height, width);
        RequireTarget(target);
        log ??= Console.Error;
        var folder = RootFolder(root);
        foreach (var needed in new[] { Path.Combine(folder, "JPEGImages"), Path.Combine(folder, target.ToString()) })
            if (!Directory.Exists(needed))
                throw new DirectoryNotFoundException(
                    $"PASCAL VOC 2012 needs the folder {needed}, which does not exist. Expected under {folder}: " +
                    $"JPEGImages, SegmentationClass, SegmentationObject, ImageSets/Segmentation; {Script} lays them out.");
        var ids = SplitIds(split, folder);
        var samples = ids.Select(id => new SegmentationSample(id,
            Path.Combine(folder, "JPEGImages", id + ".jpg"),
            Path.Combine(folder, target.ToString(), id + ".png"))).ToList();
        var missing = samples.SelectMany(sample => new[] { sample.Image, sample.Label }).Where(path => !File.Exists(path)).ToList();
        if (missing.Count > 0)
            throw new FileNotFoundException(
                $"PASCAL VOC 2012's {split} split ({SplitFile(folder, split)}) lists {missing.Count} file(s) that do not " +
                $"exist, the first {missing[0]}{MoreOf(missing, folder)}; a split with missing images is not the benchmark. " +
                $"Run {Script} again, or restore the files.", missing[0]);
        if (ids.Count != SplitSizes[split])
            log.WriteLine($"Note: PASCAL VOC 2012's {split} split at {folder} lists {ids.Count} images; the release lists {SplitSizes[split]}.");
        var dataset = new SegmentationFileDataset(samples, path => LoadLabel(path, target), height, width, log);
        if (dataset.Count == 0)
            throw new InvalidDataException(
                $"PASCAL VOC 2012's {split} split at {folder} has no usable sample (the log lists what was left out).");
        return dataset;
    }

    /// <summary>
    /// Reads one mask of <paramref name="target"/> as int64 (H,W) labels (see <see cref="VocTarget"/>). A value other
    /// than 0..20 and 255 (an object mask with more than 20 instances, say, or a file of another dataset) is an
    /// <see cref="InvalidDataException"/> naming the file, the value and where it is.
    /// </summary>
    public static Tensor LoadLabel(string path, VocTarget target = VocTarget.SegmentationClass)
    {
        RequireTarget(target);
        using var scope = NewDisposeScope();
        var ids = ImageIO.LoadClassIds(path);
        var what = target == VocTarget.SegmentationObject
            ? "PASCAL VOC object index (0 background, 1..20 for the instances that 22 outputs can hold, 255 boundary)"
            : "PASCAL VOC class id (0..20, or 255 for void)";
        SegmentationFileDataset.RequireIds(ids, path, ClassCount - 1, VoidValue, what);
        var labels = target == VocTarget.SegmentationObject ? ids.masked_fill(ids.eq(VoidValue), BoundaryClass) : ids;
        return labels.MoveToOuterDisposeScope();
    }

    internal static void RequireSplit(string split)
    {
        if (!Splits.Contains(split))
            throw new ArgumentException(
                $"PASCAL VOC 2012 segmentation has the splits {string.Join(", ", Splits)}; got '{split}'.", nameof(split));
    }

    private static void RequireTarget(VocTarget target)
    {
        if (!Enum.IsDefined(target))
            throw new ArgumentOutOfRangeException(nameof(target), target, "Use VocTarget.SegmentationClass or VocTarget.SegmentationObject.");
    }

    private static string MoreOf(IReadOnlyList<string> missing, string folder) =>
        missing.Count == 1 ? "" : $" (also {string.Join(", ", missing.Skip(1).Take(4).Select(path => Path.GetRelativePath(folder, path)))}{(missing.Count > 5 ? ", ..." : "")})";

    private static string RootFolder(string? root)
    {
        if (root is null)
            return DatasetFolder(DatasetLocation.Require(Name, Script));
        if (!Directory.Exists(root))
            throw new DatasetNotFoundException(
                $"Dataset '{Name}' not found at {Path.GetFullPath(root)}. Run {Script} to download it.");
        return DatasetFolder(root);
    }
}

/// <summary>The files of one sample of a <see cref="SegmentationFileDataset"/>: its id, its image, its label map.</summary>
public sealed record SegmentationSample(string Id, string Image, string Label);

/// <summary>
/// Images with their label maps, as <see cref="PascalVoc"/> and <see cref="CamVid"/> read them. A sample is "image"
/// float32 (3,H,W) in [0,1], resized bilinearly with antialiasing (<see cref="ImageTransforms.Resize"/>), and "label"
/// int64 (H,W), resized by nearest neighbour (<see cref="ImageTransforms.ResizeLabels"/>), so every label is one of
/// the file's: ids are never interpolated. At the file's own size neither is resampled. An image and a label map of
/// different sizes are an <see cref="InvalidDataException"/> naming both. Bad files are reported and skipped as
/// <see cref="FileDataset{TSample}"/> says.
/// </summary>
public sealed class SegmentationFileDataset : FileDataset<SegmentationSample>
{
    public const string ImageKey = "image";
    public const string LabelKey = "label";

    private readonly Func<string, Tensor> loadLabel;

    /// <param name="samples">The samples, in order.</param>
    /// <param name="loadLabel">Reads a label file as int64 (H,W), throwing an <see cref="InvalidDataException"/> that names the file when it holds no valid labels.</param>
    /// <param name="height">The height of every sample.</param>
    /// <param name="width">The width of every sample.</param>
    /// <param name="log">Where skipped files are reported; standard error when null.</param>
    /// <param name="validate">Check every file's header now and drop the samples that fail.</param>
    public SegmentationFileDataset(IEnumerable<SegmentationSample> samples, Func<string, Tensor> loadLabel, int height,
        int width, TextWriter? log = null, bool validate = true)
        : base(samples, log)
    {
        RequireSize(height, width);
        this.loadLabel = loadLabel;
        Height = height;
        Width = width;
        if (validate)
            Validate();
    }

    public int Height { get; }

    public int Width { get; }

    protected override IEnumerable<string> FilesOf(SegmentationSample sample) => [sample.Image, sample.Label];

    protected override Dictionary<string, Tensor> Load(SegmentationSample sample)
    {
        var image = ImageIO.LoadRgb(sample.Image);
        var label = loadLabel(sample.Label);
        if (image.shape[1] != label.shape[0] || image.shape[2] != label.shape[1])
            throw new InvalidDataException(
                $"'{sample.Label}' is {label.shape[1]}×{label.shape[0]} pixels but its image '{sample.Image}' is " +
                $"{image.shape[2]}×{image.shape[1]}; a label map must match its image pixel for pixel.");
        var sameSize = image.shape[1] == Height && image.shape[2] == Width;
        return new Dictionary<string, Tensor>
        {
            [ImageKey] = sameSize ? image : ImageTransforms.Resize(image, Height, Width),
            [LabelKey] = sameSize ? label : ImageTransforms.ResizeLabels(label, Height, Width),
        };
    }

    /// <summary>
    /// Throws an <see cref="InvalidDataException"/> naming <paramref name="path"/> when a value of
    /// <paramref name="ids"/> is neither in 0..<paramref name="maxId"/> nor <paramref name="extra"/>: the first such
    /// value, its pixel, and how many pixels hold one.
    /// </summary>
    internal static void RequireIds(Tensor ids, string path, long maxId, long? extra, string what)
    {
        using var scope = NewDisposeScope();
        var invalid = ids.lt(0).logical_or(ids.gt(maxId));
        if (extra is { } allowed)
            invalid = invalid.logical_and(ids.ne(allowed));
        if (!invalid.any().item<bool>())
            return;
        var first = invalid.flatten().nonzero()[0, 0].item<long>();
        var value = ids.flatten()[first].item<long>();
        var width = ids.shape[^1];
        var count = invalid.sum().item<long>();
        throw new InvalidDataException(
            $"'{path}': value {value} at pixel (x={first % width}, y={first / width}) is not a {what}; " +
            $"{count} pixel(s) hold such values.");
    }

    internal static void RequireSize(int height, int width)
    {
        if (height <= 0 || width <= 0)
            throw new ArgumentException($"The sample size must be positive, got {height}x{width}.");
    }
}
