using NotebookHelpers.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Metrics;

/// <summary>
/// The scores of a segmentation set, as the FCN reference evaluation (Long et al., CVPR 2015, <c>score.py</c>)
/// computes them from the confusion matrix, and SegNet's boundary F1 (BF). Fractions in [0,1].
/// <para>
/// From the N×N matrix n (row i = label class i, column j = predicted class j), with t_i = Σ_j n_ij the label pixels
/// of class i and T = Σ_i t_i: <see cref="PixelAccuracy"/> = Σ_i n_ii / T ("global"); <see cref="MeanAccuracy"/>
/// = the mean of n_ii / t_i over the classes with t_i &gt; 0 ("class avg."); IoU_i = n_ii / (t_i + Σ_j n_ji − n_ii),
/// undefined (null) for a class neither labelled nor predicted, 0 for one predicted but never labelled;
/// <see cref="MeanIoU"/> = the mean of the defined IoU_i; <see cref="FrequencyWeightedIoU"/> = Σ_{i: t_i &gt; 0}
/// (t_i / T) · IoU_i.
/// </para>
/// <para>
/// Without a single valid pixel (T = 0) every value is NaN, as numpy's 0/0 in <c>score.py</c>. <see cref="BoundaryF1"/>
/// is null when it was not computed, NaN when it was but no image had a labelled pixel.
/// </para>
/// </summary>
/// <param name="PixelAccuracy">Correct pixels over labelled pixels.</param>
/// <param name="MeanAccuracy">Mean over labelled classes of the class's recall.</param>
/// <param name="MeanIoU">Mean of the defined per-class IoUs.</param>
/// <param name="FrequencyWeightedIoU">IoUs weighted by each class's share of the labelled pixels.</param>
/// <param name="PerClassIoU">IoU of each class 0..N−1; null where undefined.</param>
/// <param name="PerClassAccuracy">n_ii / t_i of each class; null for a class without label pixels.</param>
/// <param name="PerClassPixels">t_i: the label pixels of each class.</param>
/// <param name="BoundaryF1">The set's BF (<see cref="SegmentationMetrics.BoundaryF1"/>), or null when not computed.</param>
/// <param name="Pixels">T: the pixels counted (labelled, not ignored).</param>
/// <param name="BoundaryImages">How many images the BF averages (those with at least one labelled pixel).</param>
public sealed record SegmentationScores(
    double PixelAccuracy, double MeanAccuracy, double MeanIoU, double FrequencyWeightedIoU,
    IReadOnlyList<double?> PerClassIoU, IReadOnlyList<double?> PerClassAccuracy, IReadOnlyList<long> PerClassPixels,
    double? BoundaryF1, long Pixels, int BoundaryImages)
{
    /// <summary>The number of classes N.</summary>
    public int Classes => PerClassIoU.Count;

    /// <summary>The set's scores under their metric names (<see cref="SegmentationMetricSpecs"/>): pixel_accuracy, mean_accuracy, mIoU, fwIoU, BF.</summary>
    public IReadOnlyList<(string Name, double? Value)> Named() =>
    [
        (SegmentationMetricSpecs.PixelAccuracy.Name, PixelAccuracy),
        (SegmentationMetricSpecs.MeanAccuracy.Name, MeanAccuracy),
        (SegmentationMetricSpecs.MeanIoU.Name, MeanIoU),
        (SegmentationMetricSpecs.FrequencyWeightedIoU.Name, FrequencyWeightedIoU),
        (SegmentationMetricSpecs.BoundaryF1.Name, BoundaryF1),
    ];
}

/// <summary>
/// The BF of one image: per class c, the precision P_c (matched predicted boundary pixels over predicted boundary
/// pixels), the recall R_c (matched true boundary pixels over true boundary pixels) and F_c = 2·P_c·R_c / (P_c + R_c);
/// <see cref="Score"/> is the mean of F_c over the classes in the image's labels or its prediction. Every list has N
/// entries; a class on neither side has null F, precision and recall; a labelled class that is never predicted has
/// recall 0, null precision and F = 0, and a predicted class that is not labelled precision 0, null recall and F = 0.
/// Score is null for an image without a labelled pixel.
/// </summary>
public sealed record BoundaryF1Score(
    double? Score, IReadOnlyList<double?> PerClass, IReadOnlyList<double?> Precision, IReadOnlyList<double?> Recall);

/// <summary>
/// The segmentation metrics of SegNet (Badrinarayanan et al., TPAMI 2017) and FCN: the confusion-matrix scores of
/// <see cref="SegmentationScores"/>, and the boundary F1 score (BF) of Csurka et al. (BMVC 2013) as SegNet reports it.
/// <see cref="ConfusionMatrix"/> accumulates both over a set.
/// <para>
/// <b>BF</b>, per image and per class c: the boundary of a binary mask M is every pixel of M with one of its four
/// neighbours (up, down, left, right) outside M, the outside of the image counting as outside M, so a mask touching
/// the image edge has a boundary there (MATLAB's <c>bwbfscore2</c>, which <c>bfscore</c> and
/// <c>evaluateSemanticSegmentation</c> call, erodes the zero-padded mask with that cross and keeps what the erosion
/// removes). A boundary pixel of one side is matched when the other side's boundary of the same class has a pixel at a
/// Euclidean distance d with d² &lt; θ², θ = 0.75 % of the image diagonal, 0.0075·√(H² + W²) pixels (MATLAB's default
/// and SegNet's §4: 4.5 px at 360×480; the strict &lt; is <c>bwbfscore2</c>'s). P_c, R_c and F_c are as in
/// <see cref="BoundaryF1Score"/>; when P_c + R_c = 0, F_c = 0.
/// </para>
/// <para>
/// The image's BF is the mean of F_c over the classes that have a boundary in its labels <em>or</em> in its
/// prediction, and F_c = 0 for a class on one side only (its recall or precision is 0). This is what the authors'
/// evaluation script does (<c>Scripts/computeBFmeasure.m</c> of the SegNet tutorial, which produced the paper's BF
/// columns: a class enters the image's count when either side has boundary pixels, though its comment speaks of the
/// classes "present in that ground truth image"); the paper's text (§4) does not say which classes. Counting a class
/// that is only predicted makes a hallucinated class cost BF, as a missed one does. (MATLAB's <c>bwbfscore2</c>, as
/// its comment spells the computation out, divides 0 by 0 for a class missing on one side, and the per-image
/// <c>nanmean</c> of <c>semanticSegmentationMetrics</c> would then skip it.) The set's BF is the mean over its images
/// of the image BF (the authors' script; MATLAB's <c>DataSetMetrics.MeanBFScore</c> is the same mean of per-image
/// means); an
/// image without a labelled pixel has no BF and is left out of that mean.
/// </para>
/// <para>
/// Ignored pixels (the ignore label, and any label outside 0..N−1, as for the confusion matrix) belong to no class on
/// either side: the prediction there is not looked at, so a region whose label is void acts like the outside of the
/// image for both masks. MATLAB's <c>evaluateSemanticSegmentation</c> instead leaves an undefined ground-truth pixel out
/// of every class's true mask but keeps the prediction there, so predicted boundaries inside void regions count
/// against it; leaving the pixel out on both sides is what the confusion matrix does with it.
/// </para>
/// <para>
/// Sources: SegNet, arXiv:1511.00561 §4 (https://arxiv.org/abs/1511.00561); Csurka, Larlus and Perronnin, "What is a
/// good evaluation measure for semantic segmentation?", BMVC 2013; MATLAB's documentation of <c>bfscore</c>
/// (https://www.mathworks.com/help/images/ref/bfscore.html) and <c>evaluateSemanticSegmentation</c>
/// (https://www.mathworks.com/help/vision/ref/evaluatesemanticsegmentation.html), and the toolboxes' M-files
/// <c>bfscore.m</c>, <c>bwbfscore2.m</c> and <c>semanticSegmentationMetrics.m</c> (2017), read for the definitions
/// above, not copied. The matching is exact (every boundary pixel is tested against every offset of the disk
/// d² &lt; θ²), on the CPU with plain arrays: a few milliseconds for a 360×480 CamVid image.
/// </para>
/// </summary>
public static class SegmentationMetrics
{
    /// <summary>The BF tolerance as a fraction of the image diagonal: 0.75 %.</summary>
    public const double BoundaryToleranceFraction = 0.0075;

    /// <summary>The most classes a confusion matrix takes (its N² counts live in one tensor).</summary>
    public const int MaxClasses = 4096;

    /// <summary>The BF tolerance θ of an image: 0.75 % of its diagonal, in pixels (4.5 for 360×480).</summary>
    public static double DefaultBoundaryTolerance(long height, long width) =>
        BoundaryToleranceFraction * Math.Sqrt((double)height * height + (double)width * width);

    /// <summary>
    /// The scores of a confusion matrix given as counts (row = label class, column = predicted class), exactly as
    /// <c>score.py</c> defines them (see <see cref="SegmentationScores"/>). BoundaryF1 is null.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix is not square, is empty, or holds a negative count.</exception>
    public static SegmentationScores FromConfusionMatrix(long[,] matrix)
    {
        var n = matrix.GetLength(0);
        if (n == 0 || matrix.GetLength(1) != n)
            throw new ArgumentException($"A confusion matrix is N×N with N ≥ 1, got {matrix.GetLength(0)}×{matrix.GetLength(1)}.", nameof(matrix));
        var rows = new long[n];
        var columns = new long[n];
        long total = 0, correct = 0;
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                var count = matrix[i, j];
                if (count < 0)
                    throw new ArgumentException($"Confusion matrix counts are never negative, got {count} at ({i},{j}).", nameof(matrix));
                rows[i] += count;
                columns[j] += count;
                total += count;
                if (i == j) correct += count;
            }
        var iou = new double?[n];
        var accuracy = new double?[n];
        double frequencyWeighted = 0;
        for (var i = 0; i < n; i++)
        {
            double diagonal = matrix[i, i];
            var union = rows[i] + columns[i] - matrix[i, i];
            iou[i] = union == 0 ? null : diagonal / union;
            accuracy[i] = rows[i] == 0 ? null : diagonal / rows[i];
            if (rows[i] > 0) frequencyWeighted += (double)rows[i] / total * iou[i]!.Value;
        }
        return new SegmentationScores(
            total == 0 ? double.NaN : (double)correct / total,
            MeanOfDefined(accuracy),
            MeanOfDefined(iou),
            total == 0 ? double.NaN : frequencyWeighted,
            iou, accuracy, rows, BoundaryF1: null, total, BoundaryImages: 0);
    }

    /// <summary>
    /// The BF of one image: <paramref name="prediction"/> and <paramref name="label"/> are (H,W) integer class-id maps;
    /// labels equal to <paramref name="ignore"/>, negative or ≥ <paramref name="classes"/> are ignored. The tolerance θ
    /// is <see cref="DefaultBoundaryTolerance"/> unless <paramref name="tolerance"/> (pixels) is given.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes differ, a map is not (H,W) or not integer, or a labelled pixel's prediction is not a class id.</exception>
    public static BoundaryF1Score BoundaryF1(Tensor prediction, Tensor label, int classes, int? ignore = 255, double? tolerance = null)
    {
        RequireClasses(classes);
        RequireTolerance(tolerance);
        if (label.dim() != 2)
            throw new ArgumentException($"BoundaryF1 scores one (H,W) map, got shape {Shapes.Format(label)}; ConfusionMatrix takes batches.", nameof(label));
        using var scope = NewDisposeScope();
        var (predicted, truth, valid) = Prepared(prediction, label, classes, ignore);
        var (height, width) = ((int)label.shape[0], (int)label.shape[1]);
        var counts = new BoundaryCounts(classes);
        counts.Add(HostIds(truth, valid), HostIds(predicted, valid), 0, height, width, tolerance ?? DefaultBoundaryTolerance(height, width));
        return counts.Score();
    }

    /// <summary>
    /// The validated int64 predictions and labels, with the pixels that count: labels in 0..N−1 other than the ignore
    /// label. Throws when the shapes differ or a counted pixel's prediction is not a class id.
    /// </summary>
    internal static (Tensor Predictions, Tensor Labels, Tensor Valid) Prepared(Tensor predictions, Tensor labels, int classes, int? ignore)
    {
        RequireIds(predictions, "predictions");
        RequireIds(labels, "labels");
        if (!predictions.shape.SequenceEqual(labels.shape))
            throw new ArgumentException(
                $"Predictions of shape {Shapes.Format(predictions)} do not match labels of shape {Shapes.Format(labels)}; give one prediction per labelled pixel.");
        if (predictions.device_type != labels.device_type || predictions.device_index != labels.device_index)
            throw new ArgumentException($"Predictions are on {predictions.device} but labels on {labels.device}; move both to one device.");
        var p = predictions.to(ScalarType.Int64);
        var l = labels.to(ScalarType.Int64);
        var valid = LabelledPixels(l, classes, ignore);
        var wrong = valid.logical_and(p.lt(0).logical_or_(p.ge(classes)));
        if (wrong.any().item<bool>())
        {
            var first = wrong.flatten().nonzero()[0, 0].item<long>();
            var value = p.flatten()[first].item<long>();
            var count = wrong.sum().item<long>();
            throw new ArgumentException(
                $"Prediction {value} at {Position(first, predictions.shape)} is not a class id 0..{classes - 1} ({classes} classes); " +
                $"{count} labelled pixel(s) have such a prediction.");
        }
        return (p, l, valid);
    }

    /// <summary>
    /// The pixels every score counts: those whose label is a class id 0..<paramref name="classes"/>−1 and not
    /// <paramref name="ignore"/>. A bool tensor of the labels' shape, on their device.
    /// </summary>
    public static Tensor LabelledPixels(Tensor labels, int classes, int? ignore)
    {
        var valid = labels.ge(0).logical_and_(labels.lt(classes));
        if (ignore is { } ignored) valid.logical_and_(labels.ne(ignored));
        return valid;
    }

    /// <summary>
    /// The share of labelled pixels (<see cref="LabelledPixels"/>), optionally only those in <paramref name="within"/>,
    /// whose prediction is right; NaN when there are none.
    /// </summary>
    public static double PixelAccuracy(Tensor predictions, Tensor labels, int classes, int? ignore, Tensor? within = null)
    {
        using var scope = NewDisposeScope();
        var counted = LabelledPixels(labels, classes, ignore);
        if (within is not null) counted.logical_and_(within);
        long count = counted.sum().item<long>();
        return count == 0 ? double.NaN : predictions.eq(labels).logical_and_(counted).sum().item<long>() / (double)count;
    }

    /// <summary>The class ids, −1 at every pixel that does not count, as int32 on the CPU (row-major).</summary>
    internal static int[] HostIds(Tensor ids, Tensor valid) =>
        ids.masked_fill(valid.logical_not(), -1).to(ScalarType.Int32).cpu().contiguous().data<int>().ToArray();

    internal static void RequireClasses(int classes)
    {
        if (classes < 1 || classes > MaxClasses)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, $"Give the number of classes, 1 to {MaxClasses}, got {classes}.");
    }

    internal static void RequireTolerance(double? tolerance)
    {
        if (tolerance is { } t && !(t > 0 && double.IsFinite(t)))
            throw new ArgumentOutOfRangeException(nameof(tolerance), t, $"The boundary tolerance is a distance in pixels above 0, got {t}.");
    }

    private static void RequireIds(Tensor ids, string name)
    {
        if (ids.is_floating_point() || ids.is_complex() || ids.dtype == ScalarType.Bool)
            throw new ArgumentException($"The {name} must be integer class ids (argmax the scores over the class dimension first), got {ids.dtype}.", name);
    }

    /// <summary>A flat index as (i,j,...) of <paramref name="shape"/>.</summary>
    private static string Position(long flat, long[] shape)
    {
        var index = new long[shape.Length];
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return "(" + string.Join(",", index) + ")";
    }

    private static double MeanOfDefined(double?[] values)
    {
        var defined = values.Where(v => v is not null).Select(v => v!.Value).ToList();
        return defined.Count == 0 ? double.NaN : defined.Average();
    }
}

/// <summary>
/// A confusion matrix over a whole set, accumulated batch by batch on the device of the tensors it is given (the FCN
/// evaluation's <c>fast_hist</c>: a bincount of N·label + prediction over the pixels that count), and optionally the
/// set's boundary F1 (BF), accumulated image by image. <see cref="Scores"/> turns both into
/// <see cref="SegmentationScores"/>. Disposing it frees the matrix.
/// <para>
/// A pixel counts when its label is in 0..N−1 and is not the ignore label; the others (void, and labels ≥ N or &lt; 0)
/// are left out of every score. A counted pixel whose prediction is not in 0..N−1 is an error
/// (<see cref="ArgumentException"/> naming the value and its position), never dropped; an ignored pixel's prediction is
/// not looked at. Each <see cref="Add"/> reads one boolean back from the device for that check; with BF on it also
/// copies the batch to the CPU, where the boundaries are matched.
/// </para>
/// </summary>
public sealed class ConfusionMatrix : IDisposable
{
    private Tensor? matrix;
    private readonly BoundaryCounts? boundary;
    private double boundarySum;

    /// <param name="classes">N, 1 to <see cref="SegmentationMetrics.MaxClasses"/>.</param>
    /// <param name="ignore">The label that marks pixels left out (255 in PASCAL VOC and most CamVid conversions), or null for none.</param>
    /// <param name="boundary">Also accumulate the BF score (it costs a CPU pass per image; a per-epoch validation may skip it).</param>
    /// <param name="boundaryTolerance">θ in pixels for every image instead of 0.75 % of each image's diagonal.</param>
    public ConfusionMatrix(int classes, int? ignore = 255, bool boundary = false, double? boundaryTolerance = null)
    {
        SegmentationMetrics.RequireClasses(classes);
        SegmentationMetrics.RequireTolerance(boundaryTolerance);
        Classes = classes;
        Ignore = ignore;
        BoundaryTolerance = boundaryTolerance;
        this.boundary = boundary ? new BoundaryCounts(classes) : null;
    }

    /// <summary>N.</summary>
    public int Classes { get; }

    /// <summary>The ignored label, or null.</summary>
    public int? Ignore { get; }

    /// <summary>True when BF is accumulated.</summary>
    public bool Boundary => boundary is not null;

    /// <summary>The fixed BF tolerance in pixels, or null for 0.75 % of each image's diagonal.</summary>
    public double? BoundaryTolerance { get; }

    /// <summary>How many images the BF mean holds so far (images with a labelled pixel).</summary>
    public int BoundaryImages { get; private set; }

    /// <summary>
    /// Adds a batch: int class-id tensors of one shape, (H,W) or with any leading dimensions (N,H,W), on one device.
    /// For BF the last two dimensions are each image's height and width. Nothing is added when it throws.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes or devices differ, a tensor is not integer, or a counted pixel's prediction is not a class id.</exception>
    public void Add(Tensor predictions, Tensor labels)
    {
        if (boundary is not null && labels.dim() < 2)
            throw new ArgumentException($"BF needs images: give (H,W) or (N,H,W) maps, got shape {Shapes.Format(labels)}.", nameof(labels));
        using (NewDisposeScope())
        {
            var (p, l, valid) = SegmentationMetrics.Prepared(predictions, labels, Classes, Ignore);
            var n = (long)Classes;
            var cells = l.masked_select(valid).mul_(n).add_(p.masked_select(valid));
            var counts = torch.bincount(cells, minlength: n * n).view(n, n);
            if (matrix is null)
            {
                matrix = torch.zeros([n, n], ScalarType.Int64, device: counts.device);
                matrix.DetachFromDisposeScope();
            }
            if (boundary is not null)
                AddBoundaries(p, l, valid);
            matrix.add_(counts.to(matrix.device));
        }
    }

    /// <summary>The counts so far, row = label class, column = predicted class (zeros before the first batch).</summary>
    public long[,] ToArray()
    {
        var result = new long[Classes, Classes];
        if (matrix is null) return result;
        using var scope = NewDisposeScope();
        var values = matrix.cpu().data<long>().ToArray();
        for (var i = 0; i < Classes; i++)
            for (var j = 0; j < Classes; j++)
                result[i, j] = values[i * Classes + j];
        return result;
    }

    /// <summary>The scores of everything added (NaN before any counted pixel); BoundaryF1 is null when BF is off.</summary>
    public SegmentationScores Scores() => SegmentationMetrics.FromConfusionMatrix(ToArray()) with
    {
        BoundaryF1 = boundary is null ? null : BoundaryImages == 0 ? double.NaN : boundarySum / BoundaryImages,
        BoundaryImages = BoundaryImages,
    };

    /// <summary>Forgets everything added.</summary>
    public void Reset()
    {
        matrix?.zero_();
        boundarySum = 0;
        BoundaryImages = 0;
    }

    public void Dispose()
    {
        matrix?.Dispose();
        matrix = null;
    }

    private void AddBoundaries(Tensor predicted, Tensor truth, Tensor valid)
    {
        var (height, width) = ((int)truth.shape[^2], (int)truth.shape[^1]);
        var (p, t) = (SegmentationMetrics.HostIds(predicted, valid), SegmentationMetrics.HostIds(truth, valid));
        var tolerance = BoundaryTolerance ?? SegmentationMetrics.DefaultBoundaryTolerance(height, width);
        var pixels = height * width;
        // Every image is scored first, so that an exception leaves the sums as they were.
        var scores = new List<double>();
        for (var start = 0; start + pixels <= t.Length && pixels > 0; start += pixels)
        {
            boundary!.Clear();
            boundary.Add(t, p, start, height, width, tolerance);
            if (boundary.Score().Score is { } score) scores.Add(score);
        }
        foreach (var score in scores) boundarySum += score;
        BoundaryImages += scores.Count;
    }
}

/// <summary>Boundary pixels and matches per class for one image, on plain arrays: ids −1 mark pixels that do not count.</summary>
internal sealed class BoundaryCounts(int classes)
{
    private readonly long[] labelled = new long[classes];
    private readonly long[] truth = new long[classes];
    private readonly long[] truthMatched = new long[classes];
    private readonly long[] predicted = new long[classes];
    private readonly long[] predictedMatched = new long[classes];
    private (double Tolerance, (int Dy, int Dx)[] Offsets)? disk;

    public void Clear()
    {
        foreach (var counts in new[] { labelled, truth, truthMatched, predicted, predictedMatched })
            Array.Clear(counts);
    }

    /// <summary>Counts the image of <paramref name="height"/>×<paramref name="width"/> pixels starting at <paramref name="start"/>.</summary>
    public void Add(int[] truthIds, int[] predictedIds, int start, int height, int width, double tolerance)
    {
        var truthBoundary = Boundary(truthIds, start, height, width);
        var predictedBoundary = Boundary(predictedIds, start, height, width);
        for (var i = 0; i < height * width; i++)
            if (truthIds[start + i] >= 0) labelled[truthIds[start + i]]++;
        var offsets = Disk(tolerance);
        Match(truthBoundary, predictedBoundary, height, width, offsets, truth, truthMatched);
        Match(predictedBoundary, truthBoundary, height, width, offsets, predicted, predictedMatched);
    }

    public BoundaryF1Score Score()
    {
        var n = labelled.Length;
        var (f, precision, recall) = (new double?[n], new double?[n], new double?[n]);
        for (var c = 0; c < n; c++)
        {
            // A class on either side always has a boundary pixel (its topmost pixel has nothing of the class above it).
            if (truth[c] == 0 && predicted[c] == 0) continue;
            recall[c] = truth[c] == 0 ? null : (double)truthMatched[c] / truth[c];
            precision[c] = predicted[c] == 0 ? null : (double)predictedMatched[c] / predicted[c];
            f[c] = precision[c] is { } p && recall[c] is { } r && p + r > 0 ? 2 * p * r / (p + r) : 0;
        }
        var scored = f.Where(v => v is not null).Select(v => v!.Value).ToList();
        // An image without a labelled pixel has nothing to score (its predictions are all ignored).
        bool anyLabelled = labelled.Any(count => count > 0);
        return new BoundaryF1Score(anyLabelled && scored.Count > 0 ? scored.Average() : null, f, precision, recall);
    }

    /// <summary>Each pixel's class where it lies on that class's boundary (a 4-neighbour of another id or outside the image), else −1.</summary>
    private static int[] Boundary(int[] ids, int start, int height, int width)
    {
        var result = new int[height * width];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var i = y * width + x;
                var c = ids[start + i];
                var edge = c >= 0 && (y == 0 || y == height - 1 || x == 0 || x == width - 1
                    || ids[start + i - 1] != c || ids[start + i + 1] != c || ids[start + i - width] != c || ids[start + i + width] != c);
                result[i] = edge ? c : -1;
            }
        return result;
    }

    /// <summary>For every boundary pixel of <paramref name="from"/>: counts it, and counts it as matched when <paramref name="to"/> has a boundary pixel of its class within the disk.</summary>
    private static void Match(int[] from, int[] to, int height, int width, (int Dy, int Dx)[] offsets, long[] count, long[] matched)
    {
        for (var i = 0; i < from.Length; i++)
        {
            var c = from[i];
            if (c < 0) continue;
            count[c]++;
            var (y, x) = (i / width, i % width);
            foreach (var (dy, dx) in offsets)
            {
                var (yy, xx) = (y + dy, x + dx);
                if (yy >= 0 && yy < height && xx >= 0 && xx < width && to[yy * width + xx] == c)
                {
                    matched[c]++;
                    break;
                }
            }
        }
    }

    /// <summary>The integer offsets (dy,dx) with dy² + dx² &lt; θ², nearest first.</summary>
    private (int Dy, int Dx)[] Disk(double tolerance)
    {
        if (disk is { } cached && cached.Tolerance == tolerance) return cached.Offsets;
        var radius = (int)Math.Ceiling(tolerance);
        var offsets = new List<(int Dy, int Dx)>();
        for (var dy = -radius; dy <= radius; dy++)
            for (var dx = -radius; dx <= radius; dx++)
                if (dy * dy + dx * dx < tolerance * tolerance)
                    offsets.Add((dy, dx));
        var sorted = offsets.OrderBy(o => o.Dy * o.Dy + o.Dx * o.Dx).ToArray();
        disk = (tolerance, sorted);
        return sorted;
    }
}
