using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Cam;

/// <summary>
/// Ways of showing a CAM beyond the plain heatmap overlay: multiplied into a guided gradient (Guided Grad-CAM and its
/// kin), sharpened by a steep sigmoid (the seed article), or multiplied into the image's own edges. Each returns values
/// in [0, 1], ready for <c>ImageIO</c> or a colormap.
/// </summary>
public static class CamDisplays
{
    /// <summary>
    /// Guided Grad-CAM (Selvaraju et al. 2017) and the like: the guided gradients
    /// <paramref name="gradients"/> (N, C, H, W) multiplied pixel by pixel by the CAM <paramref name="maps"/> (N, H, W),
    /// so the fine detail survives only where the class's map is strong, shown with
    /// <see cref="GuidedBackprop.Displayable"/>. Returns (N, C, H, W) in [0, 1].
    /// </summary>
    public static Tensor Guided(Tensor gradients, Tensor maps)
    {
        RequireMaps(maps, gradients.shape[0], gradients.shape[2], gradients.shape[3], "the guided gradients");
        using var scope = NewDisposeScope();
        return GuidedBackprop.Displayable(gradients * maps.unsqueeze(1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The seed article's emphasis: the map in [0, 1] through a steep sigmoid, c / (1 + exp(−a (x − b))), before it is
    /// coloured. A weak diffuse map (a CAM of a texture, say) spreads over a narrow band of values; the sigmoid pushes
    /// that band apart around <paramref name="b"/>, so what is above it reads as hot and the rest as cold. 0.5 maps to
    /// c/2. Any shape.
    /// </summary>
    /// <param name="maps">Values in [0, 1].</param>
    /// <param name="a">The steepness (50: seed article).</param>
    /// <param name="b">The value that maps to c/2 (0.5: seed article).</param>
    /// <param name="c">The height (1: seed article).</param>
    public static Tensor Emphasized(Tensor maps, double a = 50, double b = 0.5, double c = 1)
    {
        using var scope = NewDisposeScope();
        return (c * sigmoid(a * (maps - b))).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A gradient × CAM display that needs no backward pass: the Sobel gradient magnitude √(Gx² + Gy²) of the grey
    /// image, min-max normalised per image (a flat image gives zeros), times the map. The 3×3 Sobel kernels run on a
    /// border replicated by one pixel, so the image's frame is no edge. An RGB image is made grey with the ITU-R BT.601
    /// weights 0.299 R + 0.587 G + 0.114 B (OpenCV's <c>cvtColor</c> to grey).
    /// </summary>
    /// <param name="image">RGB (N, 3, H, W) or grey (N, 1, H, W), in [0, 1] (not normalised for a model).</param>
    /// <param name="maps">The CAMs (N, H, W) in [0, 1].</param>
    /// <returns>(N, H, W) in [0, 1].</returns>
    public static Tensor SobelTimesCam(Tensor image, Tensor maps)
    {
        if (image.dim() != 4 || image.shape[1] is not (1 or 3))
            throw new ArgumentException($"The image must be RGB (N, 3, H, W) or grey (N, 1, H, W), not ({string.Join(", ", image.shape)}).", nameof(image));
        RequireMaps(maps, image.shape[0], image.shape[2], image.shape[3], "the image");
        using var scope = NewDisposeScope();
        var edges = MinMaxPerImage(SobelMagnitude(Grey(image.to_type(ScalarType.Float32))));
        return (edges.squeeze(1) * maps).MoveToOuterDisposeScope();
    }

    private static Tensor Grey(Tensor image) =>
        image.shape[1] == 1
            ? image
            : (tensor(new[] { 0.299f, 0.587f, 0.114f }, device: image.device).view(1, 3, 1, 1) * image).sum(1, keepdim: true);

    /// <summary>√(Gx² + Gy²) of (N, 1, H, W), with Gx = [−1 0 1; −2 0 2; −1 0 1] (as a correlation) and Gy its transpose.</summary>
    private static Tensor SobelMagnitude(Tensor grey)
    {
        var gx = tensor(new float[] { -1, 0, 1, -2, 0, 2, -1, 0, 1 }, device: grey.device).view(1, 1, 3, 3);
        var gy = gx.transpose(2, 3);
        var padded = nn.functional.pad(grey, [1, 1, 1, 1], PaddingModes.Replicate);
        var x = nn.functional.conv2d(padded, gx);
        var y = nn.functional.conv2d(padded, gy);
        return (x * x + y * y).sqrt();
    }

    private static Tensor MinMaxPerImage(Tensor x)
    {
        var low = x.amin([1, 2, 3], keepdim: true);
        var range = x.amax([1, 2, 3], keepdim: true) - low;
        return where(range > 0, (x - low) / where(range > 0, range, ones_like(range)), zeros_like(x));
    }

    private static void RequireMaps(Tensor maps, long n, long height, long width, string what)
    {
        if (maps.dim() != 3 || maps.shape[0] != n || maps.shape[1] != height || maps.shape[2] != width)
            throw new ArgumentException(
                $"The maps ({string.Join(", ", maps.shape)}) must be (N, H, W) = ({n}, {height}, {width}) to fit {what}.", nameof(maps));
    }
}
