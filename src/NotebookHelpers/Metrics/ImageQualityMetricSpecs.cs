namespace NotebookHelpers.Metrics;

/// <summary>
/// The image quality metrics of <see cref="ImageQuality"/> as <see cref="MetricSpec"/>s: PSNR, SSIM and L1 over the
/// whole image, and the same three over the hole of an inpainting. L1 is on the 0..255 scale, so lower is better and
/// two decimals say enough.
/// </summary>
public static class ImageQualityMetricSpecs
{
    public static readonly MetricSpec Psnr = new("PSNR", Better.Higher, "F2", "PSNR (dB)");
    public static readonly MetricSpec Ssim = new("SSIM", Better.Higher, "F3", "SSIM");
    public static readonly MetricSpec L1 = new("L1", Better.Lower, "F2", "L1");
    public static readonly MetricSpec HolePsnr = new("hole PSNR", Better.Higher, "F2", "hole PSNR (dB)");
    public static readonly MetricSpec HoleSsim = new("hole SSIM", Better.Higher, "F3", "hole SSIM");
    public static readonly MetricSpec HoleL1 = new("hole L1", Better.Lower, "F2", "hole L1");

    /// <summary>The six in the order of <see cref="ImageQualityScores.Named"/>.</summary>
    public static IReadOnlyList<MetricSpec> All { get; } = [Psnr, Ssim, L1, HolePsnr, HoleSsim, HoleL1];

    /// <summary>Registers the six in <see cref="MetricRegistry"/>; calling it again is harmless.</summary>
    public static void Register()
    {
        foreach (var spec in All) MetricRegistry.Register(spec);
    }

    /// <summary>The spec of one of the six by name.</summary>
    public static MetricSpec Get(string name) => All.FirstOrDefault(s => s.Name == name)
        ?? throw new KeyNotFoundException($"'{name}' is not an image quality metric; they are {string.Join(", ", All.Select(s => s.Name))}.");
}
