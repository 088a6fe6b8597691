using NotebookHelpers.Notebooks;

namespace NotebookHelpers.Papers.ScoreCam;

/// <summary>
/// The numbers notebook 05 is compared with. The paper (Wang, Wang, Du, Yang, Zhang, Ding, Mardziel and Hu,
/// "Score-CAM: Score-Weighted Visual Explanations for Convolutional Neural Networks", CVPR Workshops 2020) scores
/// Grad-CAM, Grad-CAM++ and Score-CAM on ImageNet validation images with a pretrained VGG16; the seed article times
/// its Keras implementations of the same methods, plus its Faster Score-CAM, on one 224×224 image in Google Colab.
/// Values are in the units of the metric registry (<see cref="Metrics.CamMetricSpecs"/>): Average Drop and Increase in
/// percent as the paper prints them (47.8 means 47.8 %), the areas under the curves and the energy-based pointing game
/// as fractions (the paper's 48.1 % is 0.481).
/// </summary>
public static class ScoreCamReference
{
    const string Recognition = "paper Table 1 (§4.2, recognition: 2,000 ILSVRC 2012 val images, VGG16, Average Drop / Increase in %)";
    const string DeletionInsertion = "paper Table 2 (§4.2, deletion and insertion areas, ILSVRC 2012 val, VGG16)";
    const string Localization = "paper Table 3 (§4.3, energy-based pointing game, the share of the map inside the ILSVRC bounding boxes, VGG16)";
    const string Timing = "seed article's timing cell (Keras VGG16, one 224×224 image, Google Colab, %timeit -n1 -r1)";

    /// <summary>The method names the tables use, as the notebook and the results record spell them.</summary>
    public const string GradCam = "Grad-CAM", GradCamPlusPlus = "Grad-CAM++", ScoreCam = "Score-CAM",
        FasterScoreCam10 = "Faster Score-CAM (N=10)", FasterScoreCam3 = "Faster Score-CAM (N=3)", GuidedBackprop = "Guided BP";

    /// <summary>The paper's faithfulness and localisation values (metric names as the metric registry spells them).</summary>
    public static IReadOnlyList<ReferenceValue> Paper { get; } =
    [
        new(GradCam, "ILSVRC 2012 val", "average_drop", 47.8, Recognition),
        new(GradCamPlusPlus, "ILSVRC 2012 val", "average_drop", 45.5, Recognition),
        new(ScoreCam, "ILSVRC 2012 val", "average_drop", 31.5, Recognition),
        new(GradCam, "ILSVRC 2012 val", "average_increase", 19.6, Recognition),
        new(GradCamPlusPlus, "ILSVRC 2012 val", "average_increase", 18.9, Recognition),
        new(ScoreCam, "ILSVRC 2012 val", "average_increase", 30.6, Recognition),
        new(GradCam, "ILSVRC 2012 val", "insertion_auc", 0.357, DeletionInsertion),
        new(GradCamPlusPlus, "ILSVRC 2012 val", "insertion_auc", 0.346, DeletionInsertion),
        new(ScoreCam, "ILSVRC 2012 val", "insertion_auc", 0.386, DeletionInsertion),
        new(GradCam, "ILSVRC 2012 val", "deletion_auc", 0.089, DeletionInsertion),
        new(GradCamPlusPlus, "ILSVRC 2012 val", "deletion_auc", 0.082, DeletionInsertion),
        new(ScoreCam, "ILSVRC 2012 val", "deletion_auc", 0.077, DeletionInsertion),
        new(GradCam, "ILSVRC 2012 val", "energy_pointing_game", 0.481, Localization),
        new(GradCamPlusPlus, "ILSVRC 2012 val", "energy_pointing_game", 0.493, Localization),
        new(ScoreCam, "ILSVRC 2012 val", "energy_pointing_game", 0.637, Localization),
    ];

    /// <summary>The article's times in milliseconds for one explanation of one image (metric <c>time_ms</c>).</summary>
    public static IReadOnlyList<ReferenceValue> ArticleTimings { get; } =
    [
        new(GradCam, "one 224×224 image", "time_ms", 196, Timing),
        new(GradCamPlusPlus, "one 224×224 image", "time_ms", 221, Timing),
        new(ScoreCam, "one 224×224 image", "time_ms", 5240, Timing),
        new(FasterScoreCam10, "one 224×224 image", "time_ms", 307, Timing),
        new(FasterScoreCam3, "one 224×224 image", "time_ms", 238, Timing),
        new(GuidedBackprop, "one 224×224 image", "time_ms", 415, Timing),
    ];

    /// <summary>The paper's value for a method and metric, or null (the paper has no Faster Score-CAM or Guided BP rows).</summary>
    public static double? PaperValue(string method, string metric) =>
        Paper.FirstOrDefault(v => v.System == method && v.Metric == metric)?.Value;

    /// <summary>The article's time in milliseconds for a method, or null.</summary>
    public static double? ArticleTime(string method) =>
        ArticleTimings.FirstOrDefault(v => v.System == method)?.Value;
}
