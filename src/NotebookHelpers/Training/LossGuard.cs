using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace NotebookHelpers.Training;

/// <summary>
/// Stops training at the first NaN or infinite loss, with a message that says which loss, at which step, and what
/// its last finite value was, instead of letting NaN weights surface much later as a black image or a flat metric.
/// </summary>
/// <remarks>
/// <see cref="Check(Tensor, long, string)"/> reads the loss with <c>item&lt;float&gt;()</c>, which waits for the device
/// (a GPU sync). Training loops read the loss to log it anyway, so use the returned value for logging and the check
/// costs nothing extra. The last finite value per name is shared by the whole process; <see cref="Reset"/> clears it
/// when a new run starts in the same notebook kernel.
/// </remarks>
public static class LossGuard
{
    static readonly ConcurrentDictionary<string, double> LastFinite = new(StringComparer.Ordinal);

    /// <summary>Returns the scalar <paramref name="loss"/>'s value, or throws if it is NaN or ±∞.</summary>
    /// <exception cref="NonFiniteLossException">The loss is NaN or infinite.</exception>
    public static float Check(Tensor loss, long step, string name = "loss")
    {
        if (loss.numel() != 1)
            throw new ArgumentException($"Loss '{name}' must be a scalar, but has shape [{string.Join(", ", loss.shape)}].", nameof(loss));
        using var scalar = loss.detach().to_type(ScalarType.Float32);
        var value = scalar.item<float>();
        Check(value, step, name);
        return value;
    }

    /// <summary>Throws if <paramref name="value"/> is NaN or ±∞; otherwise remembers it as the last finite value of <paramref name="name"/>.</summary>
    /// <exception cref="NonFiniteLossException">The value is NaN or infinite.</exception>
    public static void Check(double value, long step, string name = "loss")
    {
        if (double.IsFinite(value))
        {
            LastFinite[name] = value;
            return;
        }
        throw new NonFiniteLossException(name, step, value, LastFinite.TryGetValue(name, out var last) ? last : null);
    }

    /// <summary>Forgets the last finite value of one loss, or of all losses when <paramref name="name"/> is null.</summary>
    public static void Reset(string? name = null)
    {
        if (name is null) LastFinite.Clear();
        else LastFinite.TryRemove(name, out _);
    }
}
