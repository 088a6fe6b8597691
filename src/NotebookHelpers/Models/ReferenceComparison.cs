using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Models;

/// <summary>How far this library's forward pass is from a reference framework's on the same input.</summary>
public sealed record ReferenceComparison(BackboneKind Model, long[] InputShape, double MaxAbsDifference, double MaxAbsLogit)
{
    /// <summary>
    /// Loads <paramref name="weightsPath"/> into <paramref name="kind"/>, runs the input stored under <c>input</c> in
    /// <paramref name="referencePath"/> (a checkpoint written with <c>torch.save({"input": x, "logits": y})</c>), and
    /// compares the result with the stored <c>logits</c>, in float32 on the CPU.
    /// </summary>
    public static ReferenceComparison Run(BackboneKind kind, string weightsPath, string referencePath)
    {
        var reference = PretrainedWeights.ReadStateDict(referencePath);
        if (!reference.TryGetValue("input", out var input) || !reference.TryGetValue("logits", out var expected))
            throw new WeightsLoadException($"{referencePath} must hold the tensors 'input' and 'logits' (torch.save({{\"input\": x, \"logits\": model(x)}})).");
        using var model = Backbones.Create(kind);
        PretrainedWeights.Load(model, weightsPath, kind);
        using var noGrad = no_grad();
        using var logits = model.call(input.to(float32));
        if (!logits.shape.SequenceEqual(expected.shape))
            throw new WeightsLoadException($"The model gives logits {string.Join("x", logits.shape)}, the reference {string.Join("x", expected.shape)}.");
        var difference = (logits - expected.to(float32)).abs().max().item<float>();
        var magnitude = expected.abs().max().item<float>();
        return new ReferenceComparison(kind, input.shape, difference, magnitude);
    }
}
