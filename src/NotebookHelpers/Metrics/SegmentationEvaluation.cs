using NotebookHelpers.Core;
using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Metrics;

/// <summary>Why a file was not evaluated.</summary>
public sealed record SegmentationProblem(string Name, string Message)
{
    public override string ToString() => $"{Name}: {Message}";
}

/// <summary>
/// The scores of every image that could be evaluated, how many those were, and every problem met on the way. The
/// scores cover <see cref="Count"/> images even when there are problems, as the saliency evaluation's means do; a
/// caller that needs the whole set checks <see cref="IsComplete"/> (the <c>nbh eval segmentation</c> command prints
/// the scores and exits with 1).
/// </summary>
public sealed record SegmentationEvaluationResult(SegmentationScores Scores, int Count, IReadOnlyList<SegmentationProblem> Problems)
{
    /// <summary>What the evaluation did that a reader should know but that is not a problem (said once each).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>True when every file found its partner and was scored.</summary>
    public bool IsComplete => Problems.Count == 0;
}

/// <summary>Scores a folder of predicted class-id maps against a folder of label maps with <see cref="ConfusionMatrix"/>.</summary>
public static class SegmentationEvaluation
{
    /// <summary>
    /// Matches predictions and labels by equal file name stems (<c>a.png</c> with <c>a.png</c>) and accumulates every
    /// matched pair into one confusion matrix over the set (and BF, unless <paramref name="boundary"/> is false). Both are PNG class-id maps
    /// that <see cref="ImageIO.LoadClassIds"/> reads: 8-bit grey (value = class id) or indexed with a palette
    /// (PASCAL VOC; index = class id). Labels equal to <paramref name="ignore"/> (null: none), or outside
    /// 0..<paramref name="classes"/>−1, are left out as in <see cref="ConfusionMatrix"/>; the second kind is noted.
    /// <para>
    /// Never drops a file silently: a prediction without a label or a label without a prediction, two files with one
    /// stem, an unreadable or truncated file (and a JPEG), a prediction of another size than its label, and a
    /// prediction that is not a class id on a labelled pixel are each a <see cref="SegmentationProblem"/> naming the
    /// file, and that image adds nothing to the scores. A missing folder throws <see cref="DirectoryNotFoundException"/>
    /// naming it.
    /// </para>
    /// </summary>
    public static SegmentationEvaluationResult EvaluateFolders(string predictionsFolder, string labelsFolder, int classes,
        int? ignore = 255, bool boundary = true, Device? device = null)
    {
        SegmentationMetrics.RequireClasses(classes);
        device ??= TorchRuntime.Device;
        var problems = new List<SegmentationProblem>();
        var predictions = FilesByStem(predictionsFolder, "predictions", problems);
        var labels = FilesByStem(labelsFolder, "labels", problems);
        var unlabelled = new List<string>();
        var (outside, firstOutside) = (0L, (string?)null);
        var count = 0;
        using var matrix = new ConfusionMatrix(classes, ignore, boundary);
        var stems = predictions.Keys.Union(labels.Keys).Order(StringComparer.Ordinal).ToList();
        foreach (var stem in stems)
        {
            var (prediction, label) = (predictions.GetValueOrDefault(stem), labels.GetValueOrDefault(stem));
            if (!labels.ContainsKey(stem))
            {
                problems.Add(new(NameOf(prediction, stem), $"no label '{stem}.png' in {Full(labelsFolder)}."));
                continue;
            }
            if (!predictions.ContainsKey(stem))
            {
                problems.Add(new(NameOf(label, stem), $"no prediction '{stem}.png' in {Full(predictionsFolder)}."));
                continue;
            }
            // A null file stands for two files of one stem, reported where they were found.
            if (prediction is null || label is null)
                continue;
            using var scope = NewDisposeScope();
            if (TryLoad(prediction, problems) is not { } p || TryLoad(label, problems) is not { } l)
                continue;
            if (!p.shape.SequenceEqual(l.shape))
            {
                problems.Add(new(Path.GetFileName(prediction),
                    $"{p.shape[1]}×{p.shape[0]} pixels, but its label {Path.GetFileName(label)} is {l.shape[1]}×{l.shape[0]}; predict at the label's size."));
                continue;
            }
            var counted = l.ge(0).logical_and_(l.lt(classes));
            if (ignore is { } ignored) counted.logical_and_(l.ne(ignored));
            var wrong = counted.logical_and(p.lt(0).logical_or_(p.ge(classes)));
            if (wrong.any().item<bool>())
            {
                var at = wrong.flatten().nonzero()[0, 0].item<long>();
                var width = p.shape[1];
                problems.Add(new(Path.GetFileName(prediction),
                    $"value {p.flatten()[at].item<long>()} at (x={at % width}, y={at / width}) is not a class id 0..{classes - 1} " +
                    $"({wrong.sum().item<long>()} labelled pixel(s) hold such values); predict one of the {classes} classes."));
                continue;
            }
            var stray = counted.logical_not();
            if (ignore is { } left) stray.logical_and_(l.ne(left));
            if (stray.sum().item<long>() is var strays and > 0)
            {
                outside += strays;
                firstOutside ??= $"{Path.GetFileName(label)} holds {l.masked_select(stray)[0].item<long>()}";
            }
            if (!counted.any().item<bool>())
                unlabelled.Add(Path.GetFileName(label));
            matrix.Add(p.to(device), l.to(device));
            count++;
        }
        if (stems.Count == 0)
            problems.Add(new(Full(predictionsFolder),
                $"no PNG files in the predictions folder nor in the labels folder {Full(labelsFolder)}."));
        var notes = new List<string>();
        if (outside > 0)
            notes.Add($"{outside} label pixel(s) are outside the class ids 0..{classes - 1} and not the ignore label " +
                      $"({(ignore is null ? "none" : ignore.ToString())}); they are left out, as the FCN evaluation does (first: {firstOutside}).");
        if (unlabelled.Count > 0)
            notes.Add($"{unlabelled.Count} label map(s) have no labelled pixel and add nothing to the scores (first: {unlabelled[0]}).");
        return new SegmentationEvaluationResult(matrix.Scores(), count, problems) { Notes = notes };
    }

    /// <summary>The class ids of a file, or null with a problem naming it.</summary>
    private static Tensor? TryLoad(string file, List<SegmentationProblem> problems)
    {
        try
        {
            return ImageIO.LoadClassIds(file);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // The first line says what is wrong; the rest (a decoder's list of formats) adds nothing here.
            problems.Add(new(Path.GetFileName(file), $"unreadable: {e.Message.Split('\n')[0].Trim()}"));
            return null;
        }
    }

    /// <summary>
    /// The PNG and JPEG files of a folder by name stem (a JPEG is read, and refused, so that it is named rather than
    /// skipped); a stem held by two files maps to null and is reported.
    /// </summary>
    private static Dictionary<string, string?> FilesByStem(string folder, string role, List<SegmentationProblem> problems)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The {role} folder does not exist: {Full(folder)}");
        var byStem = new Dictionary<string, string?>(StringComparer.Ordinal);
        var groups = Directory.EnumerateFiles(folder)
            .Where(file => FilePairing.ImageExtensions.Contains(Path.GetExtension(file)))
            .Order(StringComparer.Ordinal)
            .GroupBy(file => Path.GetFileNameWithoutExtension(file), StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var names = group.Select(Path.GetFileName).ToList();
            if (names.Count > 1)
                problems.Add(new(names[0]!, $"{string.Join(" and ", names)} in the {role} folder share one name; keep one."));
            byStem[group.Key] = names.Count == 1 ? group.First() : null;
        }
        return byStem;
    }

    private static string NameOf(string? file, string stem) => file is null ? stem : Path.GetFileName(file);

    private static string Full(string folder) => Path.GetFullPath(folder);
}
