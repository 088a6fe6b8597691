using static TorchSharp.torch;

namespace NotebookHelpers.Visualization;

/// <summary>Heatmaps (saliency maps, CAMs) blended over the images they explain.</summary>
public static class Overlay
{
    /// <summary>
    /// Blends the jet-coloured <paramref name="map"/> over <paramref name="image"/>:
    /// <c>(1 - alpha) · image + alpha · jet(map)</c>.
    /// </summary>
    /// <param name="image">RGB in [0, 1]: (3,H,W), or a batch (N,3,H,W).</param>
    /// <param name="map">(h,w) or (1,h,w) for one image, (N,1,h,w) or (N,h,w) for a batch; resized bilinearly to H×W if its size differs.</param>
    /// <param name="alpha">The heatmap's weight: 0 gives the image, 1 the heatmap alone.</param>
    /// <param name="normalize">Min-max normalise each map to [0, 1] first (a constant map becomes 0); otherwise values are clamped to [0, 1].</param>
    /// <returns>float32, the image's shape, on the image's device.</returns>
    public static Tensor Heatmap(Tensor image, Tensor map, double alpha = 0.5, bool normalize = true)
    {
        if (alpha is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in [0, 1].");
        var batched = image.dim() == 4;
        if (!(image.dim() is 3 or 4 && image.shape[^3] == 3))
            throw new ArgumentException($"The image must be (3,H,W) or (N,3,H,W), not [{string.Join(", ", image.shape)}].", nameof(image));
        long n = batched ? image.shape[0] : 1, height = image.shape[^2], width = image.shape[^1];

        using var scope = NewDisposeScope();
        var maps = ToBatch(map, n).to(image.device).to_type(ScalarType.Float32);   // (N,1,h,w)
        if (normalize) maps = Colormaps.Normalize(maps);
        if (maps.shape[2] != height || maps.shape[3] != width)
            maps = nn.functional.interpolate(maps, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
        var heat = Colormaps.Apply(maps, Colormap.Jet);                                 // (N,3,H,W)
        var blended = (1 - alpha) * image.to_type(ScalarType.Float32).reshape(n, 3, height, width) + alpha * heat;
        return (batched ? blended : blended.squeeze(0)).MoveToOuterDisposeScope();
    }

    static Tensor ToBatch(Tensor map, long n) => map.dim() switch
    {
        2 when n == 1 => map.view(1, 1, map.shape[0], map.shape[1]),
        3 when map.shape[0] == n => map.unsqueeze(1),
        4 when map.shape[0] == n && map.shape[1] == 1 => map,
        _ => throw new ArgumentException(
            $"The map [{string.Join(", ", map.shape)}] does not fit {n} image(s): use (h,w) or (1,h,w) for one image, (N,1,h,w) or (N,h,w) for a batch.", nameof(map)),
    };
}
