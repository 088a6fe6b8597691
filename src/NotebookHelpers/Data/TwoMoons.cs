using static TorchSharp.torch;

namespace NotebookHelpers.Data;

/// <summary>
/// Two interleaving half circles in the plane, a classic first dataset: not linearly separable, so a model needs a
/// hidden layer, yet small enough to train in a second on a CPU. Class 0 is the upper moon, class 1 the lower one.
/// </summary>
public static class TwoMoons
{
    /// <summary><paramref name="count"/> points (count, 2) and labels (count) int64, with Gaussian noise of std <paramref name="noise"/>.</summary>
    public static (Tensor Points, Tensor Labels) Generate(int count, double noise = 0.1, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        int upper = count / 2, lower = count - upper;
        // Upper moon: (cos t, sin t), t in [0, pi]; lower moon: (1 - cos t, 0.5 - sin t).
        var tUpper = linspace(0, Math.PI, upper);
        var tLower = linspace(0, Math.PI, lower);
        var points = cat([
            stack([tUpper.cos(), tUpper.sin()], 1),
            stack([1 - tLower.cos(), 0.5 - tLower.sin()], 1),
        ]).to(float32);
        points += randn(points.shape, generator: generator) * noise;
        var labels = cat([zeros(upper, ScalarType.Int64), ones(lower, ScalarType.Int64)]);
        var order = randperm(count, generator: generator);
        return (points[order], labels[order]);
    }
}
