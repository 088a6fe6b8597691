using NotebookHelpers.Core;
using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using NotebookHelpers.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.SalGan;

/// <summary>The benchmark's scores of one image, or their means; CC, KLD and SIM are null without density maps.</summary>
public sealed record SaliencyScores(
    double AucJudd, double AucBorji, double ShuffledAuc, double Nss, double? Cc, double? Kld, double? Sim)
{
    /// <summary>The scores under the benchmark's names, in the order AUC_Judd, AUC_Borji, sAUC, NSS, CC, KLD, SIM.</summary>
    public IReadOnlyList<(string Name, double? Value)> Named() =>
        [("AUC_Judd", AucJudd), ("AUC_Borji", AucBorji), ("sAUC", ShuffledAuc), ("NSS", Nss), ("CC", Cc), ("KLD", Kld), ("SIM", Sim)];
}

/// <summary>One evaluated image: its name stem and its scores.</summary>
public sealed record SaliencyImageScores(string Name, SaliencyScores Scores);

/// <summary>Why a file was not evaluated, or why its scores hold a NaN.</summary>
public sealed record SaliencyProblem(string Name, string Message)
{
    public override string ToString() => $"{Name}: {Message}";
}

/// <summary>
/// The per-image scores and every problem met on the way. <see cref="Mean"/> averages the evaluated images; an image
/// whose score is NaN keeps it, so the mean is NaN too, and a problem names it.
/// </summary>
public sealed record SaliencyEvaluationResult(
    IReadOnlyList<SaliencyImageScores> Images, IReadOnlyList<SaliencyProblem> Problems, bool HasDensityMaps)
{
    /// <summary>What the evaluation did that a reader should know but that is not a problem (said once each).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>How many images the means average.</summary>
    public int Count => Images.Count;

    /// <summary>True when every file found a partner and every score is a number.</summary>
    public bool IsComplete => Problems.Count == 0;

    /// <summary>The mean of each score over <see cref="Images"/> (NaN when there are none).</summary>
    public SaliencyScores Mean => new(
        Average(s => s.AucJudd), Average(s => s.AucBorji), Average(s => s.ShuffledAuc), Average(s => s.Nss),
        HasDensityMaps ? Average(s => s.Cc!.Value) : null,
        HasDensityMaps ? Average(s => s.Kld!.Value) : null,
        HasDensityMaps ? Average(s => s.Sim!.Value) : null);

    private double Average(Func<SaliencyScores, double> score) =>
        Images.Count == 0 ? double.NaN : Images.Average(image => score(image.Scores));
}

/// <summary>
/// Scores a folder of predicted saliency maps against the fixation maps (and density maps) of a benchmark with
/// <see cref="SaliencyMetrics"/>, image by image, as the benchmark averages them.
/// </summary>
public static class SaliencyEvaluation
{
    /// <summary>
    /// Matches predictions (8-bit grey PNG or JPEG), fixation maps (PNG, any nonzero pixel a fixation) and, when
    /// <paramref name="densityFolder"/> is given, density maps (8-bit grey PNG or JPEG) by file name stem, and scores
    /// every complete match. Maps are used as their 8-bit values (0..255 as float64), so no float32 rounding sits
    /// between a file and a metric. sAUC draws each image's negatives from the fixations of every other map in
    /// <paramref name="fixationsFolder"/> (<see cref="FixationSet"/>).
    /// <para>
    /// Never drops a file silently: a file without its partner, an unreadable file, two files with one stem, a fixation
    /// map without fixations and an image with a NaN score are each a <see cref="SaliencyProblem"/> naming the file.
    /// A missing folder throws <see cref="DirectoryNotFoundException"/> naming it.
    /// </para>
    /// </summary>
    public static SaliencyEvaluationResult EvaluateFolders(string predictionsFolder, string fixationsFolder,
        string? densityFolder = null, long seed = 0, Device? device = null)
    {
        device ??= TorchRuntime.Device;
        var problems = new List<SaliencyProblem>();
        var predictions = FilesByStem(predictionsFolder, "predictions", problems);
        var fixationFiles = FilesByStem(fixationsFolder, "fixations", problems);
        var densities = densityFolder is null ? null : FilesByStem(densityFolder, "density maps", problems);
        var (fixations, usable) = LoadFixations(fixationFiles, problems);

        var images = new List<SaliencyImageScores>();
        var notes = new List<string>();
        var stems = predictions.Keys.Union(fixationFiles.Keys).Order(StringComparer.Ordinal).ToList();
        foreach (var stem in stems)
        {
            var prediction = predictions.GetValueOrDefault(stem);
            if (!fixationFiles.ContainsKey(stem))
            {
                problems.Add(new(NameOf(prediction, stem), $"no fixation map '{stem}.png' in {Full(fixationsFolder)}."));
                continue;
            }
            if (!predictions.ContainsKey(stem))
            {
                problems.Add(new(NameOf(fixationFiles[stem], stem), $"no prediction '{stem}.*' in {Full(predictionsFolder)}."));
                continue;
            }
            // A null file stands for two files with one stem, and a fixation map left out of `usable` for an
            // unreadable or empty one: each was reported where it was found.
            if (prediction is null || !usable.TryGetValue(stem, out var index))
                continue;
            string? density = null;
            if (densities is not null)
            {
                if (!densities.TryGetValue(stem, out density))
                {
                    problems.Add(new(NameOf(prediction, stem), $"no density map '{stem}.*' in {Full(densityFolder!)}."));
                    continue;
                }
                if (density is null)
                    continue;
            }
            if (Score(prediction, density, fixations, index, seed, device, problems, notes) is { } scores)
                images.Add(new SaliencyImageScores(stem, scores));
        }
        foreach (var (stem, density) in densities ?? [])
            if (!predictions.ContainsKey(stem) && !fixationFiles.ContainsKey(stem))
                problems.Add(new(NameOf(density, stem), "density map without a prediction or fixation map of that name."));
        if (stems.Count == 0)
            problems.Add(new(Full(predictionsFolder),
                $"no PNG or JPEG files in the predictions folder nor in the fixations folder {Full(fixationsFolder)}."));
        return new SaliencyEvaluationResult(images, problems, densityFolder is not null) { Notes = notes };
    }

    private static SaliencyScores? Score(string predictionFile, string? densityFile, FixationSet fixations,
        int index, long seed, Device device, List<SaliencyProblem> problems, List<string> notes)
    {
        using var scope = NewDisposeScope();
        if (TryLoadEightBit(predictionFile, problems, greyOnly: true) is not { } s)
            return null;
        Tensor? d = null;
        if (densityFile is not null && (d = TryLoadEightBit(densityFile, problems, greyOnly: true)) is null)
            return null;
        var fixationSize = fixations.Size(index);
        if (d is not null && (d.shape[^2], d.shape[^1]) != fixationSize && notes.Count(n => n.StartsWith("density maps", StringComparison.Ordinal)) == 0)
            notes.Add($"density maps of another size than their fixation maps are compared with the prediction at the density map's size " +
                      $"(first: {Path.GetFileName(densityFile)} is {d.shape[^1]}×{d.shape[^2]}, its fixation map {fixationSize.Width}×{fixationSize.Height}).");
        (s, d) = (s.to(device), d?.to(device));
        var f = fixations.FixationMap(index, device);
        var other = fixations.OtherFixationMap(index, device);
        var scores = new SaliencyScores(
            Value(SaliencyMetrics.AucJudd(s, f)),
            Value(SaliencyMetrics.AucBorji(s, f, seed: seed)),
            Value(SaliencyMetrics.ShuffledAuc(s, f, other, seed: seed)),
            Value(SaliencyMetrics.Nss(s, f)),
            d is null ? null : Value(SaliencyMetrics.Cc(s, d)),
            d is null ? null : Value(SaliencyMetrics.Kld(s, d)),
            d is null ? null : Value(SaliencyMetrics.Sim(s, d)));
        ReportNaN(Path.GetFileName(predictionFile), scores, s, d, other, problems);
        return scores;
    }

    private static void ReportNaN(string name, SaliencyScores scores, Tensor prediction, Tensor? density, Tensor other,
        List<SaliencyProblem> problems)
    {
        var undefined = scores.Named().Where(score => score.Value is double.NaN).Select(score => score.Name).ToList();
        if (undefined.Count == 0)
            return;
        var causes = new List<string>();
        if (IsConstant(prediction))
            causes.Add("the prediction is constant, so it ranks no pixel above another and has no spread");
        if (density is not null && IsConstant(density))
            causes.Add("the density map is constant");
        if (!other.any().item<bool>())
            causes.Add("no other fixation map has fixations to draw sAUC's negatives from");
        var why = causes.Count == 0 ? "" : $" ({string.Join("; ", causes)})";
        problems.Add(new(name, $"{string.Join(", ", undefined)} undefined (NaN){why}; the means include the NaN."));
    }

    /// <summary>Every readable PNG fixation map of the folder, and the index in the set of each one with fixations.</summary>
    private static (FixationSet Set, Dictionary<string, int> Usable) LoadFixations(
        Dictionary<string, string?> files, List<SaliencyProblem> problems)
    {
        var set = new FixationSet();
        var usable = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (stem, file) in files)
        {
            if (file is null)
                continue;
            if (!Path.GetExtension(file).Equals(".png", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add(new(Path.GetFileName(file),
                    "fixation maps must be PNG: JPEG compression noise would turn into fixations."));
                continue;
            }
            using var scope = NewDisposeScope();
            if (TryLoadEightBit(file, problems) is not { } map)
                continue;
            var index = set.Add(map);
            if (set.FixationCount(index) == 0)
                problems.Add(new(Path.GetFileName(file), "the fixation map has no fixations (every pixel is 0)."));
            else
                usable[stem] = index;
        }
        return (set, usable);
    }

    /// <summary>
    /// The PNG and JPEG files of a folder by name stem; a stem held by two files (a.png and a.jpg) maps to null and is
    /// reported, since either could be the one meant.
    /// </summary>
    private static Dictionary<string, string?> FilesByStem(string folder, string role, List<SaliencyProblem> problems)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The {role} folder does not exist: {Full(folder)}");
        var byStem = new Dictionary<string, string?>(StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(folder)
            .Where(file => FilePairing.ImageExtensions.Contains(Path.GetExtension(file)))
            .Order(StringComparer.Ordinal)
            .GroupBy(file => Path.GetFileNameWithoutExtension(file), StringComparer.Ordinal);
        foreach (var group in files)
        {
            var names = group.Select(Path.GetFileName).ToList();
            if (names.Count > 1)
                problems.Add(new(names[0]!, $"{string.Join(" and ", names)} in the {role} folder share one name; keep one."));
            byStem[group.Key] = names.Count == 1 ? group.First() : null;
        }
        return byStem;
    }

    /// <summary>
    /// The file's 8-bit values; with <paramref name="greyOnly"/> a colour image (channels that differ) is a problem,
    /// not a map: the luminance of a jet-coloured picture is not the saliency it shows.
    /// </summary>
    private static Tensor? TryLoadEightBit(string file, List<SaliencyProblem> problems, bool greyOnly = false)
    {
        try
        {
            if (!greyOnly) return ImageIO.LoadGray(file).mul_(255).round_();
            using var rgb = ImageIO.LoadRgb(file);
            if (!(rgb[0].eq(rgb[1]).all().item<bool>() && rgb[1].eq(rgb[2]).all().item<bool>()))
            {
                problems.Add(new(Path.GetFileName(file), "a colour image, not a grey map (a colour-mapped picture's brightness is not its saliency); save the map itself as 8-bit grey."));
                return null;
            }
            return rgb[TensorIndex.Slice(0, 1)].mul(255).round_();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // The first line says what is wrong; the decoder's list of formats that follows adds nothing here.
            problems.Add(new(Path.GetFileName(file), $"unreadable: {e.Message.Split('\n')[0].Trim()}"));
            return null;
        }
    }

    private static bool IsConstant(Tensor map) => (map.max() == map.min()).item<bool>();

    private static double Value(Tensor oneImage) => oneImage.item<double>();

    private static string NameOf(string? file, string stem) => file is null ? stem : Path.GetFileName(file);

    private static string Full(string folder) => Path.GetFullPath(folder);
}
