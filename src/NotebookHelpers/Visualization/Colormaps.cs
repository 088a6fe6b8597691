using static TorchSharp.torch;

namespace NotebookHelpers.Visualization;

/// <summary>A colormap from a scalar in [0, 1] to RGB.</summary>
public enum Colormap
{
    /// <summary>MATLAB's jet: dark blue, blue, cyan, yellow, red, dark red; the usual colouring of saliency maps and CAMs.</summary>
    Jet,
    /// <summary>Black to white.</summary>
    Gray,
}

/// <summary>Turns scalar maps (saliency, CAM, depth, error) into RGB images with tensor operations, on the map's device.</summary>
public static class Colormaps
{
    /// <summary>
    /// Colours <paramref name="map"/>, with values in [0, 1] (clamped), as RGB in [0, 1]: (H,W) or (1,H,W) becomes
    /// (3,H,W); a batch (N,1,H,W) becomes (N,3,H,W). The result is float32 on the map's device. With
    /// <paramref name="normalize"/>, each map is first stretched to [0, 1] (<see cref="Normalize"/>).
    /// </summary>
    /// <remarks>
    /// Jet is the piecewise-linear limit of MATLAB's <c>jet(n)</c>: each channel is a trapezoid of height 1,
    /// rising over a quarter of the range, flat over half, falling over a quarter, offset by a quarter per channel:
    /// <code>
    /// r(x) = clamp(1.5 - |4x - 3|, 0, 1)
    /// g(x) = clamp(1.5 - |4x - 2|, 0, 1)
    /// b(x) = clamp(1.5 - |4x - 1|, 0, 1)
    /// </code>
    /// Known points: 0 → (0, 0, 0.5) dark blue; 0.125 → (0, 0, 1) blue; 0.375 → (0, 1, 1) cyan; 0.5 → (0.5, 1, 0.5);
    /// 0.625 → (1, 1, 0) yellow; 0.875 → (1, 0, 0) red; 1 → (0.5, 0, 0) dark red.
    /// </remarks>
    public static Tensor Apply(Tensor map, Colormap colormap = Colormap.Jet, bool normalize = false)
    {
        if (normalize) map = Normalize(map);
        var channelDim = map.dim() switch
        {
            2 => 0,
            3 when map.shape[0] == 1 => 0,
            4 when map.shape[1] == 1 => 1,
            _ => throw new ArgumentException(
                $"A colormap needs a map of shape (H,W), (1,H,W) or (N,1,H,W), not [{string.Join(", ", map.shape)}].", nameof(map)),
        };
        using var scope = NewDisposeScope();
        var x = map.dim() == 2 ? map : map.squeeze(channelDim);
        x = x.to_type(ScalarType.Float32).clamp(0, 1);
        var rgb = colormap switch
        {
            Colormap.Jet => stack([Trapezoid(x, 3), Trapezoid(x, 2), Trapezoid(x, 1)], channelDim),
            Colormap.Gray => stack([x, x, x], channelDim),
            _ => throw new ArgumentOutOfRangeException(nameof(colormap), colormap, null),
        };
        return rgb.MoveToOuterDisposeScope();
    }

    static Tensor Trapezoid(Tensor x, double centre) => (1.5 - (4 * x - centre).abs()).clamp(0, 1);

    /// <summary>
    /// Each map min-max normalised to [0, 1] over its own pixels (a constant map becomes 0), so that maps of any range
    /// use the whole colour scale: (H,W), (1,H,W) or (N,1,H,W).
    /// </summary>
    public static Tensor Normalize(Tensor map)
    {
        using var scope = NewDisposeScope();
        var x = map.to_type(ScalarType.Float32);
        var low = x.amin([-2, -1], keepdim: true);
        var range = x.amax([-2, -1], keepdim: true) - low;
        return ((x - low) / range.clamp_min(1e-12)).MoveToOuterDisposeScope();
    }
}
