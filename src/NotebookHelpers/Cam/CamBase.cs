using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Cam;

/// <summary>
/// What one forward (and, for gradient methods, one backward) pass captured at the target layer: the input (N, C, H, W),
/// the layer's activations A (N, K, h, w), dy/dA for gradient methods (else null), and one scorer per image.
/// </summary>
public sealed record CamCapture(Tensor Input, Tensor Activations, Tensor? Gradients, IReadOnlyList<Func<Tensor, Tensor>> Scorers);

/// <summary>
/// The CAM family's common part, as pytorch-grad-cam's <c>base_cam.py</c>: the target layer found by its module path,
/// its activations (and gradients) captured in one pass, the target, and the final map
/// L = ReLU(Σ_k α_k A_k), upsampled bilinearly (align_corners = false) to the input's size, then min-max normalised
/// to [0, 1] per image (a constant map gives zeros). Each method only says how the channel weights α_k are found.
/// </summary>
/// <remarks>
/// TorchSharp runs forward hooks only in <c>Module.call</c>, never in <c>forward</c>: the model is run with
/// <c>call</c>, and the target layer must be reached through <c>call</c> too (torchvision's models and
/// <c>Sequential</c> do); a layer the pass never reached is an error rather than an empty map. The hook is removed
/// in a <c>finally</c>, so none stays behind, also when the model throws.
/// </remarks>
public abstract class CamBase
{
    private const int LayersShownInErrors = 60;

    /// <param name="model">Any module from a batch (N, C, H, W) to scores (N, K); put in evaluation mode on each use.</param>
    /// <param name="targetLayer">The module path of the layer to explain, as <c>named_modules()</c> names it (e.g. <c>features.29</c>).</param>
    protected CamBase(nn.Module<Tensor, Tensor> model, string targetLayer)
    {
        Model = model;
        TargetLayerPath = targetLayer;
        TargetLayer = FindLayer(model, targetLayer);
    }

    /// <summary>The module path of the explained layer.</summary>
    public string TargetLayerPath { get; }

    protected nn.Module<Tensor, Tensor> Model { get; }

    private nn.Module<Tensor, Tensor> TargetLayer { get; }

    /// <summary>True where the weights need dy/dA, so the pass runs with autograd on.</summary>
    protected virtual bool UsesGradients => false;

    /// <summary>The channel weights α (N, K) from what the pass captured.</summary>
    protected abstract Tensor ChannelWeights(CamCapture capture);

    /// <summary>The maps (N, H, W) in [0, 1] and channel weights (N, K) for <paramref name="input"/> (N, C, H, W).</summary>
    /// <param name="input">The batch as the model takes it (already normalised).</param>
    /// <param name="target">What to explain; the predicted class of each image when null.</param>
    public CamResult Explain(Tensor input, CamTarget? target = null)
    {
        if (input.dim() != 4)
            throw new ArgumentException($"A CAM explains a batch (N, C, H, W); this input has shape ({string.Join(", ", input.shape)}).", nameof(input));
        Model.eval();
        using var scope = NewDisposeScope();
        var capture = Capture(input, target ?? CamTarget.Predicted, scope);
        var weights = ChannelWeights(capture).detach();
        var activations = capture.Activations.detach();
        var cam = nn.functional.relu((weights.unsqueeze(-1).unsqueeze(-1) * activations).sum(1, keepdim: true));
        var maps = MinMaxPerMap(Upsample(cam, input.shape[2], input.shape[3])).squeeze(1);
        return new CamResult(maps.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope());
    }

    /// <summary>The maps alone: <see cref="Explain"/>'s <c>Maps</c>.</summary>
    public Tensor Maps(Tensor input, CamTarget? target = null) => Explain(input, target).Maps;

    /// <summary>Bilinear upsampling of (N, K, h, w) to (N, K, H, W) without aligned corners, as the papers' code does.</summary>
    protected static Tensor Upsample(Tensor maps, long height, long width) =>
        nn.functional.interpolate(maps, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);

    /// <summary>
    /// s(M) = (M − min M) / (max M − min M) over the last two dimensions of each map; a constant map becomes zeros
    /// rather than 0/0.
    /// </summary>
    protected static Tensor MinMaxPerMap(Tensor maps)
    {
        var low = maps.amin([-2, -1], keepdim: true);
        var range = maps.amax([-2, -1], keepdim: true) - low;
        return where(range > 0, (maps - low) / where(range > 0, range, ones_like(range)), zeros_like(maps));
    }

    private CamCapture Capture(Tensor input, CamTarget target, DisposeScope scope)
    {
        Tensor? activations = null;
        var hook = TargetLayer.register_forward_hook((_, _, output) =>
        {
            // A copy, so that in-place layers after the target (VGG's ReLU) cannot change what was captured; for
            // gradients a leaf that the rest of the pass reads, so dy/dA comes without touching the model's grads.
            // Kept out of the model's own dispose scopes (torchvision's forward has one), which would free it.
            activations = output.detach().clone().DetachFromDisposeScope();
            if (!UsesGradients) return output;
            activations.requires_grad_(true);
            return activations.clone();
        });
        Tensor output;
        try
        {
            using var mode = UsesGradients ? enable_grad() : no_grad();
            output = Model.call(input);
        }
        finally
        {
            hook.remove();
            if (activations is not null) scope.Attach(activations);
        }
        if (activations is null)
            throw new InvalidOperationException(
                $"The forward pass never reached layer '{TargetLayerPath}' through Module.call (TorchSharp runs hooks only there, " +
                "not in forward). Choose a layer the model calls with call().");
        var scorers = target.PerImage(output.detach());
        Tensor? gradients = null;
        if (UsesGradients)
        {
            var scores = cat(scorers.Select((score, n) => score(output.narrow(0, n, 1))).ToList(), 0);
            gradients = torch.autograd.grad([scores.sum()], [activations])[0];
        }
        return new CamCapture(input, activations.detach(), gradients, scorers);
    }

    private static nn.Module<Tensor, Tensor> FindLayer(nn.Module model, string path)
    {
        var modules = model.named_modules().Where(m => m.name.Length > 0).ToList();
        var found = modules.FirstOrDefault(m => m.name == path).module;
        if (found is nn.Module<Tensor, Tensor> layer) return layer;
        var names = modules.Select(m => m.name).ToList();
        var listed = names.Count <= LayersShownInErrors
            ? string.Join(", ", names)
            : string.Join(", ", names.Take(LayersShownInErrors)) + $", ... ({names.Count - LayersShownInErrors} more)";
        var problem = found is null
            ? $"No layer '{path}' in {model.GetType().Name}."
            : $"Layer '{path}' ({found.GetType().Name}) does not map one tensor to one tensor.";
        throw new ArgumentException($"{problem} Layers: {listed}.", "targetLayer");
    }
}
