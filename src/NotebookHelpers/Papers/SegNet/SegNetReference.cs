using NotebookHelpers.Notebooks;

namespace NotebookHelpers.Papers.SegNet;

/// <summary>
/// The numbers notebook 02 is compared with: the SegNet paper (Badrinarayanan, Kendall and Cipolla, "SegNet: A Deep
/// Convolutional Encoder-Decoder Architecture for Image Segmentation", TPAMI 2017) and the seed article that compared
/// an FCN-style upsampling network with SegNet on PASCAL VOC 2012 at 64×64. Fractions in [0,1], as the metrics are.
/// </summary>
public static class SegNetReference
{
    const string Table1 = "paper Table 1 (§3.1, decoder variants, CamVid test, median frequency balancing)";
    const string ArticleSource = "seed article (VOC 2012 at 64×64, its own training; pixel accuracy read from its text, 'about')";

    /// <summary>Table 1's rows of the two networks the notebook trains: global accuracy, class average, mIoU, BF.</summary>
    public static IReadOnlyList<ReferenceValue> CamVidTable1 { get; } =
    [
        new("SegNet-Basic", "CamVid test", "pixel_accuracy", 0.827, Table1),
        new("SegNet-Basic", "CamVid test", "mean_accuracy", 0.620, Table1),
        new("SegNet-Basic", "CamVid test", "mIoU", 0.477, Table1),
        new("SegNet-Basic", "CamVid test", "BF", 0.3578, Table1),
        new("FCN-Basic", "CamVid test", "pixel_accuracy", 0.817, Table1),
        new("FCN-Basic", "CamVid test", "mean_accuracy", 0.624, Table1),
        new("FCN-Basic", "CamVid test", "mIoU", 0.473, Table1),
        new("FCN-Basic", "CamVid test", "BF", 0.3811, Table1),
    ];

    /// <summary>The seed article's two pixel accuracies on VOC 2012 validation.</summary>
    public static IReadOnlyList<ReferenceValue> ArticleVoc { get; } =
    [
        new("Upsampling baseline", "VOC 2012 val", "pixel_accuracy", 0.78, ArticleSource),
        new("SegNet", "VOC 2012 val", "pixel_accuracy", 0.82, ArticleSource),
    ];

    /// <summary>Table 1's value for a system and metric, or null.</summary>
    public static double? Paper(string system, string metric) =>
        CamVidTable1.FirstOrDefault(v => v.System == system && v.Metric == metric)?.Value;

    /// <summary>The seed article's value for a system and metric, or null.</summary>
    public static double? Article(string system, string metric) =>
        ArticleVoc.FirstOrDefault(v => v.System == system && v.Metric == metric)?.Value;
}
