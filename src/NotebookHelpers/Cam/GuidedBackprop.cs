using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Cam;

/// <summary>
/// Guided Backpropagation (Springenberg et al. 2015): the gradient of the target with respect to the input, where every
/// ReLU's backward pass lets through only positive gradients at positive inputs,
/// R^l = [f^l > 0] · [R^(l+1) > 0] · R^(l+1), instead of the plain R^l = [f^l > 0] · R^(l+1). Negative evidence is
/// dropped at every rectifier, so the result shows the input's fine detail that raises the target, at the input's
/// resolution; Guided Grad-CAM multiplies it by a CAM to make it class-discriminative (<see cref="CamDisplays.Guided"/>).
/// The target is as for <see cref="GradCam"/>: the predicted class's logit by default, a class's logit, or any function
/// of the raw output.
/// </summary>
/// <remarks>
/// <para>
/// TorchSharp 0.107 has no tensor gradient hooks and no module backward hooks, but it has custom autograd functions
/// (<c>torch.autograd.SingleTensorFunction</c>) and forward hooks that may replace a module's output. Each rectifier
/// gets a forward hook, for this one pass, that routes its output y = ReLU(x) through a guide that is the identity
/// forward and g · [y &gt; 0] · [g &gt; 0] backward. Since [y &gt; 0] = [x &gt; 0], and the ReLU's own backward then
/// multiplies by [x &gt; 0] once more, the pair is exactly the guided ReLU; and it is right whether the ReLU ran in
/// place (torchvision's VGG, whose input then is its output) or not. The model's modules are never replaced: the hooks
/// are removed in a <c>finally</c>, also when the model or the target throws, and the gradient is taken with
/// <c>torch.autograd.grad</c> on a copy of the input, so the parameters' <c>grad</c> stay as they were.
/// </para>
/// <para>
/// Guided are the ReLUs that are <c>nn.ReLU</c> modules reached through <c>Module.call</c> (every one of torchvision's
/// VGG) and the residual blocks of torchvision's ResNet (<c>BasicBlock</c>, <c>Bottleneck</c>), whose forward ends in
/// a functional <c>relu_()</c> after the skip addition: their output is that ReLU's output, so the guide goes there.
/// A ReLU applied as a function anywhere else (<c>functional.relu</c>, <c>Tensor.relu</c>) cannot be seen from outside
/// the module and passes gradients unguided; so do other rectifiers (LeakyReLU, ReLU6, GELU). A model in which no
/// rectifier is reached is an error rather than a plain gradient under another name.
/// </para>
/// </remarks>
public sealed class GuidedBackprop
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly IReadOnlyList<nn.Module<Tensor, Tensor>> rectifiers;

    /// <param name="model">Any module from a batch (N, C, H, W) to scores (N, K); put in evaluation mode on each use.</param>
    public GuidedBackprop(nn.Module<Tensor, Tensor> model)
    {
        this.model = model;
        rectifiers = Rectifiers(model);
        if (rectifiers.Count == 0)
            throw new ArgumentException(
                $"{model.GetType().Name} has no nn.ReLU module and no torchvision ResNet block, so guided backpropagation has no ReLU to guide.",
                nameof(model));
    }

    /// <summary>The guided gradients ∂y/∂x (N, C, H, W) of the target at <paramref name="input"/>, raw (not normalised).</summary>
    /// <param name="input">The batch as the model takes it (already normalised).</param>
    /// <param name="target">What to explain; the predicted class of each image when null.</param>
    public Tensor Gradients(Tensor input, CamTarget? target = null)
    {
        if (input.dim() != 4)
            throw new ArgumentException($"Guided backpropagation explains a batch (N, C, H, W); this input has shape ({string.Join(", ", input.shape)}).", nameof(input));
        model.eval();
        using var scope = NewDisposeScope();
        var leaf = input.detach().clone().requires_grad_(true);
        var output = GuidedForward(leaf);
        var scorers = (target ?? CamTarget.Predicted).PerImage(output.detach());
        var scores = cat(scorers.Select((score, n) => score(output.narrow(0, n, 1))).ToList(), 0);
        return torch.autograd.grad([scores.sum()], [leaf])[0].detach().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A guided gradient (N, C, H, W) shown as an image, as guided backpropagation is usually shown: per image,
    /// (g − mean g) / (std g + 10⁻⁵) · 0.1 + 0.5, clipped to [0, 1], the mean and (population) standard deviation over
    /// all of the image's values. Zero gradient is mid-grey; ±5 standard deviations reach black and white.
    /// </summary>
    public static Tensor Displayable(Tensor gradients)
    {
        using var scope = NewDisposeScope();
        var mean = gradients.mean([1, 2, 3], keepdim: true);
        var std = gradients.std([1, 2, 3], unbiased: false, keepdim: true);
        return ((gradients - mean) / (std + 1e-5) * 0.1 + 0.5).clamp(0, 1).MoveToOuterDisposeScope();
    }

    private Tensor GuidedForward(Tensor leaf)
    {
        var reached = 0;
        var hooks = new List<Action>();
        try
        {
            foreach (var rectifier in rectifiers)
                hooks.Add(rectifier.register_forward_hook((_, _, rectified) =>
                {
                    reached++;
                    return GuidedRectifier.apply(rectified);
                }).remove);
            using var grad = enable_grad();
            var output = model.call(leaf);
            if (reached == 0)
                throw new InvalidOperationException(
                    $"The forward pass of {model.GetType().Name} reached none of its ReLU modules through Module.call, so nothing was guided.");
            return output;
        }
        finally
        {
            foreach (var remove in hooks) remove();
        }
    }

    /// <summary>Every module whose output is a ReLU's: <c>nn.ReLU</c>, and torchvision's ResNet blocks.</summary>
    private static List<nn.Module<Tensor, Tensor>> Rectifiers(nn.Module model) =>
        model.named_modules()
            .Select(m => m.module)
            .Where(m => m is TorchSharp.Modules.ReLU || IsResNetBlock(m))
            .Distinct()
            .Cast<nn.Module<Tensor, Tensor>>()
            .ToList();

    private static bool IsResNetBlock(nn.Module module) =>
        module.GetType() is { DeclaringType: var owner, Name: "BasicBlock" or "Bottleneck" } && owner == typeof(TorchSharp.Modules.ResNet);

    /// <summary>
    /// The guide behind a ReLU: forward, its output y unchanged (a copy); backward, g · [y &gt; 0] · [g &gt; 0].
    /// It saves the mask [y &gt; 0], not y, so later in-place layers cannot change what backward reads.
    /// </summary>
    private sealed class GuidedRectifier : torch.autograd.SingleTensorFunction<GuidedRectifier>
    {
        public override string Name => nameof(GuidedRectifier);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var rectified = (Tensor)vars[0];
            ctx.save_for_backward([rectified > 0]);
            return rectified.clone();
        }

        public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output) =>
            [grad_output.clamp_min(0) * ctx.get_saved_variables()[0]];
    }
}
