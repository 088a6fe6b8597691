using NotebookHelpers.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Metrics;

/// <summary>
/// The image quality scores of one image, or the means over a batch (<see cref="ImageQuality"/> defines each). The
/// hole scores are NaN when no hole was given, when the hole holds no pixel, and (hole SSIM only) when no whole
/// window is centred in it.
/// </summary>
/// <param name="Psnr">Peak signal-to-noise ratio in dB, at most <see cref="ImageQuality.PsnrCap"/>.</param>
/// <param name="Ssim">Mean structural similarity (Wang et al. 2004), in [−1, 1].</param>
/// <param name="L1">Mean absolute difference on the 0..255 scale.</param>
/// <param name="HolePsnr">PSNR over the hole's pixels only.</param>
/// <param name="HoleSsim">The mean of the SSIM map over the window centres in the hole.</param>
/// <param name="HoleL1">L1 over the hole's pixels only.</param>
public sealed record ImageQualityScores(
    double Psnr, double Ssim, double L1,
    double HolePsnr = double.NaN, double HoleSsim = double.NaN, double HoleL1 = double.NaN)
{
    /// <summary>The scores under their metric names, in the order of <see cref="ImageQualityMetricSpecs.All"/>.</summary>
    public IReadOnlyList<(string Name, double Value)> Named() =>
    [
        (ImageQualityMetricSpecs.Psnr.Name, Psnr),
        (ImageQualityMetricSpecs.Ssim.Name, Ssim),
        (ImageQualityMetricSpecs.L1.Name, L1),
        (ImageQualityMetricSpecs.HolePsnr.Name, HolePsnr),
        (ImageQualityMetricSpecs.HoleSsim.Name, HoleSsim),
        (ImageQualityMetricSpecs.HoleL1.Name, HoleL1),
    ];
}

/// <summary>
/// PSNR, SSIM and L1 between a reference image and a test image (an inpainting's completion, say), over the whole
/// image or over a region of it (the hole), as scikit-image computes them.
/// <para>
/// <b>Inputs.</b> RGB float tensors in [0,1], (3,H,W) or a batch (N,3,H,W), of one shape. Each is first quantised as
/// <see cref="Imaging.ImageIO.SaveRgb"/> stores it in a PNG (NaN → 0, clamped to [0,1], round(x·255) in the input's
/// precision, halves to even), so a score in memory equals the score of the saved files; the metrics then run in
/// float64 on the 0..255 scale, data range 255.
/// </para>
/// <para>
/// <b>PSNR</b> = 10·log10(255² / MSE), the MSE over every pixel and channel, capped at <see cref="PsnrCap"/> dB so that
/// identical images score 100 rather than infinity. <b>L1</b> is the mean absolute difference over every pixel and
/// channel. <b>SSIM</b> is Wang, Bovik, Sheikh and Simoncelli's (IEEE TIP 2004) with their Gaussian window: 11×11
/// taps, σ = 1.5, normalised; K1 = 0.01, K2 = 0.03, C1 = (K1·255)², C2 = (K2·255)²; local means μ, population
/// (biased) variances σ² = E[x²] − μ² and covariance, all weighted by the window;
/// SSIM = (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)) at every position where the window lies wholly
/// inside the image (a "valid" map of (H−10)×(W−10)), averaged over the three channels and then over the map. This is
/// scikit-image's <c>structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
/// data_range=255, channel_axis=-1)</c>: it filters with reflected borders and then crops 5 pixels from each side,
/// which leaves exactly the valid positions. The filtering is two 1-D convolutions on the tensors' device.
/// </para>
/// <para>
/// <b>On a region</b> (the hole; true or 1 = in it): PSNR and L1 take the MSE and the mean absolute difference over the
/// region's pixels, all channels; SSIM is the mean of the channel-averaged map over the valid window centres inside the
/// region (the windows still see the pixels around it, as the map does). A region without a pixel gives NaN for all
/// three, and hole SSIM is NaN too when no valid centre lies in the region (a region within 5 pixels of the border).
/// </para>
/// <para>
/// <b>Batches.</b> A batch's value is the mean of its per-image values (not the PSNR of the pooled MSE). An image whose
/// hole value is NaN has nothing to score there and is left out of that mean, as the segmentation BF leaves out an
/// image without labels; the mean is NaN when no image has a value.
/// </para>
/// </summary>
public static class ImageQuality
{
    /// <summary>The PSNR of identical images, and the most any pair scores, in dB.</summary>
    public const double PsnrCap = 100;

    /// <summary>The range of the quantised values: 8-bit, 0..255.</summary>
    public const double DataRange = 255;

    /// <summary>The side of the SSIM window, in pixels; smaller images have no SSIM.</summary>
    public const int WindowSize = 11;

    /// <summary>The standard deviation of the SSIM window's Gaussian, in pixels.</summary>
    public const double WindowSigma = 1.5;

    /// <summary>SSIM's constants: C1 = (K1·255)², C2 = (K2·255)².</summary>
    public const double K1 = 0.01, K2 = 0.03;

    const int Radius = WindowSize / 2;

    /// <summary>
    /// All six scores as means over the batch (see <see cref="ImageQuality"/>); the hole ones stay NaN without
    /// <paramref name="hole"/>. <paramref name="hole"/> is (H,W), (1,H,W) or (N,1,H,W), bool or 0/1 float.
    /// </summary>
    /// <exception cref="ArgumentException">The images differ in shape, are not RGB floats, are smaller than 11×11, or the hole does not fit them.</exception>
    public static ImageQualityScores Score(Tensor reference, Tensor test, Tensor? hole = null)
    {
        var each = ScoreEach(reference, test, hole);
        return new ImageQualityScores(
            MeanOfDefined(each.Select(s => s.Psnr)), MeanOfDefined(each.Select(s => s.Ssim)), MeanOfDefined(each.Select(s => s.L1)),
            MeanOfDefined(each.Select(s => s.HolePsnr)), MeanOfDefined(each.Select(s => s.HoleSsim)), MeanOfDefined(each.Select(s => s.HoleL1)));
    }

    /// <summary>The six scores of each image of the batch, in order (one for a (3,H,W) image).</summary>
    /// <exception cref="ArgumentException">As <see cref="Score"/>.</exception>
    public static IReadOnlyList<ImageQualityScores> ScoreEach(Tensor reference, Tensor test, Tensor? hole = null)
    {
        using var scope = NewDisposeScope();
        var (a, b) = Quantised(reference, test);
        var map = ValidSsimMap(a, b);
        var region = hole is null ? null : Region(hole, a);
        var psnr = PerImagePsnr(a, b, null);
        var ssim = PerImageMapMean(map, null);
        var l1 = PerImageL1(a, b, null);
        var (holePsnr, holeSsim, holeL1) = region is null
            ? (null, null, null)
            : (PerImagePsnr(a, b, region), PerImageMapMean(map, region), PerImageL1(a, b, region));
        return [.. Enumerable.Range(0, psnr.Length).Select(i => new ImageQualityScores(
            psnr[i], ssim[i], l1[i], holePsnr?[i] ?? double.NaN, holeSsim?[i] ?? double.NaN, holeL1?[i] ?? double.NaN))];
    }

    /// <summary>The PSNR in dB (mean over a batch), over the whole image or over <paramref name="region"/>'s pixels.</summary>
    /// <exception cref="ArgumentException">The images differ in shape or are not RGB floats, or the region does not fit them.</exception>
    public static double Psnr(Tensor reference, Tensor test, Tensor? region = null)
    {
        using var scope = NewDisposeScope();
        var (a, b) = Quantised(reference, test);
        return MeanOfDefined(PerImagePsnr(a, b, region is null ? null : Region(region, a)));
    }

    /// <summary>The mean absolute difference on the 0..255 scale (mean over a batch), whole or over <paramref name="region"/>.</summary>
    /// <exception cref="ArgumentException">As <see cref="Psnr"/>.</exception>
    public static double L1(Tensor reference, Tensor test, Tensor? region = null)
    {
        using var scope = NewDisposeScope();
        var (a, b) = Quantised(reference, test);
        return MeanOfDefined(PerImageL1(a, b, region is null ? null : Region(region, a)));
    }

    /// <summary>The SSIM (mean over a batch), over every valid window or over those centred in <paramref name="region"/>.</summary>
    /// <exception cref="ArgumentException">As <see cref="Psnr"/>, or an image smaller than 11×11.</exception>
    public static double Ssim(Tensor reference, Tensor test, Tensor? region = null)
    {
        using var scope = NewDisposeScope();
        var (a, b) = Quantised(reference, test);
        return MeanOfDefined(PerImageMapMean(ValidSsimMap(a, b), region is null ? null : Region(region, a)));
    }

    /// <summary>
    /// The SSIM map averaged over the channels, float64 (N,H−10,W−10), (1,H−10,W−10) for one image: entry (i,j) is the
    /// window centred on pixel (i+5, j+5). Its mean is <see cref="Ssim"/>; shown as an image, it says where the test
    /// image departs from the reference.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Ssim"/>.</exception>
    public static Tensor SsimMap(Tensor reference, Tensor test)
    {
        using var scope = NewDisposeScope();
        var (a, b) = Quantised(reference, test);
        return ValidSsimMap(a, b).MoveToOuterDisposeScope();
    }

    /// <summary>The mean of the values that are not NaN; NaN when none is.</summary>
    private static double MeanOfDefined(IEnumerable<double> values)
    {
        var defined = values.Where(v => !double.IsNaN(v)).ToList();
        return defined.Count == 0 ? double.NaN : defined.Average();
    }

    /// <summary>Both images checked and quantised to 8-bit levels, float64 (N,3,H,W) on the reference's device.</summary>
    private static (Tensor A, Tensor B) Quantised(Tensor reference, Tensor test)
    {
        if (!reference.shape.SequenceEqual(test.shape))
            throw new ArgumentException(
                $"The reference and the test image must have one shape, but the reference is {Shapes.Format(reference)} and the test image {Shapes.Format(test)}.");
        var rgb = (reference.dim() == 3 && reference.shape[0] == 3) || (reference.dim() == 4 && reference.shape[1] == 3);
        if (!rgb || reference.numel() == 0)
            throw new ArgumentException(
                $"Image quality compares RGB images (3,H,W) or batches (N,3,H,W) with at least one pixel, got shape {Shapes.Format(reference)}.");
        if (!reference.is_floating_point() || !test.is_floating_point())
            throw new ArgumentException(
                $"Image quality expects floating-point images in [0,1], got {reference.dtype} and {test.dtype}; divide 8-bit images by 255 first.");
        return (Quantise(reference, reference.device), Quantise(test, reference.device));
    }

    /// <summary>
    /// The 8-bit level of every value as float64, computed as <see cref="Imaging.ImageIO"/> computes the bytes it
    /// writes (in the input's own precision), so that an image scores the same before and after a PNG round trip.
    /// </summary>
    private static Tensor Quantise(Tensor image, Device device)
    {
        var batch = image.dim() == 3 ? image.unsqueeze(0) : image;
        return batch.detach().to(device).nan_to_num(0).clamp(0, 1).mul(DataRange).round().to(ScalarType.Float64);
    }

    /// <summary>
    /// The hole as float64 0/1 (N,H,W) for images <paramref name="images"/> (N,3,H,W): (H,W) and (1,H,W) hold for
    /// every image, (N,1,H,W) one per image.
    /// </summary>
    private static Tensor Region(Tensor hole, Tensor images)
    {
        var (n, h, w) = (images.shape[0], images.shape[2], images.shape[3]);
        var s = hole.shape;
        var fits = hole.dim() switch
        {
            2 => true,
            3 => s[0] == 1,
            4 => s[1] == 1 && (s[0] == 1 || s[0] == n),
            _ => false,
        };
        if (!fits || s[^2] != h || s[^1] != w)
            throw new ArgumentException(
                $"A hole mask is (H,W), (1,H,W) or (N,1,H,W) of the images' size; got {Shapes.Format(hole)} for {n} image(s) of {h}×{w} pixels.");
        var mask = hole.detach().to(images.device);
        if (mask.dtype != ScalarType.Bool && !mask.eq(0).logical_or(mask.eq(1)).all().item<bool>())
            throw new ArgumentException(
                $"A hole mask holds true/false or 0/1 (1 = in the hole); this one of {mask.dtype} holds other values. Threshold it first.");
        return mask.to(ScalarType.Float64).reshape(-1, h, w).expand(n, h, w);
    }

    /// <summary>
    /// Per image: the mean of <paramref name="perValue"/> (N,3,H,W) over every value, or over the region's pixels and
    /// all channels; NaN for an empty region (0/0).
    /// </summary>
    private static double[] PerImageMean(Tensor perValue, Tensor? region)
    {
        if (region is null)
            return perValue.mean([1, 2, 3]).cpu().data<double>().ToArray();
        var channels = perValue.shape[1];
        var inRegion = perValue.sum(1).mul(region).sum([1, 2]);
        var counted = region.sum([1, 2]).mul(channels);
        return inRegion.div(counted).cpu().data<double>().ToArray();
    }

    private static double[] PerImagePsnr(Tensor a, Tensor b, Tensor? region) =>
        Array.ConvertAll(PerImageMean(a.sub(b).square(), region), PsnrOfMse);

    private static double[] PerImageL1(Tensor a, Tensor b, Tensor? region) => PerImageMean(a.sub(b).abs(), region);

    /// <summary>10·log10(255²/MSE), capped; NaN stays NaN (an empty region).</summary>
    private static double PsnrOfMse(double mse) =>
        double.IsNaN(mse) ? double.NaN
        : mse == 0 ? PsnrCap
        : Math.Min(PsnrCap, 10 * Math.Log10(DataRange * DataRange / mse));

    /// <summary>
    /// Per image: the mean of the SSIM map (N,H−10,W−10), or its mean over the centres that lie in the region, which
    /// are the region (N,H,W) without its 5-pixel border; NaN when there are none.
    /// </summary>
    private static double[] PerImageMapMean(Tensor map, Tensor? region)
    {
        if (region is null)
            return map.mean([1, 2]).cpu().data<double>().ToArray();
        var centres = region.narrow(1, Radius, map.shape[1]).narrow(2, Radius, map.shape[2]);
        return map.mul(centres).sum([1, 2]).div(centres.sum([1, 2])).cpu().data<double>().ToArray();
    }

    /// <summary>The channel-averaged SSIM at every valid window position of quantised (N,3,H,W): (N,H−10,W−10).</summary>
    private static Tensor ValidSsimMap(Tensor a, Tensor b)
    {
        var (n, channels, h, w) = (a.shape[0], a.shape[1], a.shape[2], a.shape[3]);
        if (h < WindowSize || w < WindowSize)
            throw new ArgumentException(
                $"SSIM needs images of at least {WindowSize}×{WindowSize} pixels (its Gaussian window's size), got {w}×{h}.");
        // Each channel of each image is one plane; the five local moments of all planes are filtered in one pass.
        var x = a.reshape(n * channels, 1, h, w);
        var y = b.reshape(n * channels, 1, h, w);
        var moments = Blur(cat([x, y, x * x, y * y, x * y], 0)).chunk(5);
        var (mx, my, mxx, myy, mxy) = (moments[0], moments[1], moments[2], moments[3], moments[4]);
        // Population moments: E[x²] − μ², no N/(N−1) (scikit-image's use_sample_covariance=False).
        var vx = mxx - mx * mx;
        var vy = myy - my * my;
        var vxy = mxy - mx * my;
        var (c1, c2) = (Math.Pow(K1 * DataRange, 2), Math.Pow(K2 * DataRange, 2));
        var ssim = (2 * mx * my + c1) * (2 * vxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
        return ssim.reshape(n, channels, h - 2 * Radius, w - 2 * Radius).mean([1]);
    }

    /// <summary>The valid correlation of (P,1,H,W) with the normalised 11×11 Gaussian, as a column pass and a row pass.</summary>
    private static Tensor Blur(Tensor planes)
    {
        var taps = GaussianTaps();
        var window = tensor(taps, ScalarType.Float64, planes.device);
        var column = nn.functional.conv2d(planes, window.reshape(1, 1, WindowSize, 1));
        return nn.functional.conv2d(column, window.reshape(1, 1, 1, WindowSize));
    }

    /// <summary>exp(−k²/2σ²) for k = −5..5, divided by their sum (scipy's gaussian_filter with truncate 3.5 at σ = 1.5).</summary>
    private static double[] GaussianTaps()
    {
        var taps = Enumerable.Range(-Radius, WindowSize).Select(k => Math.Exp(-k * k / (2 * WindowSigma * WindowSigma))).ToArray();
        var sum = taps.Sum();
        return Array.ConvertAll(taps, t => t / sum);
    }
}
