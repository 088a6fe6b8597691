using System.Globalization;

namespace NotebookHelpers.Training;

/// <summary>A training loss became NaN or infinite: the run has diverged and further steps only spread the NaNs.</summary>
public sealed class NonFiniteLossException : Exception
{
    public NonFiniteLossException(string name, long step, double value, double? lastFiniteValue)
        : base(Describe(name, step, value, lastFiniteValue))
    {
        Name = name;
        Step = step;
        Value = value;
        LastFiniteValue = lastFiniteValue;
    }

    /// <summary>The loss's name, as given to <see cref="LossGuard.Check(TorchSharp.torch.Tensor, long, string)"/>.</summary>
    public string Name { get; }

    /// <summary>The step at which the loss was first seen non-finite.</summary>
    public long Step { get; }

    /// <summary>NaN, +∞ or -∞.</summary>
    public double Value { get; }

    /// <summary>The last finite value checked under the same name, or null if there was none.</summary>
    public double? LastFiniteValue { get; }

    static string Describe(string name, long step, double value, double? lastFiniteValue)
    {
        var what = double.IsNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
        var last = lastFiniteValue is { } v
            ? $"last finite value {v.ToString("G3", CultureInfo.InvariantCulture)}"
            : "no finite value before";
        return $"Loss '{name}' became {what} at step {step} ({last}). Lower the learning rate or check the inputs.";
    }
}
