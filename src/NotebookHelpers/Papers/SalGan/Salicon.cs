using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace NotebookHelpers.Papers.SalGan;

/// <summary>
/// SALICON (Jiang et al., "SALICON: Saliency in Context", CVPR 2015; the LSUN 2017 release): 10,000 train, 5,000 val
/// and 5,000 test images from MS COCO at 640×480, with mouse-tracking fixations and saliency (density) maps for train
/// and val. SalGAN (Pan et al., 2017) trains on it with its images resized to 256×192 (W×H).
/// <para>
/// Layout under the dataset folder (<see cref="DatasetLocation"/>: <c>NBH_DATA_SALICON</c>, else
/// <c>$NBH_DATA_DIR/salicon</c>, else <c>data/salicon</c>), as <c>data-scripts/salicon.sh</c> lays it out:
/// <c>images/{train,val,test}/*.jpg</c>, <c>maps/{train,val}/*.png</c> (8-bit grey density maps) and
/// <c>fixations/{train,val}/*.png</c> (any nonzero pixel is fixated), paired by file name stem.
/// </para>
/// <para>
/// A sample is a dictionary: "image" float32 (3,H,W) in [0,1]; "density" float32 (1,H,W) in [0,1]; "fixations"
/// float32 (1,H,W), 1 where fixated and 0 elsewhere. The test split has "image" only.
/// </para>
/// </summary>
public static class Salicon
{
    public const string Name = "salicon";
    public const string Script = "data-scripts/salicon.sh";

    public const string ImageKey = "image";
    public const string DensityKey = "density";
    public const string FixationsKey = "fixations";

    /// <summary>SalGAN's input height (its images are 256×192, W×H).</summary>
    public const int InputHeight = 192;

    /// <summary>SalGAN's input width.</summary>
    public const int InputWidth = 256;

    /// <summary>The splits of the release; only train and val have ground truth.</summary>
    public static IReadOnlyList<string> Splits { get; } = ["train", "val", "test"];

    /// <summary>
    /// Whether every folder that <see cref="Load"/> needs for <paramref name="split"/> exists, so a notebook can fall
    /// back to <see cref="SyntheticSaliency"/> when it does not. <paramref name="root"/> null looks where
    /// <see cref="DatasetLocation"/> says.
    /// </summary>
    public static bool Exists(string split = "train", string? root = null, bool withFixations = true)
    {
        RequireSplit(split);
        var folder = root ?? DatasetLocation.Resolve(Name);
        return FolderRoles(folder, split, withFixations).All(role => Directory.Exists(role.Folder));
    }

    /// <summary>
    /// The samples of <paramref name="split"/> for training: every map resized to
    /// <paramref name="height"/>×<paramref name="width"/>; the image and the density map bilinearly (antialiased, as
    /// <see cref="ImageTransforms.Resize"/>), the fixation map by <see cref="ResizeFixations"/>, which loses no
    /// fixation. Files without a partner in every folder are left out and counted in the log; unreadable files are
    /// reported and skipped (<see cref="FileDataset{TSample}"/>). <paramref name="withFixations"/> false leaves the
    /// fixation maps out (SalGAN trains on the density maps alone).
    /// </summary>
    public static ImageFolderDataset Load(string split, int height = InputHeight, int width = InputWidth,
        string? root = null, TextWriter? log = null, bool withFixations = true)
    {
        RequireSize(height, width);
        return Open(split, root, log, withFixations, ResizedTo(height, width));
    }

    /// <summary>The folders of <paramref name="split"/> under <paramref name="root"/> with their keys and decoding.</summary>
    public static IReadOnlyList<FolderRole> FolderRoles(string root, string split, bool withFixations = true)
    {
        RequireSplit(split);
        var roles = new List<FolderRole> { new(ImageKey, Path.Combine(root, "images", split), ImageKind.Rgb) };
        if (split == "test")
            return roles;
        roles.Add(new(DensityKey, Path.Combine(root, "maps", split), ImageKind.Gray));
        if (withFixations)
            roles.Add(new(FixationsKey, Path.Combine(root, "fixations", split), ImageKind.Gray));
        return roles;
    }

    /// <summary>
    /// Resizes fixation maps (1,H,W) or (N,1,H,W) (any nonzero value fixated) to <paramref name="height"/>×
    /// <paramref name="width"/> as float32 0/1, by max-pooling over each output pixel's footprint (PyTorch's
    /// adaptive max pooling): output (i, j) is fixated iff some input pixel in rows ⌊iH/h⌋ … ⌈(i+1)H/h⌉−1 and
    /// columns ⌊jW/w⌋ … ⌈(j+1)W/w⌉−1 is. So no fixation is lost: a fixated input pixel (y, x) always fixates output
    /// (⌊y·h/H⌋, ⌊x·w/W⌋), and no fixation is invented: every fixated output pixel has one in its footprint.
    /// Fixations closer than an output pixel merge, so the count of fixated pixels can shrink, never to zero.
    /// Nearest-neighbour resizing would instead drop every fixation that is not the one pixel it samples.
    /// </summary>
    public static Tensor ResizeFixations(Tensor fixations, int height, int width)
    {
        if (fixations.dim() is not (3 or 4) || fixations.shape[^3] != 1)
            throw new ArgumentException(
                $"ResizeFixations expects a fixation map (1,H,W) or a batch (N,1,H,W), got shape ({string.Join(",", fixations.shape)}).",
                nameof(fixations));
        RequireSize(height, width);
        using var scope = NewDisposeScope();
        var fixated = fixations.ne(0).to(ScalarType.Float32);
        var resized = fixated.shape[^2] == height && fixated.shape[^1] == width
            ? fixated
            : F.adaptive_max_pool2d(fixated, [height, width]);
        return resized.MoveToOuterDisposeScope();
    }

    internal static void RequireSplit(string split)
    {
        if (!Splits.Contains(split))
            throw new ArgumentException(
                $"SALICON has the splits {string.Join(", ", Splits)}; got '{split}'.", nameof(split));
    }

    private static ImageFolderDataset Open(string split, string? root, TextWriter? log, bool withFixations,
        Func<Dictionary<string, Tensor>, Dictionary<string, Tensor>> transform)
    {
        RequireSplit(split);
        log ??= Console.Error;
        var folder = RootFolder(root);
        var roles = FolderRoles(folder, split, withFixations);
        var missing = roles.FirstOrDefault(role => !Directory.Exists(role.Folder));
        if (missing is not null)
            throw new DirectoryNotFoundException(
                $"SALICON's {split} split needs the folder {missing.Folder}, which does not exist. Expected under " +
                $"{folder}: images/{{train,val,test}}, maps/{{train,val}}, fixations/{{train,val}}; {Script} lays them out.");
        var dataset = ImageFolderDataset.FromFolders(roles, transform, log);
        if (dataset.Count == 0)
            throw new InvalidDataException(
                $"SALICON's {split} split at {folder} has no usable sample: no image with a partner in every one of " +
                $"{string.Join(", ", roles.Select(role => role.Folder))} (the log lists what was left out).");
        return dataset;
    }

    private static string RootFolder(string? root) => DatasetLocation.Require(Name, Script, root);

    private static Func<Dictionary<string, Tensor>, Dictionary<string, Tensor>> ResizedTo(int height, int width) =>
        sample => sample.ToDictionary(entry => entry.Key, entry => entry.Key switch
        {
            ImageKey or DensityKey => ImageTransforms.Resize(entry.Value, height, width),
            FixationsKey => ResizeFixations(entry.Value, height, width),
            _ => entry.Value,
        });

    private static void RequireSize(int height, int width)
    {
        if (height <= 0 || width <= 0)
            throw new ArgumentException($"The input size must be positive, got {height}x{width}.");
    }
}
