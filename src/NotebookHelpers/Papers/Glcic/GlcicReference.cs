using NotebookHelpers.Notebooks;

namespace NotebookHelpers.Papers.Glcic;

/// <summary>
/// The numbers notebook 03 is compared with. The paper (Iizuka, Simo-Serra and Ishikawa, "Globally and Locally
/// Consistent Image Completion", ACM TOG 36(4), SIGGRAPH 2017) evaluates with a user study and has no PSNR table; the
/// quantitative anchor is a maintained reproduction of it on Places365 validation at 256×256 with square holes and no
/// post-processing (L1 on the 0–255 scale). The seed article trained a variant (LeakyReLU, tanh, Adam, no
/// post-processing) and reports no numbers, only that its completions were poor.
/// </summary>
public static class GlcicReference
{
    const string Reproduction = "maintained reproduction of the paper (Places365 val, 256×256, square holes, no post-processing)";
    const string Schedule = "paper §4 (T_C = 90,000, T_D = 10,000, T_train = 500,000, batch 96; about two months on four K80 GPUs)";

    /// <summary>The reproduction's PSNR, SSIM and L1.</summary>
    public static IReadOnlyList<ReferenceValue> Places365 { get; } =
    [
        new("GLCIC", "Places365 val", "PSNR", 23.152, Reproduction),
        new("GLCIC", "Places365 val", "SSIM", 0.862, Reproduction),
        new("GLCIC", "Places365 val", "L1", 11.164, Reproduction),
    ];

    /// <summary>Where the paper's training schedule is given.</summary>
    public static string ScheduleSource => Schedule;

    /// <summary>The reproduction's value of a metric, or null.</summary>
    public static double? Paper(string metric) => Places365.FirstOrDefault(v => v.Metric == metric)?.Value;
}
