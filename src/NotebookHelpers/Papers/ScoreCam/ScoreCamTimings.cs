using NotebookHelpers.Cam;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.ScoreCam;

/// <summary>
/// The seed article's timing table: one explanation of one image by Grad-CAM, Grad-CAM++, Score-CAM, Faster
/// Score-CAM with N = 10 and N = 3, and Guided Backpropagation, each timed by <see cref="CamTiming"/>. The article
/// times Keras VGG16 at 224×224 (block5_conv3, our <c>features.29</c>); any model and layer can be timed the same way.
/// </summary>
public static class ScoreCamTimings
{
    /// <summary>The methods in the article's order, by the names of <see cref="ScoreCamReference"/>.</summary>
    public static IReadOnlyList<string> Methods { get; } =
    [
        ScoreCamReference.GradCam, ScoreCamReference.GradCamPlusPlus, ScoreCamReference.ScoreCam,
        ScoreCamReference.FasterScoreCam10, ScoreCamReference.FasterScoreCam3, ScoreCamReference.GuidedBackprop,
    ];

    /// <summary>
    /// One explanation of <paramref name="input"/> (1, C, H, W) by <paramref name="method"/> (a name of
    /// <see cref="Methods"/>): the CAM (H, W), or guided backpropagation's raw gradient (C, H, W).
    /// </summary>
    /// <param name="method">A name of <see cref="Methods"/>.</param>
    /// <param name="model">The classifier.</param>
    /// <param name="layer">The module path of the explained layer (unused by guided backpropagation).</param>
    /// <param name="input">One image (1, C, H, W), normalised as the model takes it.</param>
    /// <param name="batchSize">Score-CAM's masked inputs per pass; null: as many as its memory budget allows.</param>
    public static Func<Tensor> Explainer(string method, nn.Module<Tensor, Tensor> model, string layer, Tensor input, int? batchSize = null)
    {
        if (method == ScoreCamReference.GuidedBackprop)
        {
            var guided = new GuidedBackprop(model);
            return () => guided.Gradients(input)[0];
        }
        CamBase cam = method switch
        {
            ScoreCamReference.GradCam => new GradCam(model, layer),
            ScoreCamReference.GradCamPlusPlus => new GradCamPlusPlus(model, layer),
            ScoreCamReference.ScoreCam => new Cam.ScoreCam(model, layer, batchSize),
            ScoreCamReference.FasterScoreCam10 => new FasterScoreCam(model, layer, maxChannels: 10, batchSize: batchSize),
            ScoreCamReference.FasterScoreCam3 => new FasterScoreCam(model, layer, maxChannels: 3, batchSize: batchSize),
            _ => throw new ArgumentException($"Unknown method '{method}'; timed are: {string.Join(", ", Methods)}.", nameof(method)),
        };
        return () => cam.Maps(input)[0];
    }

    /// <summary>Times each of <paramref name="methods"/> (all of <see cref="Methods"/> by default) on one image.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="layer">The module path of the explained layer.</param>
    /// <param name="input">One image (1, C, H, W), normalised as the model takes it.</param>
    /// <param name="repeats">Timed runs per method, after the warm-up.</param>
    /// <param name="batchSize">Score-CAM's masked inputs per pass; null: as many as its memory budget allows.</param>
    /// <param name="methods">Which of <see cref="Methods"/>, in this order; all by default.</param>
    /// <param name="progress">Told each method's name before it is timed (Score-CAM takes minutes on a CPU).</param>
    /// <param name="lastMaps">Given each method's name and the map of its last timed run, on the CPU, before it is freed.</param>
    /// <param name="warmUpScoreCam">Give Score-CAM its own untimed run too; false where the other methods, timed first, have warmed the model up and one more Score-CAM run would take minutes.</param>
    public static IReadOnlyList<CamTime> Measure(nn.Module<Tensor, Tensor> model, string layer, Tensor input, int repeats = 3,
        int? batchSize = null, IEnumerable<string>? methods = null, Action<string>? progress = null, bool warmUpScoreCam = true,
        Action<string, Tensor>? lastMaps = null)
    {
        if (input.dim() != 4 || input.shape[0] != 1)
            throw new ArgumentException($"The timing explains one image (1, C, H, W); this input has shape ({string.Join(", ", input.shape)}).", nameof(input));
        var times = new List<CamTime>();
        foreach (var method in methods ?? Methods)
        {
            progress?.Invoke(method);
            times.Add(CamTiming.Measure(method, Explainer(method, model, layer, input, batchSize), repeats,
                warmUp: warmUpScoreCam || method != ScoreCamReference.ScoreCam, lastMap: lastMaps is null ? null : map => lastMaps(method, map)));
        }
        return times;
    }
}
