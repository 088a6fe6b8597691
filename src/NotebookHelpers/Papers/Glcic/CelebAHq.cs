using System.Globalization;
using NotebookHelpers.Data;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.Glcic;

/// <summary>
/// CelebA-HQ (Karras et al., "Progressive Growing of GANs", ICLR 2018): 30,000 face photos selected from CelebA and
/// enhanced, 1024×1024 in the original, in many copies at smaller sizes. The second, smaller data set of the GLCIC
/// notebook: faces are what GLCIC showed patch-based methods cannot complete. It has no official download of image
/// files (the authors' tool builds it from CelebA and their delta files); <c>data-scripts/celebahq.sh</c> lays out a
/// copy obtained elsewhere and says where copies are found.
/// <para>
/// Layout under the dataset folder (<see cref="DatasetLocation"/>: <c>NBH_DATA_CELEBAHQ</c>, else
/// <c>$NBH_DATA_DIR/celebahq</c>, else <c>data/celebahq</c>): the 30,000 images as <c>*.jpg</c> or <c>*.png</c> directly
/// in the folder, at any resolution (the loader resizes them). Copies name them by index, 0.jpg … 29999.jpg
/// (CelebAMask-HQ's CelebA-HQ-img) or 00001.jpg … 30000.jpg (the 256×256 data256x256.zip).
/// </para>
/// <para>
/// The split follows the common inpainting one, 28,000 train and 2,000 val, taken by file order: the last 2,000 images
/// are val. File order is the order of the index when every name is a number, so 0.jpg … 29999.jpg and
/// 00001.jpg … 30000.jpg split alike; otherwise ordinal name order. A folder of another size keeps the proportion
/// (the last ⌈N/15⌉ images are val) and is noted in the log. Other published splits exist: LaMa's
/// <c>fetch_data/{train,val}_shuffled.flist</c> are a shuffled 28,000 / 2,000 partition of 0.jpg … 29999.jpg, which
/// <see cref="PhotoFolder"/>'s constructor reads as a list; CelebA's own partition gives 24,183 / 2,993 / 2,824.
/// </para>
/// </summary>
public static class CelebAHq
{
    public const string Name = "celebahq";
    public const string Script = "data-scripts/celebahq.sh";

    /// <summary>What <c>nbh doctor</c> lists for this dataset; the GLCIC catalogue registers it.</summary>
    public static readonly DatasetInfo Info = new(Name, "CelebA-HQ (30,000 faces)", "GLCIC", Script, "0.3–3 GB by resolution");

    /// <summary>How many photos CelebA-HQ has.</summary>
    public const int ImageCount = 30_000;

    /// <summary>How many of them the split puts in train; the rest (2,000) are val.</summary>
    public const int TrainCount = 28_000;

    /// <summary>The side GLCIC's notebook trains on by default (the copies at 256×256 need no resizing).</summary>
    public const int ImageSize = 256;

    public static IReadOnlyList<string> Splits { get; } = ["train", "val"];

    /// <summary>
    /// Whether the dataset folder exists, so a notebook can fall back to other photos when it does not.
    /// <paramref name="root"/> null looks where <see cref="DatasetLocation"/> says.
    /// </summary>
    public static bool Exists(string? root = null) => Directory.Exists(root ?? DatasetLocation.Resolve(Name));

    /// <summary>
    /// The file names of the PNG and JPEG files directly in <paramref name="folder"/> in file order: by the number of
    /// the name when every name is a number (0.jpg, 1.jpg, …, 10.jpg), else ordinal.
    /// </summary>
    public static IReadOnlyList<string> OrderedImages(string folder)
    {
        var names = Directory.EnumerateFiles(folder)
            .Where(path => PhotoFolder.Extensions.Contains(Path.GetExtension(path)))
            .Select(path => Path.GetFileName(path))
            .ToList();
        var numbers = names.Select(IndexOf).ToList();
        if (numbers.All(number => number is not null))
            return names.Zip(numbers).OrderBy(pair => pair.Second).ThenBy(pair => pair.First, StringComparer.Ordinal)
                .Select(pair => pair.First).ToList();
        return names.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>How many of <paramref name="total"/> images in file order are val: 2,000 of 30,000, ⌈N/15⌉ in general.</summary>
    public static int ValCountFor(int total) => (int)Math.Ceiling(total * (double)(ImageCount - TrainCount) / ImageCount);

    /// <summary>
    /// The photos of <paramref name="split"/> (see <see cref="CelebAHq"/> for the split) as samples of
    /// <paramref name="size"/>×<paramref name="size"/> (<see cref="PhotoFolder"/>). <paramref name="sampling"/> null
    /// means <see cref="PhotoSampling.Training"/> for train and <see cref="PhotoSampling.Evaluation"/> for val; the
    /// training windows are drawn from <paramref name="generator"/>. Every file is checked up front unless
    /// <paramref name="validate"/> is false; unreadable ones are reported and skipped.
    /// </summary>
    public static PhotoFolder Load(string split, int size = ImageSize, PhotoSampling? sampling = null,
        Generator? generator = null, string? root = null, TextWriter? log = null, bool validate = true)
    {
        RequireSplit(split);
        log ??= Console.Error;
        var folder = RootFolder(root);
        var images = OrderedImages(folder);
        if (images.Count == 0)
            throw new InvalidDataException(
                $"CelebA-HQ's folder {folder} holds no .png, .jpg or .jpeg file directly in it; {Script} lays the 30,000 " +
                "images out there.");
        if (images.Count != ImageCount)
            log.WriteLine($"Note: CelebA-HQ's folder {folder} holds {Thousands(images.Count)} images; the release has {Thousands(ImageCount)}. " +
                $"The last {Thousands(ValCountFor(images.Count))} in file order are val.");
        var trainCount = images.Count - ValCountFor(images.Count);
        var chosen = split == "train" ? images.Take(trainCount) : images.Skip(trainCount);
        if (!chosen.Any())
            throw new InvalidDataException(
                $"CelebA-HQ's folder {folder} holds {images.Count} image(s), too few for a {split} split.");
        return new PhotoFolder(folder, chosen, size,
            sampling ?? (split == "train" ? PhotoSampling.Training : PhotoSampling.Evaluation), generator, log, validate);
    }

    private static long? IndexOf(string name) =>
        long.TryParse(Path.GetFileNameWithoutExtension(name), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? index
            : null;

    private static string Thousands(int count) => count.ToString("N0", CultureInfo.InvariantCulture);

    private static void RequireSplit(string split)
    {
        if (!Splits.Contains(split))
            throw new ArgumentException($"CelebA-HQ has the splits {string.Join(", ", Splits)}; got '{split}'.", nameof(split));
    }

    private static string RootFolder(string? root)
    {
        if (root is null)
            return DatasetLocation.Require(Name, Script);
        if (!Directory.Exists(root))
            throw new DatasetNotFoundException(
                $"Dataset '{Name}' not found at {Path.GetFullPath(root)}. Run {Script} to lay it out.");
        return root;
    }
}
