using System.Globalization;
using NotebookHelpers.Data;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.Glcic;

/// <summary>One image of a list file: its path relative to the dataset folder and the line of the list that names it.</summary>
public readonly record struct ListedImage(string RelativePath, int Line);

/// <summary>
/// Places2 as GLCIC's scenes, in the release most within reach: Places365-Standard (Zhou et al., "Places: A 10 Million
/// Image Database for Scene Recognition", TPAMI 2017), its 256×256 images in the "easy directory structure"
/// (<c>places365standard_easyformat.tar</c>, about 21 GB, from places2.csail.mit.edu): 1,803,460 train and 36,500 val
/// images of 365 scene categories. GLCIC trained on Places2 images with the crops of <see cref="PhotoSampling.Training"/>.
/// <para>
/// Layout under the dataset folder (<see cref="DatasetLocation"/>: <c>NBH_DATA_PLACES2</c>, else
/// <c>$NBH_DATA_DIR/places2</c>, else <c>data/places2</c>): the contents of the tar's <c>places365_standard</c> folder,
/// as <c>data-scripts/places2.sh</c> lays them out: <c>train/&lt;category&gt;/*.jpg</c>,
/// <c>val/&lt;category&gt;/*.jpg</c>, and the list files <c>train.txt</c> and <c>val.txt</c>, one image a line as a
/// path relative to the folder (<c>train/airfield/00000001.jpg</c>). The loader reads the list files, not the folders;
/// it also takes the devkit's form of a line, a leading '/' and a class index after the path
/// (<c>/a/airfield/00000001.jpg 0</c>), so a list written that way (such as the one <c>places2.sh --val-only</c> makes
/// for <c>val_256/</c>) is read too.
/// </para>
/// <para>
/// A split whose list names a file that does not exist is a <see cref="FileNotFoundException"/> naming the file and the
/// line (a split with holes is not the benchmark); the check lists each folder once rather than testing 1.8 million
/// paths one by one. A file that exists but cannot be read is reported and skipped as <see cref="PhotoFolder"/> says.
/// </para>
/// </summary>
public static class Places2
{
    public const string Name = "places2";
    public const string Script = "data-scripts/places2.sh";

    /// <summary>What <c>nbh doctor</c> lists for this dataset; the GLCIC catalogue registers it.</summary>
    public static readonly DatasetInfo Info = new(Name, "Places2 (Places365-Standard, 256×256)", "GLCIC", Script, "~21 GB");

    /// <summary>The side of the release's images, and GLCIC's training size.</summary>
    public const int ImageSize = 256;

    /// <summary>The splits of the easy-format release (its test images are a separate download, without a list).</summary>
    public static IReadOnlyList<string> Splits { get; } = ["train", "val"];

    /// <summary>How many images each list of the release names (the devkit's documented counts).</summary>
    public static IReadOnlyDictionary<string, int> SplitSizes { get; } =
        new Dictionary<string, int> { ["train"] = 1_803_460, ["val"] = 36_500 };

    /// <summary>The list file of <paramref name="split"/>: <c>&lt;root&gt;/&lt;split&gt;.txt</c>.</summary>
    public static string ListFile(string root, string split)
    {
        RequireSplit(split);
        return Path.Combine(root, split + ".txt");
    }

    /// <summary>
    /// Whether the list file of <paramref name="split"/> exists, so a notebook can fall back to other photos when it
    /// does not; it does not look at the files listed (<see cref="Load"/> does). <paramref name="root"/> null looks
    /// where <see cref="DatasetLocation"/> says.
    /// </summary>
    public static bool Exists(string split = "train", string? root = null) =>
        File.Exists(ListFile(root ?? DatasetLocation.Resolve(Name), split));

    /// <summary>
    /// The images a list file names, in its order. A line is a path relative to the dataset folder, optionally with a
    /// leading '/' and optionally followed by a whole-number class index; blank lines are skipped. Anything else is an
    /// <see cref="InvalidDataException"/> naming the file and the line.
    /// </summary>
    public static IReadOnlyList<ListedImage> ReadList(string listFile)
    {
        if (!File.Exists(listFile))
            throw new FileNotFoundException($"The list file {listFile} does not exist; {Script} lays out Places2 with its lists.", listFile);
        var images = new List<ListedImage>();
        var number = 0;
        foreach (var text in File.ReadLines(listFile))
        {
            number++;
            var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
                continue;
            if (words.Length > 2 || (words.Length == 2 && !words[1].All(char.IsAsciiDigit)))
                throw new InvalidDataException(
                    $"{listFile}, line {number}: '{text.Trim()}' is not an image path, optionally followed by a class index.");
            var path = words[0].TrimStart('/');
            if (path.Length == 0)
                throw new InvalidDataException($"{listFile}, line {number}: '{text.Trim()}' names no file.");
            images.Add(new ListedImage(path, number));
        }
        return images;
    }

    /// <summary>
    /// The images of <paramref name="split"/> in the order of its list file, as samples of
    /// <paramref name="size"/>×<paramref name="size"/> (<see cref="PhotoFolder"/>). <paramref name="sampling"/> null
    /// means <see cref="PhotoSampling.Training"/> for train and <see cref="PhotoSampling.Evaluation"/> for val; the
    /// training windows are drawn from <paramref name="generator"/>. <paramref name="validate"/> reads every file up
    /// front and drops the unreadable ones; null does so for val (36,500 files) but not for train, whose 1.8 million
    /// files would all be read before the first batch: a bad one is then reported and skipped when it is met.
    /// </summary>
    /// <exception cref="FileNotFoundException">The list, or a file it names (the first such, with its line).</exception>
    public static PhotoFolder Load(string split, int size = ImageSize, PhotoSampling? sampling = null,
        Generator? generator = null, string? root = null, TextWriter? log = null, bool? validate = null)
    {
        RequireSplit(split);
        log ??= Console.Error;
        var folder = RootFolder(root);
        var list = ListFile(folder, split);
        if (!File.Exists(list))
            throw new FileNotFoundException(
                $"Places2's {split} list {list} does not exist. Expected under {folder}: the contents of " +
                $"places365_standard (train/, val/, train.txt, val.txt); {Script} lays them out.", list);
        var images = ReadList(list);
        if (images.Count == 0)
            throw new InvalidDataException($"Places2's {split} list {list} names no image; run {Script} again.");
        RequireAllPresent(folder, split, list, images);
        if (images.Count != SplitSizes[split])
            log.WriteLine($"Note: Places2's {split} list {list} names {Thousands(images.Count)} images; the release's names {Thousands(SplitSizes[split])}.");
        return new PhotoFolder(folder, images.Select(image => image.RelativePath), size,
            sampling ?? (split == "train" ? PhotoSampling.Training : PhotoSampling.Evaluation),
            generator, log, validate ?? split == "val");
    }

    /// <summary>
    /// The images of <paramref name="images"/> that are not files under <paramref name="root"/>, in list order. Each
    /// folder is listed once, so 1.8 million images cost a few hundred directory listings, not 1.8 million look-ups.
    /// </summary>
    public static IReadOnlyList<ListedImage> Missing(string root, IReadOnlyList<ListedImage> images)
    {
        var byFolder = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < images.Count; i++)
        {
            var folder = Path.GetDirectoryName(images[i].RelativePath) ?? "";
            if (!byFolder.TryGetValue(folder, out var members))
                byFolder[folder] = members = [];
            members.Add(i);
        }
        var missing = new List<int>();
        foreach (var (folder, members) in byFolder)
        {
            var present = FileNames(Path.Combine(root, folder));
            // A name not in the listing may still exist under another case on a case-insensitive file system.
            missing.AddRange(members.Where(i => !present.Contains(Path.GetFileName(images[i].RelativePath))
                && !File.Exists(Path.Combine(root, images[i].RelativePath))));
        }
        missing.Sort();
        return missing.Select(i => images[i]).ToList();
    }

    private static void RequireAllPresent(string folder, string split, string list, IReadOnlyList<ListedImage> images)
    {
        var missing = Missing(folder, images);
        if (missing.Count == 0)
            return;
        var first = missing[0];
        var path = Path.Combine(folder, first.RelativePath);
        var others = missing.Count == 1 ? "" : $"; {Thousands(missing.Count)} listed files are missing in all (also {string.Join(", ", missing.Skip(1).Take(3).Select(m => $"line {m.Line}"))}{(missing.Count > 4 ? ", ..." : "")})";
        throw new FileNotFoundException(
            $"Places2's {split} list {list}, line {first.Line}, names {path}, which does not exist{others}. A split with " +
            $"missing images is not the benchmark: run {Script} again, or restore the files.", path);
    }

    private static HashSet<string> FileNames(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder).Select(path => Path.GetFileName(path)).ToHashSet(StringComparer.Ordinal)
            : [];

    private static string Thousands(int count) => count.ToString("N0", CultureInfo.InvariantCulture);

    internal static void RequireSplit(string split)
    {
        if (!Splits.Contains(split))
            throw new ArgumentException($"Places2 has the splits {string.Join(", ", Splits)}; got '{split}'.", nameof(split));
    }

    private static string RootFolder(string? root) => DatasetLocation.Require(Name, Script, root);
}
