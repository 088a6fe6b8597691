using NotebookHelpers.Cam;
using NotebookHelpers.Metrics;
using NotebookHelpers.Notebooks;
using NotebookHelpers.Visualization;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.ScoreCam;

/// <summary>Faithfulness of one method's maps over a set of images (Score-CAM §4.2), with the mean curves for plotting.</summary>
public sealed record FaithfulnessScores(double AverageDrop, double AverageIncrease, double InsertionAuc, double DeletionAuc,
    IReadOnlyList<double> MeanInsertion, IReadOnlyList<double> MeanDeletion)
{
    /// <summary>The scores by the metric registry's names, in <see cref="CamMetricSpecs"/>' order.</summary>
    public IEnumerable<(string Name, double Value)> Named() =>
    [
        (CamMetricSpecs.AverageDrop.Name, AverageDrop), (CamMetricSpecs.AverageIncrease.Name, AverageIncrease),
        (CamMetricSpecs.InsertionAuc.Name, InsertionAuc), (CamMetricSpecs.DeletionAuc.Name, DeletionAuc),
    ];
}

/// <summary>
/// What notebook 05 runs under a profile: the defect classifier's plan, how many held-out defect images are explained
/// (and localised) and how many of them are scored for faithfulness (the deletion and insertion curves cost 202 passes
/// per image and method), and what the timing table times.
/// </summary>
/// <param name="Defects">The classifier's data and schedule.</param>
/// <param name="ExplainedImages">Held-out defect images every method explains (at most the split's defects).</param>
/// <param name="FaithfulnessImages">Of those, how many the faithfulness metrics score.</param>
/// <param name="TimeVgg16">Time the article's setting (VGG16 at 224×224, 512 channels); otherwise the trained classifier at its own size.</param>
/// <param name="TimingRepeats">Timed runs per method.</param>
public sealed record ScoreCamPlan(DefectPlan Defects, int ExplainedImages, int FaithfulnessImages, bool TimeVgg16, int TimingRepeats)
{
    /// <summary>
    /// smoke: about a minute on two cores, so the timing table times the small classifier; workshop: every held-out
    /// defect, and the article's VGG16 timing (Score-CAM's 512 passes take minutes on a CPU, so it runs once, warmed up by
    /// the other methods); paper: as workshop with three runs per method, for a GPU.
    /// </summary>
    public static ScoreCamPlan For(RunProfile profile, bool dagmInstalled) => profile.Choose(
        smoke: new ScoreCamPlan(DefectPlan.For(profile, dagmInstalled), 16, 6, false, 3),
        workshop: new ScoreCamPlan(DefectPlan.For(profile, dagmInstalled), 60, 20, true, 1),
        paper: new ScoreCamPlan(DefectPlan.For(profile, dagmInstalled), 30, 30, true, 3));
}

/// <summary>
/// Notebook 05's comparison of the CAM methods on one classifier: every method's maps for a set of images, how much of
/// each map lies inside the known defect (against a centred Gaussian that knows nothing of the image), the paper's
/// faithfulness metrics, and the article's figure.
/// </summary>
public static class ScoreCamExperiment
{
    /// <summary>The compared methods, in the article's column order (Faster Score-CAM with the article's N = 10).</summary>
    public static IReadOnlyList<string> Methods { get; } =
        [ScoreCamReference.GradCam, ScoreCamReference.GradCamPlusPlus, ScoreCamReference.ScoreCam, ScoreCamReference.FasterScoreCam10];

    /// <summary>The trivial explainer the localisation is compared with.</summary>
    public const string CentredGaussianName = "centred Gaussian";

    /// <summary>
    /// The explainer that always points at the middle: exp(−((x − cx)² + (y − cy)²) / (2σ²)) with σ a quarter of the
    /// image's side, min-max normalised like a CAM. A method that localises the defect must put more of its energy
    /// inside it than this map does.
    /// </summary>
    public static Tensor CentredGaussian(int count, int height, int width, double sigmaFraction = 0.25)
    {
        using var scope = NewDisposeScope();
        var ys = (arange(height, dtype: float32) + 0.5f - height / 2f).view(-1, 1);
        var xs = (arange(width, dtype: float32) + 0.5f - width / 2f).view(1, -1);
        var sigma = sigmaFraction * Math.Min(height, width);
        var map = exp(-(ys * ys + xs * xs) / (2 * sigma * sigma));
        map = (map - map.min()) / (map.max() - map.min());
        return map.unsqueeze(0).expand(count, height, width).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The mean share of each map's energy inside its image's defect (the energy-based pointing game with the defect's
    /// mask as the object), for every method and the <see cref="CentredGaussianName"/> baseline; only images whose mask
    /// is not empty count.
    /// </summary>
    public static Dictionary<string, double> EnergyInsideDefects(IReadOnlyDictionary<string, Tensor> maps, Tensor masks)
    {
        var withDefect = Enumerable.Range(0, (int)masks.shape[0]).Where(i => masks[i].any().item<bool>()).ToList();
        if (withDefect.Count == 0) throw new ArgumentException("None of the masks marks a defect.", nameof(masks));
        var all = new Dictionary<string, Tensor>(maps)
        {
            [CentredGaussianName] = CentredGaussian((int)masks.shape[0], (int)masks.shape[1], (int)masks.shape[2]),
        };
        return all.ToDictionary(p => p.Key, p => withDefect.Average(i => CamFaithfulness.EnergyPointingGame(p.Value[i], masks[i])));
    }

    /// <summary>
    /// Average Drop and Increase (keeping half of the pixels) and the mean deletion and insertion areas of one method's
    /// <paramref name="maps"/> (N, H, W) over <paramref name="inputs"/>, each explaining <paramref name="classes"/>.
    /// </summary>
    public static FaithfulnessScores Faithfulness(nn.Module<Tensor, Tensor> model, Tensor inputs, IReadOnlyList<int> classes, Tensor maps, int batchSize = 32)
    {
        var recognition = CamFaithfulness.Recognition(model, inputs, classes, maps, batchSize: batchSize);
        var insertion = new List<CausalCurve>();
        var deletion = new List<CausalCurve>();
        for (int i = 0; i < classes.Count; i++)
        {
            insertion.Add(CamFaithfulness.Insertion(model, inputs[i], classes[i], maps[i], batchSize));
            deletion.Add(CamFaithfulness.Deletion(model, inputs[i], classes[i], maps[i], batchSize));
        }
        return new FaithfulnessScores(recognition.AverageDrop, recognition.AverageIncrease,
            insertion.Average(c => c.Auc), deletion.Average(c => c.Auc), MeanCurve(insertion), MeanCurve(deletion));
    }

    static double[] MeanCurve(IReadOnlyList<CausalCurve> curves) =>
        Enumerable.Range(0, curves[0].Probabilities.Count).Select(k => curves.Average(c => c.Probabilities[k])).ToArray();

    /// <summary>A column header that fits a cell: Faster Score-CAM without its N (the caption gives it).</summary>
    static string Header(string method) => method.StartsWith("Faster Score-CAM", StringComparison.Ordinal) ? "Faster Score-CAM" : method;

    /// <summary>The article's display rows, in its order.</summary>
    public static IReadOnlyList<string> DisplayRows { get; } = ["superimposed", "emphasized", "guided", "gradient × CAM"];

    /// <summary>
    /// The seed article's figure for one image: one column per method, rows <see cref="DisplayRows"/> — the map over the
    /// image, the map through the article's steep sigmoid over the image, guided backpropagation times the map, and the
    /// image's Sobel edges times the map — with what each row shows before the map is applied in the first column (the
    /// image, the image, the plain guided gradient, the edges).
    /// </summary>
    /// <param name="picture">The image (3, H, W) in [0, 1], as shown (not normalised).</param>
    /// <param name="maps">Each method's map (H, W) of this image.</param>
    /// <param name="guidedGradients">Guided backpropagation's raw gradient (3, H, W) for the same target.</param>
    /// <param name="title">The figure's title.</param>
    /// <param name="cellSize">The width of one panel in pixels.</param>
    public static Figure ArticleFigure(Tensor picture, IReadOnlyDictionary<string, Tensor> maps, Tensor guidedGradients, string title, int cellSize = 150)
    {
        using var scope = NewDisposeScope();
        var methods = Methods.Where(maps.ContainsKey).ToList();
        var guidedAlone = GuidedBackprop.Displayable(guidedGradients.unsqueeze(0))[0];
        var edges = CamDisplays.SobelTimesCam(picture.unsqueeze(0), ones(1, picture.shape[1], picture.shape[2]))[0];
        var first = new Tensor[] { picture, picture, guidedAlone, edges };
        var rows = new List<IReadOnlyList<Tensor>>();
        for (int r = 0; r < DisplayRows.Count; r++)
        {
            var row = new List<Tensor> { first[r] };
            foreach (var method in methods)
            {
                var map = maps[method];
                row.Add(r switch
                {
                    0 => Overlay.Heatmap(picture, map),
                    1 => Overlay.Heatmap(picture, CamDisplays.Emphasized(map), normalize: false),
                    2 => CamDisplays.Guided(guidedGradients.unsqueeze(0), map.unsqueeze(0))[0],
                    _ => CamDisplays.SobelTimesCam(picture.unsqueeze(0), map.unsqueeze(0))[0],
                });
            }
            rows.Add(row);
        }
        string[] firstHeaders = ["without CAM"];
        return ImageGrid.Rows([.. firstHeaders, .. methods.Select(Header)], rows, cellSize, DisplayRows, title);
    }
}
