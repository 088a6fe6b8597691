using NotebookHelpers.Core;
using NotebookHelpers.Imaging;
using NotebookHelpers.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.SalGan;

/// <summary>
/// The saliency metrics of the MIT/Tuebingen saliency benchmark (Bylinskii et al., "What do different evaluation
/// metrics tell us about saliency models?", TPAMI 2019, and the benchmark's MATLAB code), which SalGAN (Pan et al.,
/// 2017) reports: AUC-Judd, AUC-Borji, shuffled AUC, NSS, CC, KLD, SIM and information gain.
/// <para>
/// Symbols: S is the predicted saliency map, F the fixation map (any nonzero pixel is fixated), D the ground-truth
/// density map, B a baseline map. Every map may be (H,W), a batch (N,H,W) or (N,1,H,W); each metric returns one
/// float64 value per image as a 1-D tensor of N on the input's device (<see cref="Mean"/> averages it). Everything is
/// computed in float64. A prediction (or baseline) of another size than F, or for CC/KLD/SIM than D, is first resized
/// to that size (bilinear, <c>align_corners=false</c>, no antialiasing).
/// </para>
/// <para>
/// Undefined values are NaN, as in the reference: a constant S has no ranking (the AUCs, whose reference first
/// min-max normalises S, divide 0 by 0) and no spread (NSS, CC); a constant nonzero map has no range for SIM; a
/// fixation map that fixates every pixel leaves AUC-Judd no negatives. A fixation map without any fixation is an
/// error instead (<see cref="ArgumentException"/> naming the image), since no metric of it means anything.
/// </para>
/// </summary>
public static class SaliencyMetrics
{
    /// <summary>MATLAB's <c>eps</c> (2^-52 ≈ 2.2204e-16), the regulariser of KLD and IG.</summary>
    public const double Eps = 2.220446049250313e-16;

    /// <summary>Random splits of AUC-Borji and sAUC (the benchmark's <c>Nsplits</c>).</summary>
    public const int DefaultSplits = 100;

    /// <summary>Threshold step of AUC-Borji and sAUC (the benchmark's <c>stepSize</c>).</summary>
    public const double DefaultStepSize = 0.1;

    /// <summary>
    /// AUC-Judd, without the reference's optional random jitter. S is min-max normalised to [0,1]; the thresholds t_i
    /// are the values of S at the N_fix fixated pixels in descending order; at t_i,
    /// TP_i = i / N_fix and FP_i = (#{pixels with S ≥ t_i} − i) / (N_pixels − N_fix);
    /// with (0,0) and (1,1) added, the area under (FP, TP) by the trapezoid rule. Ties follow the formula literally.
    /// </summary>
    public static Tensor AucJudd(Tensor saliency, Tensor fixations)
    {
        using var scope = NewDisposeScope();
        var (s, fixated) = OnFixationGrid(saliency, fixations);
        return PerImage(s, i => AucJuddOfImage(s[i].flatten(), fixated[i].flatten())).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// AUC-Borji. S is min-max normalised to [0,1]. Each of <paramref name="splits"/> splits draws N_fix negatives
    /// uniformly with replacement from all pixels of the image; its thresholds are MATLAB's
    /// <c>0:stepSize:max([S at fixations; S at the split's negatives])</c>, taken from high to low; at each,
    /// TP = fraction of fixations with S ≥ t and FP = fraction of negatives with S ≥ t; the curve
    /// [0, TP…, 1] against [0, FP…, 1] is integrated by the trapezoid rule, and the metric is the mean over splits.
    /// Each image draws from its own CPU generator seeded with <paramref name="seed"/>, so a value does not depend
    /// on the device, on the image's place in the batch or on the batch size.
    /// </summary>
    public static Tensor AucBorji(Tensor saliency, Tensor fixations,
        int splits = DefaultSplits, double stepSize = DefaultStepSize, long seed = 0)
    {
        RequireSplitArguments(splits, stepSize);
        using var scope = NewDisposeScope();
        var (s, fixated) = OnFixationGrid(saliency, fixations);
        return PerImage(s, i =>
        {
            var map = s[i].flatten();
            return RandomSplitAuc(map, fixated[i].flatten(), stepSize, seed, (fixationCount, generator) =>
                torch.randint(0, map.numel(), [splits, fixationCount], generator: generator).to(map.device));
        }).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Shuffled AUC, as the benchmark's <c>AUC_shuffled.m</c>. It is AUC-Borji with other negatives: each split draws
    /// min(N_fix, N_other) of the N_other fixated locations of the image's "other map" without replacement, and FP is
    /// the fraction of those with S ≥ t. The thresholds are, like AUC-Borji's, <c>0:stepSize:max</c> over the values
    /// at the fixations and at the split's negatives, from high to low (not the values themselves).
    /// <para>
    /// The other map of image i is <paramref name="otherFixations"/>[i] when given (binary, the size of F);
    /// when null, it is the union of the fixation maps of all the other images of the batch
    /// (<see cref="FixationSet.OtherFixationMap"/>). An image with no other fixations to draw (a batch of one, say)
    /// gets NaN. The benchmark builds the other map from 10 random other images; this uses all of them.
    /// Random draws are seeded per image as in <see cref="AucBorji"/>; the draw without replacement is a partial
    /// Fisher-Yates shuffle of the other locations (in row-major order) driven by the seeded generator.
    /// </para>
    /// </summary>
    public static Tensor ShuffledAuc(Tensor saliency, Tensor fixations, Tensor? otherFixations = null,
        int splits = DefaultSplits, double stepSize = DefaultStepSize, long seed = 0)
    {
        RequireSplitArguments(splits, stepSize);
        using var scope = NewDisposeScope();
        var (s, fixated) = OnFixationGrid(saliency, fixations);
        var others = otherFixations is null ? null : AsBatch(otherFixations, nameof(otherFixations)).ne(0);
        if (others is not null && !others.shape.SequenceEqual(fixated.shape))
            throw new ArgumentException(
                $"The other maps have shape {Shapes.Format(others)} but the fixation maps {Shapes.Format(fixated)}; " +
                "give one other map per image at its fixation map's size (FixationSet rescales locations).",
                nameof(otherFixations));
        var set = others is null ? new FixationSet(Enumerable.Range(0, (int)fixated.shape[0]).Select(i => fixated[i])) : null;
        return PerImage(s, i =>
        {
            var map = s[i].flatten();
            var otherLocations = (others?[i] ?? set!.OtherFixationMap(i, map.device)).flatten().nonzero().squeeze(1);
            return RandomSplitAuc(map, fixated[i].flatten(), stepSize, seed, (fixationCount, generator) =>
            {
                var count = Math.Min(fixationCount, otherLocations.numel());
                if (count == 0)
                    return null;
                var picks = DrawWithoutReplacement(otherLocations.numel(), (int)count, splits, generator);
                return otherLocations.take(torch.tensor(picks, [splits, count]).to(map.device));
            });
        }).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Normalized scanpath saliency: with S standardised by its population statistics, Z = (S − mean(S)) / std(S)
    /// (std divides by the pixel count), NSS = mean of Z over the fixated pixels. The benchmark's <c>NSS.m</c> calls
    /// MATLAB's <c>std</c>, which divides by N − 1; that differs by the factor √((N − 1)/N), 1 − 1.6·10⁻⁶ at 640×480.
    /// </summary>
    public static Tensor Nss(Tensor saliency, Tensor fixations)
    {
        using var scope = NewDisposeScope();
        var (s, fixated) = OnFixationGrid(saliency, fixations);
        return MeanAtFixations(Standardized(s), fixated).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Pearson's linear correlation coefficient between S and D: CC = mean(Z_S · Z_D) with each map standardised by
    /// its population statistics (= cov(S, D) / (std(S) · std(D))).
    /// </summary>
    public static Tensor Cc(Tensor saliency, Tensor density)
    {
        using var scope = NewDisposeScope();
        var (s, d) = OnDensityGrid(saliency, density);
        return (Standardized(s) * Standardized(d)).mean([1, 2]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Kullback-Leibler divergence of the prediction from the ground truth:
    /// KLD = Σ_x Q(x) · log(eps + Q(x) / (P(x) + eps)), with P = S / ΣS and Q = D / ΣD.
    /// As in the reference, an all-zero map stays all zero instead of being divided by its zero sum.
    /// </summary>
    public static Tensor Kld(Tensor saliency, Tensor density)
    {
        using var scope = NewDisposeScope();
        var (s, d) = OnDensityGrid(saliency, density);
        var (p, q) = (SumToOneUnlessZero(s), SumToOneUnlessZero(d));
        return (q * (q / (p + Eps) + Eps).log()).sum([1, 2]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Similarity (histogram intersection): SIM = Σ_x min(P(x), Q(x)), where each map is first min-max normalised to
    /// [0,1] and then divided by its sum. As in the reference, an all-zero map stays all zero (so SIM = 0); a constant
    /// nonzero map has no range and gives NaN.
    /// </summary>
    public static Tensor Sim(Tensor saliency, Tensor density)
    {
        using var scope = NewDisposeScope();
        var (s, d) = OnDensityGrid(saliency, density);
        var (p, q) = (RangeThenSumToOneUnlessZero(s), RangeThenSumToOneUnlessZero(d));
        return torch.minimum(p, q).sum([1, 2]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Information gain over a baseline, as the benchmark's <c>InfoGain.m</c> computes it:
    /// IG = (1/N_fix) Σ_{fixated x} [log2(eps + P(x)) − log2(eps + B(x))], where P and B are the prediction and the
    /// baseline each min-max normalised to [0,1] and then divided by their sums (distributions over pixels).
    /// The baseline is one map (H,W) for every image or one per image (N,H,W); <see cref="CenterBias"/> makes one.
    /// </summary>
    public static Tensor InformationGain(Tensor saliency, Tensor fixations, Tensor baseline)
    {
        using var scope = NewDisposeScope();
        var (s, fixated) = OnFixationGrid(saliency, fixations);
        var b = ResizedTo(AsBatch(baseline, nameof(baseline)).to(ScalarType.Float64), fixated.shape[1], fixated.shape[2]);
        if (b.shape[0] != 1 && b.shape[0] != s.shape[0])
            throw new ArgumentException(
                $"Give one baseline map for all images or one per image: {b.shape[0]} baselines for {s.shape[0]} images.",
                nameof(baseline));
        var p = RangeThenSumToOneUnlessZero(s);
        var pb = RangeThenSumToOneUnlessZero(b);
        var gain = (p + Eps).log2() - (pb + Eps).log2();
        return MeanAtFixations(gain, fixated).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A centre-bias baseline: the Gaussian exp(−(y − c_y)² / (2σ_y²) − (x − c_x)² / (2σ_x²)) centred on the middle of
    /// the image (c = (side − 1) / 2, in pixel centres), with σ_y = <paramref name="sigmaFraction"/> · height and
    /// σ_x = <paramref name="sigmaFraction"/> · width; peak 1, float64 (H,W). The default 0.25 is this library's
    /// choice (neither SalGAN nor the benchmark fixes one); <see cref="InformationGain"/> normalises the map itself.
    /// </summary>
    public static Tensor CenterBias(int height, int width, double sigmaFraction = 0.25, Device? device = null)
    {
        if (height <= 0 || width <= 0 || !(sigmaFraction > 0))
            throw new ArgumentException(
                $"CenterBias needs a positive size and sigma fraction, got {height}x{width} and {sigmaFraction}.");
        using var scope = NewDisposeScope();
        var rows = GaussianProfile(height, sigmaFraction * height, device);
        var columns = GaussianProfile(width, sigmaFraction * width, device);
        return rows.unsqueeze(1).mul(columns.unsqueeze(0)).MoveToOuterDisposeScope();
    }

    /// <summary>The mean of per-image values as a number; a NaN image makes it NaN rather than being left out.</summary>
    public static double Mean(Tensor perImage)
    {
        using var scope = NewDisposeScope();
        return perImage.to(ScalarType.Float64).mean().item<double>();
    }

    private static double AucJuddOfImage(Tensor map, Tensor fixated)
    {
        var s = RangeNormalized(map);
        if (s is null)
            return double.NaN;
        var thresholds = s.masked_select(fixated).sort(descending: true).Values;
        var (fixationCount, pixelCount) = (thresholds.numel(), s.numel());
        var aboveThreshold = CountAtLeast(s.sort().Values, thresholds);
        var i = torch.arange(1, fixationCount + 1, dtype: ScalarType.Float64, device: s.device);
        var truePositives = i / fixationCount;
        var falsePositives = (aboveThreshold - i) / (pixelCount - fixationCount);
        return Trapezoid(Framed(falsePositives), Framed(truePositives)).item<double>();
    }

    /// <summary>
    /// The mean area over the random splits of AUC-Borji and sAUC. <paramref name="drawNegatives"/> gets N_fix and
    /// the seeded generator and returns the (splits, M) pixel indices of the negatives, or null when there are none.
    /// </summary>
    private static double RandomSplitAuc(Tensor map, Tensor fixated, double stepSize, long seed,
        Func<long, Generator, Tensor?> drawNegatives)
    {
        var s = RangeNormalized(map);
        if (s is null)
            return double.NaN;
        var atFixations = s.masked_select(fixated);
        using var generator = new Generator(unchecked((ulong)seed), torch.CPU);
        var negatives = drawNegatives(atFixations.numel(), generator);
        if (negatives is null)
            return double.NaN;
        var areas = SplitAreas(atFixations, s.take(negatives), stepSize);
        return areas.mean().item<double>();
    }

    /// <summary>One ROC area per split: TP over the fixations, FP over that split's row of negatives.</summary>
    private static Tensor SplitAreas(Tensor atFixations, Tensor negatives, double stepSize)
    {
        var maxima = torch.maximum(negatives.amax([1]), atFixations.max()).cpu().data<double>().ToArray();
        var thresholds = DescendingThresholds(maxima, stepSize).to(atFixations.device);
        var truePositives = CountAtLeast(atFixations.sort().Values, thresholds) / atFixations.numel();
        var falsePositives = CountAtLeast(negatives.sort(-1).Values, thresholds) / negatives.shape[1];
        return Trapezoid(Framed(falsePositives), Framed(truePositives));
    }

    /// <summary>
    /// (splits, K) thresholds, row s being MATLAB's <c>fliplr(0:step:max_s)</c>. Shorter rows are padded in front
    /// with +∞, whose point (0,0) repeats the curve's first point and so adds no area.
    /// </summary>
    private static Tensor DescendingThresholds(double[] maxima, double stepSize)
    {
        var rows = maxima.Select(max => MatlabColon(0, stepSize, max)).ToArray();
        var width = rows.Max(row => row.Length);
        var values = new double[rows.Length * width];
        for (var s = 0; s < rows.Length; s++)
        {
            var padding = width - rows[s].Length;
            for (var k = 0; k < width; k++)
                values[s * width + k] = k < padding ? double.PositiveInfinity : rows[s][width - 1 - k];
        }
        return torch.tensor(values, [rows.Length, width]);
    }

    /// <summary>
    /// MATLAB's <c>start:step:stop</c> for step &gt; 0, built as MATLAB builds it (Moler, "The colon operator"):
    /// the step count and the last element snap to <paramref name="stop"/> within 2·eps, and the elements are computed
    /// from both ends towards the middle, so <c>0:0.1:1</c> holds exactly 0.6 where 6 · 0.1 would not.
    /// </summary>
    private static double[] MatlabColon(double start, double step, double stop)
    {
        if (double.IsNaN(stop) || stop < start)
            return [];
        var tolerance = 2.0 * Eps * Math.Max(Math.Abs(start), Math.Abs(stop));
        long n;
        if (start == Math.Floor(start) && step == 1)
        {
            n = (long)(Math.Floor(stop) - start);
        }
        else if (start == Math.Floor(start) && step == Math.Floor(step))
        {
            n = (long)Math.Floor((stop - start) / step);
        }
        else
        {
            n = (long)Math.Round((stop - start) / step, MidpointRounding.AwayFromZero);
            if (start + n * step - stop > tolerance)
                n--;
        }
        var last = start + n * step;
        if (last - stop > -tolerance)
            last = stop;
        var values = new double[n + 1];
        for (long k = 0; k <= n / 2; k++)
        {
            values[k] = start + k * step;
            values[n - k] = last - k * step;
        }
        if (n % 2 == 0)
            values[n / 2] = (start + last) / 2;
        return values;
    }

    /// <summary>
    /// The first <paramref name="count"/> entries of a uniformly random permutation of 0..population−1, once per split
    /// (a partial Fisher-Yates shuffle that only remembers the swapped entries, so it costs O(count), not O(population)).
    /// </summary>
    private static long[] DrawWithoutReplacement(long population, int count, int splits, Generator generator)
    {
        using var uniforms = torch.rand([splits, count], dtype: ScalarType.Float64, generator: generator);
        var u = uniforms.data<double>().ToArray();
        var picks = new long[splits * count];
        var swapped = new Dictionary<long, long>();
        for (var s = 0; s < splits; s++)
        {
            swapped.Clear();
            for (var j = 0; j < count; j++)
            {
                var k = j + Math.Min((long)(u[s * count + j] * (population - j)), population - j - 1);
                picks[s * count + j] = swapped.GetValueOrDefault(k, k);
                swapped[k] = swapped.GetValueOrDefault(j, j);
            }
        }
        return picks;
    }

    /// <summary>For each threshold, how many of the sorted values are ≥ it (row by row when both are 2-D).</summary>
    private static Tensor CountAtLeast(Tensor sortedAscending, Tensor thresholds) =>
        (sortedAscending.shape[^1] - torch.searchsorted(sortedAscending, thresholds)).to(ScalarType.Float64);

    /// <summary>The ROC points with (0,0) in front and (1,1) behind, along the last dimension.</summary>
    private static Tensor Framed(Tensor points)
    {
        var edge = points.shape[..^1].Append(1L).ToArray();
        var zeros = torch.zeros(edge, points.dtype, points.device);
        var ones = torch.ones(edge, points.dtype, points.device);
        return torch.cat([zeros, points, ones], -1);
    }

    /// <summary>MATLAB's <c>trapz(x, y)</c> along the last dimension.</summary>
    private static Tensor Trapezoid(Tensor x, Tensor y)
    {
        var steps = x.shape[^1] - 1;
        var widths = x.narrow(-1, 1, steps) - x.narrow(-1, 0, steps);
        var heights = y.narrow(-1, 1, steps) + y.narrow(-1, 0, steps);
        return (widths * heights).sum(-1) / 2;
    }

    private static Tensor? RangeNormalized(Tensor map)
    {
        var (min, max) = (map.min().item<double>(), map.max().item<double>());
        return max > min ? (map - min) / (max - min) : null;
    }

    private static Tensor Standardized(Tensor maps)
    {
        var centred = maps - maps.mean([1, 2], keepdim: true);
        return centred / centred.square().mean([1, 2], keepdim: true).sqrt();
    }

    private static Tensor MeanAtFixations(Tensor values, Tensor fixated) =>
        torch.where(fixated, values, 0.0).sum([1, 2]) / fixated.sum([1, 2]);

    private static Tensor SumToOneUnlessZero(Tensor maps) =>
        torch.where(AnyNonzero(maps), maps / maps.sum([1, 2], keepdim: true), maps);

    private static Tensor RangeThenSumToOneUnlessZero(Tensor maps)
    {
        var min = maps.amin([1, 2], keepdim: true);
        var ranged = (maps - min) / (maps.amax([1, 2], keepdim: true) - min);
        return torch.where(AnyNonzero(maps), ranged / ranged.sum([1, 2], keepdim: true), maps);
    }

    private static Tensor AnyNonzero(Tensor maps) => maps.ne(0).flatten(1).any(1).view(-1, 1, 1);

    private static Tensor GaussianProfile(int length, double sigma, Device? device)
    {
        var offsets = torch.arange(length, dtype: ScalarType.Float64, device: device) - (length - 1) / 2.0;
        return (-offsets.square() / (2 * sigma * sigma)).exp();
    }

    private static Tensor PerImage(Tensor batch, Func<int, double> score)
    {
        var values = new double[batch.shape[0]];
        for (var i = 0; i < values.Length; i++)
        {
            using var scope = NewDisposeScope();
            values[i] = score(i);
        }
        return torch.tensor(values, device: batch.device);
    }

    /// <summary>S as float64 (N,H,W) at F's size, and F as bool (N,H,W); every image must have a fixation.</summary>
    private static (Tensor Saliency, Tensor Fixated) OnFixationGrid(Tensor saliency, Tensor fixations)
    {
        var fixated = AsBatch(fixations, nameof(fixations)).ne(0);
        var s = ResizedTo(AsBatch(saliency, nameof(saliency)).to(ScalarType.Float64), fixated.shape[1], fixated.shape[2]);
        RequireSameCount(s, fixated, "fixation maps");
        var counts = fixated.sum([1, 2]).cpu().data<long>().ToArray();
        var empty = Array.IndexOf(counts, 0L);
        if (empty >= 0)
            throw new ArgumentException(
                $"Fixation map {empty} of the batch has no fixations (no nonzero pixel), so its fixation metrics are undefined.",
                nameof(fixations));
        return (s, fixated);
    }

    /// <summary>S and D as float64 (N,H,W), S resized to D's size.</summary>
    private static (Tensor Saliency, Tensor Density) OnDensityGrid(Tensor saliency, Tensor density)
    {
        var d = AsBatch(density, nameof(density)).to(ScalarType.Float64);
        var s = ResizedTo(AsBatch(saliency, nameof(saliency)).to(ScalarType.Float64), d.shape[1], d.shape[2]);
        RequireSameCount(s, d, "density maps");
        return (s, d);
    }

    private static void RequireSameCount(Tensor saliency, Tensor reference, string what)
    {
        if (saliency.shape[0] != reference.shape[0])
            throw new ArgumentException(
                $"{saliency.shape[0]} saliency maps but {reference.shape[0]} {what}: give one of each per image.");
    }

    private static void RequireSplitArguments(int splits, double stepSize)
    {
        if (splits <= 0 || !(stepSize > 0))
            throw new ArgumentException($"Random-split AUCs need splits > 0 and a step > 0, got {splits} and {stepSize}.");
    }

    private static Tensor AsBatch(Tensor map, string name) => map.dim() switch
    {
        2 => map.unsqueeze(0),
        3 => map,
        4 when map.shape[1] == 1 => map.squeeze(1),
        _ => throw new ArgumentException(
            $"Expected a map (H,W) or a batch (N,H,W) or (N,1,H,W), got shape {Shapes.Format(map)}.", name),
    };

    private static Tensor ResizedTo(Tensor maps, long height, long width) =>
        maps.shape[1] == height && maps.shape[2] == width
            ? maps
            : ImageTransforms.Resize(maps.unsqueeze(1), (int)height, (int)width, antialias: false).squeeze(1);

}

/// <summary>
/// The fixated pixels of a set of images, kept as pixel indices, for the "other map" of the shuffled AUC: at image i,
/// the union of the fixations of every other image of the set. A location of an image of another size is carried
/// over by its relative position: pixel (y, x) of an H'×W' image lands on pixel (⌊(y + ½)·H/H'⌋, ⌊(x + ½)·W/W'⌋) of
/// an H×W image, the pixel that holds its centre; between images of the same size that is the same pixel.
/// </summary>
public sealed class FixationSet
{
    private readonly List<FixatedPixels> images = [];
    private readonly Dictionary<(int Height, int Width), int[]> countsBySize = [];

    public FixationSet()
    {
    }

    public FixationSet(IEnumerable<Tensor> fixationMaps)
    {
        foreach (var map in fixationMaps)
            Add(map);
    }

    /// <summary>How many fixation maps the set holds.</summary>
    public int Count => images.Count;

    /// <summary>Adds a fixation map (H,W) or (1,H,W), any nonzero pixel fixated, and returns its index in the set.</summary>
    public int Add(Tensor fixationMap)
    {
        if (!(fixationMap.dim() == 2 || (fixationMap.dim() == 3 && fixationMap.shape[0] == 1)))
            throw new ArgumentException(
                $"A fixation map is (H,W) or (1,H,W), got shape {Shapes.Format(fixationMap)}.", nameof(fixationMap));
        using var scope = NewDisposeScope();
        var pixels = fixationMap.flatten().ne(0).nonzero().squeeze(1).cpu().data<long>().Select(p => (int)p).ToArray();
        images.Add(new FixatedPixels((int)fixationMap.shape[^2], (int)fixationMap.shape[^1], pixels));
        countsBySize.Clear();
        return images.Count - 1;
    }

    /// <summary>The height and width of image <paramref name="index"/>'s fixation map.</summary>
    public (long Height, long Width) Size(int index) => (images[index].Height, images[index].Width);

    /// <summary>How many pixels of image <paramref name="index"/> are fixated.</summary>
    public int FixationCount(int index) => images[index].Pixels.Length;

    /// <summary>Image <paramref name="index"/>'s own fixation map, bool (H,W).</summary>
    public Tensor FixationMap(int index, Device? device = null)
    {
        var image = images[index];
        var fixated = new bool[image.Height * image.Width];
        foreach (var p in image.Pixels)
            fixated[p] = true;
        return torch.tensor(fixated, [image.Height, image.Width], device: device);
    }

    /// <summary>
    /// Bool (H,W) at image <paramref name="index"/>'s size: true where at least one other image of the set has a
    /// fixation (the benchmark's <c>otherMap</c>, built from every other image rather than a random ten).
    /// </summary>
    public Tensor OtherFixationMap(int index, Device? device = null)
    {
        var image = images[index];
        var counts = CountsAt(image.Height, image.Width);
        var own = new bool[counts.Length];
        foreach (var p in image.Pixels)
            own[p] = true;
        var other = new bool[counts.Length];
        for (var p = 0; p < counts.Length; p++)
            other[p] = counts[p] > (own[p] ? 1 : 0);
        return torch.tensor(other, [image.Height, image.Width], device: device);
    }

    /// <summary>At each pixel of an H×W image, how many images of the set fixate it (an image counts once per pixel).</summary>
    private int[] CountsAt(int height, int width)
    {
        if (countsBySize.TryGetValue((height, width), out var cached))
            return cached;
        var counts = new int[height * width];
        var lastCountedImage = new int[counts.Length];
        Array.Fill(lastCountedImage, -1);
        for (var j = 0; j < images.Count; j++)
        {
            foreach (var p in images[j].Pixels)
            {
                var q = images[j].CarriedTo(p, height, width);
                if (lastCountedImage[q] != j)
                {
                    lastCountedImage[q] = j;
                    counts[q]++;
                }
            }
        }
        countsBySize[(height, width)] = counts;
        return counts;
    }

    private sealed record FixatedPixels(int Height, int Width, int[] Pixels)
    {
        public int CarriedTo(int pixel, int height, int width)
        {
            if (height == Height && width == Width)
                return pixel;
            var (y, x) = Math.DivRem(pixel, Width);
            var row = Math.Min((int)((y + 0.5) * height / Height), height - 1);
            var column = Math.Min((int)((x + 0.5) * width / Width), width - 1);
            return row * width + column;
        }
    }
}
