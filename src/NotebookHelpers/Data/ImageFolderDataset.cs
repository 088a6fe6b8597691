using NotebookHelpers.Imaging;
using static TorchSharp.torch;

namespace NotebookHelpers.Data;

/// <summary>How a file of one role is decoded (see <see cref="ImageIO"/>).</summary>
public enum ImageKind
{
    /// <summary>float32 (3,H,W) in [0,1].</summary>
    Rgb,
    /// <summary>float32 (1,H,W) in [0,1], e.g. a saliency map.</summary>
    Gray,
    /// <summary>int64 (H,W) class ids, e.g. a segmentation mask.</summary>
    ClassIds,
}

/// <summary>One role of a sample: the dictionary key, the folder its files are in, how they are decoded.</summary>
public sealed record FolderRole(string Key, string Folder, ImageKind Kind);

/// <summary>
/// Samples made of image files paired by name stem across folders (images/x.jpg with maps/x.png), each decoded by its
/// role's <see cref="ImageKind"/> into a dictionary keyed by role, then passed through an optional transform
/// (for instance a random crop applied alike to the image and its mask).
/// </summary>
public sealed class ImageFolderDataset : FileDataset<PairedSample>
{
    private readonly IReadOnlyDictionary<string, ImageKind> kinds;
    private readonly Func<Dictionary<string, Tensor>, Dictionary<string, Tensor>>? transform;

    /// <param name="samples">Each sample's file per role.</param>
    /// <param name="kinds">How each role is decoded; every role of every sample needs one.</param>
    /// <param name="transform">Applied to each decoded sample; null keeps it as decoded.</param>
    /// <param name="log">Where skipped files and pairing leftovers are reported; standard error when null.</param>
    /// <param name="validate">Check every file's header now and drop the samples that fail (see <see cref="FileDataset{TSample}.Validate"/>).</param>
    public ImageFolderDataset(IEnumerable<PairedSample> samples, IReadOnlyDictionary<string, ImageKind> kinds,
        Func<Dictionary<string, Tensor>, Dictionary<string, Tensor>>? transform = null, TextWriter? log = null,
        bool validate = true)
        : base(samples, log)
    {
        this.kinds = kinds;
        this.transform = transform;
        var unknownRole = Samples.SelectMany(sample => sample.Files.Keys).FirstOrDefault(role => !kinds.ContainsKey(role));
        if (unknownRole is not null)
            throw new ArgumentException($"No ImageKind given for the role '{unknownRole}'.", nameof(kinds));
        if (validate)
            Validate();
    }

    /// <summary>
    /// Pairs the files of the roles' folders by stem (<see cref="FilePairing.ByStem"/>), logs the files left unpaired,
    /// and validates the samples.
    /// </summary>
    public static ImageFolderDataset FromFolders(IReadOnlyList<FolderRole> roles,
        Func<Dictionary<string, Tensor>, Dictionary<string, Tensor>>? transform = null, TextWriter? log = null)
    {
        log ??= Console.Error;
        var pairing = FilePairing.ByStem(roles.ToDictionary(role => role.Key, role => role.Folder));
        if (pairing.Unmatched.Count > 0)
            log.WriteLine(pairing.Summary());
        return new ImageFolderDataset(pairing.Samples, roles.ToDictionary(role => role.Key, role => role.Kind),
            transform, log);
    }

    protected override IEnumerable<string> FilesOf(PairedSample sample) => sample.Files.Values;

    protected override Dictionary<string, Tensor> Load(PairedSample sample)
    {
        var decoded = sample.Files.ToDictionary(file => file.Key, file => kinds[file.Key] switch
        {
            ImageKind.Rgb => ImageIO.LoadRgb(file.Value),
            ImageKind.Gray => ImageIO.LoadGray(file.Value),
            _ => ImageIO.LoadClassIds(file.Value),
        });
        return transform is null ? decoded : transform(decoded);
    }
}
