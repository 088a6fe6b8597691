using NotebookHelpers.Notebooks;

namespace NotebookHelpers.Papers.SalGan;

/// <summary>
/// The numbers this notebook is compared with: SalGAN's paper (Pan et al., "SalGAN: Visual Saliency Prediction with
/// Generative Adversarial Networks", 2017) and the seed article that re-implemented it in Keras. They live here, with
/// the table and section they come from, so that the notebook, the results record and the tests read one copy.
/// </summary>
public static class SalGanReference
{
    const string Table3 = "paper Table 3 (§4.2, SALICON validation)";
    const string Table4 = "paper Table 4 (§4.3, SALICON test)";
    const string ArticleSource = "seed article (Keras re-implementation, its own metric code)";

    /// <summary>Table 3: BCE/4 against SalGAN on SALICON validation (sAUC, AUC-B, NSS, CC, IG).</summary>
    public static IReadOnlyList<ReferenceValue> ValidationTable3 { get; } =
    [
        new("BCE/4", "SALICON val", "sAUC", 0.757, Table3),
        new("BCE/4", "SALICON val", "AUC_Borji", 0.833, Table3),
        new("BCE/4", "SALICON val", "NSS", 2.580, Table3),
        new("BCE/4", "SALICON val", "CC", 0.772, Table3),
        new("BCE/4", "SALICON val", "IG", 1.067, Table3),
        new("SalGAN", "SALICON val", "sAUC", 0.773, Table3),
        new("SalGAN", "SALICON val", "AUC_Borji", 0.859, Table3),
        new("SalGAN", "SALICON val", "NSS", 2.589, Table3),
        new("SalGAN", "SALICON val", "CC", 0.786, Table3),
        new("SalGAN", "SALICON val", "IG", 1.243, Table3),
    ];

    /// <summary>Table 4: SalGAN on SALICON test. The test fixations are not public, so no run of ours scores there.</summary>
    public static IReadOnlyList<ReferenceValue> TestTable4 { get; } =
    [
        new("SalGAN", "SALICON test", "AUC_Borji", 0.884, Table4),
        new("SalGAN", "SALICON test", "sAUC", 0.772, Table4),
        new("SalGAN", "SALICON test", "NSS", 2.459, Table4),
        new("SalGAN", "SALICON test", "CC", 0.781, Table4),
    ];

    /// <summary>The seed article's SalGAN row (its α was <see cref="SalGanConfig.ArticleAlpha"/>).</summary>
    public static IReadOnlyList<ReferenceValue> ArticleRow { get; } =
    [
        new("SalGAN", "SALICON val", "AUC_Borji", 0.941, ArticleSource),
        new("SalGAN", "SALICON val", "sAUC", 0.880, ArticleSource),
        new("SalGAN", "SALICON val", "NSS", 3.070, ArticleSource),
        new("SalGAN", "SALICON val", "CC", 0.576, ArticleSource),
    ];

    /// <summary>The paper's Table 3 value of a system and metric, or null where the table has none.</summary>
    public static double? Paper(string system, string metric) =>
        ValidationTable3.FirstOrDefault(v => v.System == system && v.Metric == metric)?.Value;

    /// <summary>The seed article's value of a system and metric (it reports SalGAN only), or null.</summary>
    public static double? Article(string system, string metric) =>
        ArticleRow.FirstOrDefault(v => v.System == system && v.Metric == metric)?.Value;
}
