using System.Globalization;
using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.ScoreCam;

/// <summary>One image of a DAGM 2007 class: its file, its number, 0 (defect-free) or 1 (defect), and the labelled ellipse of a defect.</summary>
public sealed record DagmSample(string Path, int Number, long Label, DefectEllipse? Ellipse);

/// <summary>
/// The development set of DAGM 2007 ("Weakly Supervised Learning for Industrial Optical Inspection", the DAGM/GNSS
/// competition of 2007, hci.iwr.uni-heidelberg.de): six classes of artificially generated, statistically textured
/// surfaces, 512×512 grey PNGs, each class with 1000 defect-free images and 150 images that carry one defect, weakly
/// labelled by an ellipse around it. The seed article trains one defect classifier per class on it.
/// <para>
/// Layout under the dataset folder (<see cref="DatasetLocation"/>: <c>NBH_DATA_DAGM2007</c>, else
/// <c>$NBH_DATA_DIR/dagm2007</c>, else <c>data/dagm2007</c>), the twelve zips the article downloads
/// (<c>conferences.mpi-inf.mpg.de/dagm/2007/Class{k}.zip</c> and <c>Class{k}_def.zip</c>) unpacked as
/// <c>data-scripts/dagm.sh</c> lays them out: <c>Class{k}/*.png</c> the defect-free images (label 0) and
/// <c>Class{k}_def/*.png</c> the defect images (label 1) with <c>Class{k}_def/labels.txt</c>. Images are named by
/// their number (<c>1.png</c>; leading zeros and <c>.PNG</c> are read too).
/// </para>
/// <para>
/// <c>labels.txt</c> holds one line per defect image, six numbers separated by tabs or spaces: the image number, the
/// semi-major axis, the semi-minor axis, the rotation angle in radians, the x (column) and the y (row) of the centre,
/// all in pixels of the 512×512 image. That order is how jmarrietar/SIVA's <c>utils_dagm.py</c>
/// (<c>ground_truth_defectA</c>: tab-separated, <c>math.degrees</c> of the fourth column before
/// <c>cv2.ellipse</c>) and a DAGM label-to-CSV script in the public code index
/// (<c>w, h, angle, x, y = parts[1:6]</c>) read the files; it was not checked against a download from here (no
/// internet), nor is it known whether the centre counts from 0 or, as MATLAB would, from 1 (half a pixel of the
/// 512, a quarter of one at 224). <see cref="DefectEllipse"/> takes the values as they are.
/// </para>
/// </summary>
public static class Dagm2007
{
    public const string Name = "dagm2007";
    public const string Script = "data-scripts/dagm.sh";

    /// <summary>What <c>nbh doctor</c> lists for this dataset; the Score-CAM catalogue registers it.</summary>
    public static readonly DatasetInfo Info = new(Name, "DAGM 2007 development set (classes 1–6)", "Score-CAM", Script, "~1 GB (12 zips, not measured)");

    /// <summary>The classes of the development set.</summary>
    public const int ClassCount = 6;

    /// <summary>The images' side.</summary>
    public const int ImageSize = 512;

    /// <summary>Defect-free images per class in the release.</summary>
    public const int CleanImages = 1000;

    /// <summary>Defect images per class in the release (each with one line in labels.txt).</summary>
    public const int DefectImages = 150;

    public const string LabelsFile = "labels.txt";

    /// <summary>The seed article's <c>train_test_split(..., test_size=0.2, random_state=111)</c>.</summary>
    public const int ArticleSplitSeed = 111;

    /// <summary>The share of each label the split holds out.</summary>
    public const double TestShare = 0.2;

    /// <summary>The folder of class <paramref name="k"/>'s defect-free images: <c>&lt;root&gt;/Class{k}</c>.</summary>
    public static string CleanFolder(string root, int k)
    {
        RequireClass(k);
        return Path.Combine(root, $"Class{k}");
    }

    /// <summary>The folder of class <paramref name="k"/>'s defect images and labels: <c>&lt;root&gt;/Class{k}_def</c>.</summary>
    public static string DefectFolder(string root, int k)
    {
        RequireClass(k);
        return Path.Combine(root, $"Class{k}_def");
    }

    /// <summary>
    /// Whether both folders of class <paramref name="k"/> exist, so a notebook can fall back to synthetic defects
    /// when they do not. <paramref name="root"/> null looks where <see cref="DatasetLocation"/> says.
    /// </summary>
    public static bool Exists(int k = 1, string? root = null)
    {
        var folder = root ?? DatasetLocation.Resolve(Name);
        return Directory.Exists(CleanFolder(folder, k)) && Directory.Exists(DefectFolder(folder, k));
    }

    /// <summary>
    /// The ellipses of a <c>labels.txt</c> by image number. Blank lines are skipped; any other line must be six numbers
    /// (tab- or space-separated) with a whole image number and positive semi-axes, and no number may come twice, else
    /// an <see cref="InvalidDataException"/> names the file and the line.
    /// </summary>
    public static IReadOnlyDictionary<int, DefectEllipse> ReadLabels(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"DAGM 2007's defect labels {path} are missing; run {Script} again to restore them.", path);
        var ellipses = new Dictionary<int, DefectEllipse>();
        var lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0) continue;
            var (number, ellipse) = ParseLabel(line) ?? throw new InvalidDataException(
                $"{path}, line {i + 1}: expected six numbers (image number, semi-major axis, semi-minor axis, angle in radians, " +
                $"x and y of the centre) but found '{Shorten(line)}'. Run {Script} again to restore the file.");
            if (!ellipses.TryAdd(number, ellipse))
                throw new InvalidDataException($"{path}, line {i + 1}: image {number} is labelled a second time. Run {Script} again to restore the file.");
        }
        return ellipses;
    }

    /// <summary>
    /// The images of class <paramref name="k"/>: the defect-free ones by number, then the defect ones by number with
    /// their ellipses. A defect image without a line in labels.txt is an <see cref="InvalidDataException"/> naming it;
    /// a label line without its image, and counts other than the release's, are noted in <paramref name="log"/>.
    /// </summary>
    public static IReadOnlyList<DagmSample> Samples(int k, string? root = null, TextWriter? log = null)
    {
        RequireClass(k);
        log ??= Console.Error;
        var folder = RootFolder(root);
        var (clean, defect) = (CleanFolder(folder, k), DefectFolder(folder, k));
        foreach (var needed in new[] { clean, defect })
            if (!Directory.Exists(needed))
                throw new DirectoryNotFoundException(
                    $"DAGM 2007 class {k} needs the folder {needed}, which does not exist. Expected under {folder}: Class{k}/ and Class{k}_def/; {Script} lays them out.");
        var labelsPath = Path.Combine(defect, LabelsFile);
        var labels = ReadLabels(labelsPath);
        var samples = NumberedPngs(clean).Select(png => new DagmSample(png.Path, png.Number ?? 0, 0, null)).ToList();
        var defects = NumberedPngs(defect).Select(png =>
        {
            if (png.Number is not { } number || !labels.TryGetValue(number, out var ellipse))
                throw new InvalidDataException(
                    $"{png.Path} is a defect image without a line in {labelsPath} (the first column names the image number); " +
                    $"run {Script} again to restore the class.");
            return new DagmSample(png.Path, number, 1, ellipse);
        }).ToList();
        var unmatched = labels.Keys.Except(defects.Select(d => d.Number)).Order().ToList();
        if (unmatched.Count > 0)
            log.WriteLine($"Note: {labelsPath} labels {unmatched.Count} image(s) that {defect} does not hold (the first: {unmatched[0]}).");
        if (samples.Count != CleanImages || defects.Count != DefectImages)
            log.WriteLine($"Note: DAGM 2007 class {k} at {folder} has {samples.Count} defect-free and {defects.Count} defect images; the release has {CleanImages} and {DefectImages}.");
        if (samples.Count == 0 || defects.Count == 0)
            throw new InvalidDataException($"DAGM 2007 class {k} at {folder} needs images of both kinds, but {(samples.Count == 0 ? clean : defect)} holds no .png file; run {Script}.");
        samples.AddRange(defects);
        return samples;
    }

    /// <summary>
    /// The article's 80/20 split made deterministic and stratified: each label's samples are shuffled with
    /// <see cref="Random"/>(<paramref name="seed"/>) and the first 20 % (rounded) held out, so the test set keeps the
    /// class's share of defects (200 defect-free and 30 defect images of the release's 1150). The article calls
    /// scikit-learn's <c>train_test_split</c> with <c>random_state=111</c>, whose NumPy permutation this does not
    /// reproduce: the images differ, the sizes do not.
    /// </summary>
    public static (IReadOnlyList<DagmSample> Train, IReadOnlyList<DagmSample> Test) Split(IReadOnlyList<DagmSample> samples, int seed = ArticleSplitSeed)
    {
        var random = new Random(seed);
        var test = new HashSet<DagmSample>(ReferenceEqualityComparer.Instance);
        foreach (var label in new long[] { 0, 1 })
        {
            var ofLabel = samples.Where(s => s.Label == label).ToArray();
            random.Shuffle(ofLabel);
            test.UnionWith(ofLabel.Take((int)Math.Round(ofLabel.Length * TestShare)));
        }
        return (samples.Where(s => !test.Contains(s)).ToList(), samples.Where(test.Contains).ToList());
    }

    /// <summary>
    /// The samples as a split held in memory at <paramref name="size"/>×<paramref name="size"/>: each grey image
    /// resized (bilinear, antialiased, as torchvision's <c>Resize</c>) and repeated to three channels, as the article
    /// reads the PNGs as RGB; the masks rasterised from the ellipses at the same size. A truncated or corrupt image is
    /// an <see cref="InvalidDataException"/> naming it.
    /// </summary>
    public static DefectSplit Load(IReadOnlyList<DagmSample> samples, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 8);
        if (samples.Count == 0) throw new ArgumentException("No DAGM samples to load.", nameof(samples));
        var grey = new List<Tensor>(samples.Count);
        var masks = new List<Tensor>(samples.Count);
        try
        {
            foreach (var sample in samples)
            {
                using var scope = NewDisposeScope();
                var image = ReadImage(sample.Path);
                var (height, width) = ((int)image.shape[1], (int)image.shape[2]);
                grey.Add(ImageTransforms.Resize(image, size, size).MoveToOuterDisposeScope());
                masks.Add((sample.Ellipse?.Mask(height, width, size, size) ?? zeros([size, size], ScalarType.Bool)).MoveToOuterDisposeScope());
            }
            var images = stack(grey).expand(samples.Count, 3, size, size);
            var labels = tensor(samples.Select(s => s.Label).ToArray());
            return new DefectSplit(images, labels, stack(masks), [.. samples.Select(s => s.Ellipse)]);
        }
        finally
        {
            foreach (var t in grey.Concat(masks)) t.Dispose();
        }
    }

    static Tensor ReadImage(string path)
    {
        try
        {
            return ImageIO.LoadGray(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{e.Message.TrimEnd()} Run {Script} again to restore DAGM 2007.", e);
        }
    }

    static (int Number, DefectEllipse Ellipse)? ParseLabel(string line)
    {
        var fields = line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 6 || !int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)) return null;
        var values = new double[5];
        for (int i = 0; i < 5; i++)
            if (!double.TryParse(fields[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
                return null;
        var (semiMajor, semiMinor, angle, x, y) = (values[0], values[1], values[2], values[3], values[4]);
        if (semiMajor <= 0 || semiMinor <= 0) return null;
        return (number, new DefectEllipse(x, y, semiMajor, semiMinor, angle));
    }

    /// <summary>The PNGs of a folder (any case of the extension) with the number their name gives, if it is one, by number then name.</summary>
    static List<(string Path, int? Number)> NumberedPngs(string folder) =>
        Directory.EnumerateFiles(folder)
            .Where(path => Path.GetExtension(path).Equals(".png", StringComparison.OrdinalIgnoreCase))
            .Select(path => (Path: path, Number: int.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : (int?)null))
            .OrderBy(png => png.Number ?? int.MaxValue).ThenBy(png => png.Path, StringComparer.Ordinal)
            .ToList();

    static string Shorten(string line) => line.Length <= 80 ? line : line[..77] + "...";

    static void RequireClass(int k)
    {
        if (k is < 1 or > ClassCount)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"DAGM 2007's development set has the classes 1 to {ClassCount}; got {k}.");
    }

    static string RootFolder(string? root) => DatasetLocation.Require(Name, Script, root);
}
