using NotebookHelpers.Visualization;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.Glcic;

/// <summary>The pictures of notebook 03 that need more than a grid of images.</summary>
public static class GlcicFigures
{
    /// <summary>
    /// Which input pixels one output pixel of <paramref name="network"/> depends on: the magnitude of the gradient of
    /// the centre output pixel (summed over colours) with respect to every input pixel of a <paramref name="size"/>²
    /// input, (size, size). The network is put in evaluation mode first, because in training mode batch normalisation
    /// would tie every pixel to every other through the batch statistics.
    /// </summary>
    public static Tensor Sensitivity(CompletionNetwork network, int size, int seed = 0)
    {
        using var scope = NewDisposeScope();
        network.eval();
        var device = network.parameters().First().device;
        using var generator = new Generator((ulong)seed, device);
        var input = rand([1, 4, size, size], generator: generator, device: device).requires_grad_(true);
        var output = network.call(input);
        output[0, .., size / 2, size / 2].sum().backward();
        return input.grad!.abs().sum([0, 1]).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>The side of the square that holds every pixel with a non-zero sensitivity (the measured receptive field).</summary>
    public static int SupportSide(Tensor sensitivity)
    {
        using var scope = NewDisposeScope();
        var nonzero = sensitivity > 0;
        var rows = nonzero.any(1).nonzero();
        var columns = nonzero.any(0).nonzero();
        if (rows.shape[0] == 0) return 0;
        long height = rows[-1, 0].item<long>() - rows[0, 0].item<long>() + 1;
        long width = columns[-1, 0].item<long>() - columns[0, 0].item<long>() + 1;
        return (int)Math.Max(height, width);
    }

    /// <summary>A sensitivity map as a picture: log-scaled (a gradient spans many orders of magnitude), zero in dark blue.</summary>
    public static Tensor SensitivityImage(Tensor sensitivity)
    {
        using var scope = NewDisposeScope();
        var positive = sensitivity > 0;
        var logged = (sensitivity + 1e-30).log10();
        var floor = logged.masked_select(positive).min();
        var scaled = where(positive, (logged - floor + 0.5), zeros_like(logged));
        return Colormaps.Apply(scaled / scaled.max().clamp_min(1e-12), Colormap.Jet).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The absolute error of a completion against the original, (3,H,W), averaged over colours and shown with a
    /// colour map scaled to <paramref name="scale"/> (the same for the images compared, so their colours agree).
    /// </summary>
    public static Tensor ErrorImage(Tensor original, Tensor completed, double scale = 0.5)
    {
        using var scope = NewDisposeScope();
        var error = (completed - original).abs().mean([0]);
        return Colormaps.Apply((error / scale).clamp(0, 1), Colormap.Jet).MoveToOuterDisposeScope();
    }
}
