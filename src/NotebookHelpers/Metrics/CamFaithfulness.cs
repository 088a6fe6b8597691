using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Metrics;

/// <summary>
/// Average Drop and Average Increase over a set of images, with each image's probabilities behind them.
/// </summary>
/// <param name="AverageDrop">100 · mean of max(0, Y − O) / Y, in percent: lower is better.</param>
/// <param name="AverageIncrease">100 · mean of [O &gt; Y], in percent: higher is better.</param>
/// <param name="Full">Y per image: the target's softmax probability for the whole image.</param>
/// <param name="Explained">O per image: the same for the image with only the explanation's pixels kept.</param>
public sealed record RecognitionScores(double AverageDrop, double AverageIncrease, IReadOnlyList<double> Full, IReadOnlyList<double> Explained);

/// <summary>
/// A deletion or insertion curve: the target's softmax probability y_0 ... y_n after 0, 1, ..., n steps of
/// <paramref name="PixelsPerStep"/> pixels each (the last step may be shorter).
/// </summary>
public sealed record CausalCurve(IReadOnlyList<double> Probabilities, int PixelsPerStep)
{
    /// <summary>The area under the curve over x in [0, 1] (<see cref="CamFaithfulness.Auc"/>).</summary>
    public double Auc => CamFaithfulness.Auc(Probabilities);
}

/// <summary>
/// An object's box in pixels, 0-based, as a slice takes it: columns <paramref name="X0"/> to <paramref name="X1"/> − 1
/// and rows <paramref name="Y0"/> to <paramref name="Y1"/> − 1 (x0, y0 inclusive, x1, y1 exclusive).
/// </summary>
public readonly record struct ObjectBox(int X0, int Y0, int X1, int Y1);

/// <summary>
/// How faithful a CAM is to the model it explains, as the Score-CAM paper (Wang et al. 2020) measures it: whether
/// the pixels the map ranks highest carry the model's decision (Average Drop and Increase, §4.2; deletion and
/// insertion, §4.2), and how much of the map's energy falls on the object (the energy-based pointing game, §4.3).
/// </summary>
/// <remarks>
/// <para>
/// Throughout: x is an image as the model takes it (normalised, so 0 is the dataset's mean colour), c the target class,
/// H the map (H × W, in [0, 1], as the CAMs return it: never normalised again here), and the probability of c is
/// p_c(x) = softmax(model(x))_c, computed under <c>no_grad</c> with the model in evaluation mode.
/// </para>
/// <para>
/// Pixel order: pixels are ranked by decreasing H over the flattened index (row-major, y · W + x); pixels of equal H
/// keep the order of their index (a stable sort), so the smaller index comes first and the result is deterministic.
/// A pixel is removed or inserted in all channels at once.
/// </para>
/// </remarks>
public static class CamFaithfulness
{
    /// <summary>The fraction of pixels the explanation keeps for Average Drop and Increase.</summary>
    public const double DefaultKeep = 0.5;

    /// <summary>The blur that is insertion's start: a Gaussian of this many pixels a side ...</summary>
    public const int BlurKernelSize = 11;

    /// <summary>... and this standard deviation, in pixels.</summary>
    public const double BlurSigma = 5;

    /// <summary>
    /// Average Drop and Average Increase (Chattopadhyay et al. 2018, Grad-CAM++; Score-CAM §4.2). For each image,
    /// Y = p_c(x) and O = p_c(x_kept), where x_kept keeps exactly round(keep · H · W) pixels (halves rounded up), the
    /// first in the pixel order, and sets every other pixel to 0 in all channels. Then
    /// Average Drop = 100 · (1/N) Σ max(0, Y − O) / Y and Average Increase = 100 · (1/N) Σ [O &gt; Y].
    /// </summary>
    /// <param name="model">The classifier, (N, C, H, W) to logits (N, K).</param>
    /// <param name="images">(N, C, H, W), normalised as the model takes them.</param>
    /// <param name="classes">The target class of each image.</param>
    /// <param name="maps">(N, H, W) in [0, 1].</param>
    /// <param name="keep">The fraction of pixels kept, in (0, 1].</param>
    /// <param name="batchSize">How many images go through the model at once.</param>
    public static RecognitionScores Recognition(nn.Module<Tensor, Tensor> model, Tensor images, IReadOnlyList<int> classes, Tensor maps,
        double keep = DefaultKeep, int batchSize = 32)
    {
        RequireImagesAndMaps(images, maps, classes.Count);
        if (keep is not (> 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(keep), keep, "keep is a fraction in (0, 1].");
        var (height, width) = (images.shape[2], images.shape[3]);
        var kept = (long)Math.Round(keep * height * width, MidpointRounding.AwayFromZero);
        var full = new List<double>();
        var explained = new List<double>();
        foreach (var (start, length) in Batches(images.shape[0], batchSize))
        {
            using var scope = NewDisposeScope();
            var x = images.narrow(0, start, length);
            var mask = (Ranks(maps.narrow(0, start, length)) < kept).unsqueeze(1);
            var targets = classes.Skip((int)start).Take((int)length).ToList();
            full.AddRange(Probabilities(model, x, targets));
            explained.AddRange(Probabilities(model, x * mask, targets));
        }
        var drop = full.Zip(explained, (y, o) => Math.Max(0, y - o) / y).Average();
        var increase = full.Zip(explained, (y, o) => o > y ? 1.0 : 0.0).Average();
        return new RecognitionScores(100 * drop, 100 * increase, full, explained);
    }

    /// <summary>
    /// The deletion curve (Petsiuk et al. 2018, RISE; Score-CAM §4.2): from x, the next <c>step</c> pixels of the pixel
    /// order are set to 0 (the substrate: the mean colour) at each step, where step = ⌈0.01 · H · W⌉ (100 steps at
    /// 224 × 224), n = ⌈H · W / step⌉ steps, n + 1 points with the start. A faithful map makes it fall fast: lower
    /// area is better.
    /// </summary>
    /// <param name="model">The classifier, (N, C, H, W) to logits (N, K).</param>
    /// <param name="image">(C, H, W), normalised as the model takes it.</param>
    /// <param name="targetClass">c.</param>
    /// <param name="map">(H, W) in [0, 1].</param>
    /// <param name="batchSize">How many points of the curve go through the model at once.</param>
    public static CausalCurve Deletion(nn.Module<Tensor, Tensor> model, Tensor image, int targetClass, Tensor map, int batchSize = 32) =>
        Curve(model, image, targetClass, map, batchSize, (x, _, removed) => where(removed, zeros_like(x), x), start: null);

    /// <summary>
    /// The insertion curve (RISE; Score-CAM §4.2): from a blurred copy of x, the next <c>step</c> pixels of the pixel
    /// order are copied in from x at each step, with the steps of <see cref="Deletion"/>. The blur is a Gaussian of
    /// <see cref="BlurKernelSize"/> × <see cref="BlurKernelSize"/> pixels and σ = <see cref="BlurSigma"/>, normalised to
    /// sum 1, per channel, with zero padding (as a convolution with padding 5 does: near the border the blur fades to
    /// 0, the mean colour). A faithful map makes it rise fast: higher area is better.
    /// </summary>
    /// <param name="model">The classifier, (N, C, H, W) to logits (N, K).</param>
    /// <param name="image">(C, H, W), normalised as the model takes it.</param>
    /// <param name="targetClass">c.</param>
    /// <param name="map">(H, W) in [0, 1].</param>
    /// <param name="batchSize">How many points of the curve go through the model at once.</param>
    public static CausalCurve Insertion(nn.Module<Tensor, Tensor> model, Tensor image, int targetClass, Tensor map, int batchSize = 32) =>
        Curve(model, image, targetClass, map, batchSize, (x, blurred, inserted) => where(inserted, x, blurred), start: Blur);

    /// <summary>
    /// The area under a curve y_0 ... y_n sampled at x = i / n, by the trapezoidal rule:
    /// (Σ_i y_i − (y_0 + y_n) / 2) / n.
    /// </summary>
    public static double Auc(IReadOnlyList<double> curve)
    {
        if (curve.Count < 2) throw new ArgumentException($"A curve needs at least 2 points for an area; this one has {curve.Count}.", nameof(curve));
        var n = curve.Count - 1;
        return (curve.Sum() - (curve[0] + curve[n]) / 2) / n;
    }

    /// <summary>
    /// The energy-based pointing game (Score-CAM §4.3): the share of the map's energy inside the object's box,
    /// Σ_(p in box) H(p) / Σ_p H(p); 0 for a map whose sum is 0.
    /// </summary>
    /// <param name="map">(H, W) in [0, 1].</param>
    /// <param name="box">The object, within the map.</param>
    public static double EnergyPointingGame(Tensor map, ObjectBox box)
    {
        RequireMap(map);
        var (height, width) = (map.shape[0], map.shape[1]);
        if (box.X0 < 0 || box.Y0 < 0 || box.X1 > width || box.Y1 > height || box.X0 > box.X1 || box.Y0 > box.Y1)
            throw new ArgumentException($"The box {box} does not lie within the {width}×{height} map (0 ≤ X0 ≤ X1 ≤ {width}, 0 ≤ Y0 ≤ Y1 ≤ {height}).", nameof(box));
        using var scope = NewDisposeScope();
        var inside = map.narrow(0, box.Y0, box.Y1 - box.Y0).narrow(1, box.X0, box.X1 - box.X0);
        return Share(inside.to(float64).sum(), map);
    }

    /// <summary>As <see cref="EnergyPointingGame(Tensor, ObjectBox)"/>, with the object given as a boolean mask (H, W).</summary>
    public static double EnergyPointingGame(Tensor map, Tensor mask)
    {
        RequireMap(map);
        if (mask.dtype != ScalarType.Bool || !mask.shape.SequenceEqual(map.shape))
            throw new ArgumentException($"The object mask must be boolean and of the map's shape ({string.Join(", ", map.shape)}), not {mask.dtype} ({string.Join(", ", mask.shape)}).", nameof(mask));
        using var scope = NewDisposeScope();
        return Share(map.to(float64).masked_fill(mask.logical_not(), 0).sum(), map);
    }

    private static double Share(Tensor inside, Tensor map)
    {
        var total = map.to(float64).sum().item<double>();
        return total == 0 ? 0 : inside.item<double>() / total;
    }

    /// <summary>
    /// The points of a deletion or insertion curve. At point i the first i · step pixels of the order are "changed":
    /// <paramref name="compose"/> gets x (1, C, H, W), the start (the blurred x for insertion, else x) and that mask
    /// (b, 1, H, W), and returns the b inputs.
    /// </summary>
    private static CausalCurve Curve(nn.Module<Tensor, Tensor> model, Tensor image, int targetClass, Tensor map, int batchSize,
        Func<Tensor, Tensor, Tensor, Tensor> compose, Func<Tensor, Tensor>? start)
    {
        if (image.dim() != 3) throw new ArgumentException($"A curve is for one image (C, H, W); this one has shape ({string.Join(", ", image.shape)}).", nameof(image));
        RequireImagesAndMaps(image.unsqueeze(0), map.unsqueeze(0), 1);
        var pixels = image.shape[1] * image.shape[2];
        var step = (pixels + 99) / 100; // ⌈0.01 · H · W⌉ in integers, so no rounding of 0.01 moves it
        var steps = (pixels + step - 1) / step;
        using var scope = NewDisposeScope();
        var x = image.unsqueeze(0);
        var origin = start is null ? x : start(x);
        var ranks = Ranks(map.unsqueeze(0)); // (1, H, W)
        var curve = new List<double>();
        foreach (var (first, length) in Batches(steps + 1, batchSize))
        {
            using var batchScope = NewDisposeScope();
            var changed = arange(first, first + length, device: ranks.device).mul(step).view(-1, 1, 1);
            var mask = (ranks < changed).unsqueeze(1);
            curve.AddRange(Probabilities(model, compose(x, origin, mask), Enumerable.Repeat(targetClass, (int)length).ToList()));
        }
        return new CausalCurve(curve, (int)step);
    }

    /// <summary>Each pixel's place (N, H, W) in the order of decreasing map value, ties by flattened index.</summary>
    private static Tensor Ranks(Tensor maps)
    {
        var flat = maps.flatten(1);
        var order = flat.sort(1, descending: true, stable: true).Indices;
        var places = arange(flat.shape[1], device: flat.device).expand_as(order).contiguous();
        return zeros_like(order).scatter_(1, order, places).view_as(maps);
    }

    /// <summary>p_c of each image of the batch for its class.</summary>
    private static List<double> Probabilities(nn.Module<Tensor, Tensor> model, Tensor batch, IReadOnlyList<int> classes)
    {
        model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var probabilities = nn.functional.softmax(model.call(batch), 1);
        var index = tensor(classes.Select(c => (long)c).ToArray(), device: probabilities.device).unsqueeze(1);
        return [.. probabilities.gather(1, index).squeeze(1).to(float64).cpu().data<double>().ToArray()];
    }

    /// <summary>The Gaussian blur of (N, C, H, W): a separable kernel, one channel at a time, zero padding.</summary>
    private static Tensor Blur(Tensor images)
    {
        var radius = BlurKernelSize / 2;
        var offsets = arange(-radius, radius + 1, dtype: images.dtype, device: images.device);
        var weights = (-(offsets * offsets) / (2 * BlurSigma * BlurSigma)).exp();
        weights /= weights.sum();
        var channels = images.shape[1];
        var across = weights.view(1, 1, 1, BlurKernelSize).expand(channels, 1, 1, BlurKernelSize);
        var down = weights.view(1, 1, BlurKernelSize, 1).expand(channels, 1, BlurKernelSize, 1);
        var rows = nn.functional.conv2d(images, across, padding: [0, radius], groups: channels);
        return nn.functional.conv2d(rows, down, padding: [radius, 0], groups: channels);
    }

    private static IEnumerable<(long Start, long Length)> Batches(long count, int batchSize)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size is at least 1.");
        for (long start = 0; start < count; start += batchSize)
            yield return (start, Math.Min(batchSize, count - start));
    }

    private static void RequireImagesAndMaps(Tensor images, Tensor maps, int classes)
    {
        if (images.dim() != 4 || maps.dim() != 3 || maps.shape[0] != images.shape[0] || maps.shape[1] != images.shape[2] || maps.shape[2] != images.shape[3])
            throw new ArgumentException(
                $"The maps ({string.Join(", ", maps.shape)}) must be (N, H, W) for the images (N, C, H, W) = ({string.Join(", ", images.shape)}).", nameof(maps));
        if (classes != images.shape[0])
            throw new ArgumentException($"{classes} target classes for {images.shape[0]} images; give one class per image.", nameof(classes));
    }

    private static void RequireMap(Tensor map)
    {
        if (map.dim() != 2) throw new ArgumentException($"The map must be (H, W), not ({string.Join(", ", map.shape)}).", nameof(map));
    }
}
