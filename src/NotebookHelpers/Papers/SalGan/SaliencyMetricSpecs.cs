using NotebookHelpers.Metrics;

namespace NotebookHelpers.Papers.SalGan;

/// <summary>
/// The MIT saliency benchmark's eight metrics as <see cref="MetricSpec"/>s (Bylinskii et al., "What do different
/// evaluation metrics tell us about saliency models?", 2018). KLD is a divergence, so the only one where lower is
/// better. <see cref="SalGanCatalog"/> registers them.
/// </summary>
public static class SaliencyMetricSpecs
{
    public static readonly MetricSpec AucJudd = new("AUC_Judd", Better.Higher, "F3", "AUC-J");
    public static readonly MetricSpec AucBorji = new("AUC_Borji", Better.Higher, "F3", "AUC-B");
    public static readonly MetricSpec ShuffledAuc = new("sAUC", Better.Higher, "F3", "sAUC");
    public static readonly MetricSpec Nss = new("NSS", Better.Higher, "F3", "NSS");
    public static readonly MetricSpec Cc = new("CC", Better.Higher, "F3", "CC");
    public static readonly MetricSpec Kld = new("KLD", Better.Lower, "F3", "KLD");
    public static readonly MetricSpec Sim = new("SIM", Better.Higher, "F3", "SIM");
    public static readonly MetricSpec InformationGain = new("IG", Better.Higher, "F3", "IG");

    /// <summary>The eight in the benchmark's order (the order of <see cref="SaliencyBenchmarkScores.Named"/>).</summary>
    public static IReadOnlyList<MetricSpec> All { get; } = [AucJudd, AucBorji, ShuffledAuc, Nss, Cc, Kld, Sim, InformationGain];

    /// <summary>The spec of one of the eight by its benchmark name.</summary>
    public static MetricSpec Get(string name) => All.FirstOrDefault(s => s.Name == name)
        ?? throw new KeyNotFoundException($"'{name}' is not a saliency benchmark metric; they are {string.Join(", ", All.Select(s => s.Name))}.");
}
