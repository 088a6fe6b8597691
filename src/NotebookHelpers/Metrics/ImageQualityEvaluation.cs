using System.Diagnostics.CodeAnalysis;
using NotebookHelpers.Core;
using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using static TorchSharp.torch;

namespace NotebookHelpers.Metrics;

/// <summary>The mean whole-image scores of a folder of test images against their references.</summary>
/// <param name="Count">How many pairs were scored: every pair of the folders.</param>
/// <param name="Psnr">Mean PSNR in dB (<see cref="ImageQuality"/>).</param>
/// <param name="Ssim">Mean SSIM.</param>
/// <param name="L1">Mean L1 on the 0..255 scale.</param>
public sealed record ImageQualityEvaluationResult(int Count, double Psnr, double Ssim, double L1);

/// <summary>Scores a folder of test images (an inpainting's completions, say) against a folder of references with <see cref="ImageQuality"/>.</summary>
public static class ImageQualityEvaluation
{
    static readonly IReadOnlySet<string> Png = new HashSet<string>([".png"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Pairs the PNG files of the two folders by file name stem (<see cref="FilePairing.ByStem"/>), scores every pair
    /// with <see cref="ImageQuality.Score"/> (PNGs read as RGB, alpha dropped) and returns the means over the pairs.
    /// <para>
    /// The result covers every file or none: a mean over part of the folders would be a wrong number that looks right.
    /// A reference without a test image or the reverse, two files of one stem, a JPEG (its compression would be scored
    /// as the model's error), a test image of another size than its reference, an image under 11×11 pixels, an
    /// unreadable, truncated or oversized file, and folders without a single pair are each a problem;
    /// <see cref="TryEvaluateFolders"/> lists them all.
    /// </para>
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">A folder does not exist.</exception>
    /// <exception cref="InvalidDataException">Some file could not be scored: the message is the first problem and how many more there are.</exception>
    public static ImageQualityEvaluationResult EvaluateFolders(string referenceFolder, string testFolder, Device? device = null) =>
        TryEvaluateFolders(referenceFolder, testFolder, out var result, out var problems, device)
            ? result
            : throw new InvalidDataException(problems.Count == 1 ? problems[0] : $"{problems[0]} (and {problems.Count - 1} more problem(s))");

    /// <summary>
    /// As <see cref="EvaluateFolders"/>, but the problems come back instead of an exception: true with the
    /// <paramref name="result"/> when every pair was scored, else false with one line per problem, each naming its
    /// file (JPEGs first, then files without a pair, then the pairs' problems in name order), and no result.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">A folder does not exist.</exception>
    public static bool TryEvaluateFolders(string referenceFolder, string testFolder,
        [NotNullWhen(true)] out ImageQualityEvaluationResult? result, out IReadOnlyList<string> problems, Device? device = null)
    {
        device ??= TorchRuntime.Device;
        var (references, tests) = (Existing(referenceFolder, "reference"), Existing(testFolder, "test"));
        var found = new List<string>();
        found.AddRange(Jpegs(references));
        found.AddRange(Jpegs(tests));
        var pairing = FilePairing.ByStem(new Dictionary<string, string> { ["reference"] = references, ["test"] = tests }, Png);
        found.AddRange(Unpaired(pairing.Unmatched, references, tests).Distinct()); // one folder given twice lists a clash twice
        if (pairing.Samples.Count == 0 && found.Count == 0)
            found.Add($"{tests}: no PNG images here nor in the reference folder {references}; give the folders of the references and of the test images.");
        var (psnr, ssim, l1) = (0.0, 0.0, 0.0);
        foreach (var sample in pairing.Samples)
        {
            using var scope = NewDisposeScope();
            var (referenceFile, testFile) = (sample.Files["reference"], sample.Files["test"]);
            var reference = TryLoad(referenceFile, found);
            var test = TryLoad(testFile, found);
            if (reference is null || test is null || !Comparable(reference, referenceFile, test, testFile, found))
                continue;
            // Once a problem is known no mean will be returned, so the remaining pairs are only read, not scored.
            if (found.Count > 0)
                continue;
            var scores = ImageQuality.Score(reference.to(device), test.to(device));
            (psnr, ssim, l1) = (psnr + scores.Psnr, ssim + scores.Ssim, l1 + scores.L1);
        }
        problems = found;
        var count = pairing.Samples.Count;
        result = found.Count == 0 ? new ImageQualityEvaluationResult(count, psnr / count, ssim / count, l1 / count) : null;
        return result is not null;
    }

    private static string Existing(string folder, string role) => Directory.Exists(folder)
        ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) // compared with the files' folders below
        : throw new DirectoryNotFoundException($"The {role} folder does not exist: {Path.GetFullPath(folder)}");

    /// <summary>A JPEG in either folder, named rather than passed over.</summary>
    private static IEnumerable<string> Jpegs(string folder) => Directory.EnumerateFiles(folder)
        .Where(file => Path.GetExtension(file).ToLowerInvariant() is ".jpg" or ".jpeg")
        .Order(StringComparer.Ordinal)
        .Select(file => $"{file}: a JPEG; image quality is measured on lossless PNG files, as JPEG's own losses would be counted against the test image. Save it as PNG.");

    /// <summary>
    /// Why each file that <see cref="FilePairing.ByStem"/> left unmatched has no pair: two files of one stem in a
    /// folder (their partner in the other folder is then only waiting for one of them), or nothing of its stem there.
    /// </summary>
    private static IEnumerable<string> Unpaired(IReadOnlyList<string> unmatched, string references, string tests)
    {
        var byPlace = unmatched.GroupBy(file => (Folder: Path.GetDirectoryName(file)!, Stem: Path.GetFileNameWithoutExtension(file))).ToList();
        var clashing = byPlace.Where(group => group.Count() > 1).Select(group => group.Key.Stem).ToHashSet(StringComparer.Ordinal);
        foreach (var group in byPlace)
        {
            var files = group.Order(StringComparer.Ordinal).ToList();
            if (files.Count > 1)
                yield return $"{files[0]}: {string.Join(" and ", files.Select(Path.GetFileName))} share one name stem; keep one.";
            else if (clashing.Contains(group.Key.Stem))
                continue;
            else if (group.Key.Folder == references)
                yield return $"{files[0]}: no test image '{group.Key.Stem}.png' in {tests}; every reference needs one.";
            else
                yield return $"{files[0]}: no reference image '{group.Key.Stem}.png' in {references}; every test image needs one.";
        }
    }

    /// <summary>The RGB image of a file, or null with a problem naming it.</summary>
    private static Tensor? TryLoad(string file, List<string> problems)
    {
        try
        {
            return ImageIO.LoadRgb(file);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            var message = e.Message.Split('\n')[0].Trim();
            problems.Add(message.Contains(file, StringComparison.Ordinal) ? message : $"{file}: unreadable: {message}");
            return null;
        }
    }

    /// <summary>True when the pair has one size of at least SSIM's window; else a problem naming both files.</summary>
    private static bool Comparable(Tensor reference, string referenceFile, Tensor test, string testFile, List<string> problems)
    {
        var (rh, rw, th, tw) = (reference.shape[1], reference.shape[2], test.shape[1], test.shape[2]);
        if (rh != th || rw != tw)
        {
            problems.Add($"{testFile}: {tw}×{th} pixels, but its reference {referenceFile} is {rw}×{rh}; a test image must have its reference's size.");
            return false;
        }
        if (rh < ImageQuality.WindowSize || rw < ImageQuality.WindowSize)
        {
            problems.Add($"{referenceFile}: {rw}×{rh} pixels, smaller than SSIM's {ImageQuality.WindowSize}×{ImageQuality.WindowSize} window; " +
                         "score images of at least that size.");
            return false;
        }
        return true;
    }
}
