using NotebookHelpers.Core;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace NotebookHelpers.Imaging;

/// <summary>The channel statistics of ImageNet that every torchvision backbone was trained with.</summary>
public static class ImageNet
{
    public static IReadOnlyList<float> Mean { get; } = [0.485f, 0.456f, 0.406f];
    public static IReadOnlyList<float> Std { get; } = [0.229f, 0.224f, 0.225f];
}

/// <summary>
/// torchvision's tensor transforms for an image (C,H,W) or a batch (N,C,H,W); crops and flips also take a
/// class-id map (H,W). Every transform stays on the input's device; a batch gets one and the same transform.
/// </summary>
public static class ImageTransforms
{
    /// <summary>
    /// Resizes to (<paramref name="height"/>, <paramref name="width"/>) as torchvision's <c>Resize</c> does on tensors:
    /// <c>align_corners=False</c>, and antialiased when shrinking with bilinear or bicubic (torchvision's default since 0.17).
    /// Use <see cref="ResizeLabels"/> for class-id maps.
    /// </summary>
    public static Tensor Resize(Tensor x, int height, int width,
        InterpolationMode mode = InterpolationMode.Bilinear, bool antialias = true)
    {
        RequireImage(x, "Resize");
        var smooth = mode is InterpolationMode.Bilinear or InterpolationMode.Bicubic;
        if (smooth && !x.is_floating_point())
            throw new ArgumentException(
                $"Resize with {mode} needs floating-point images, got {x.dtype}; use ResizeLabels for class-id maps.",
                nameof(x));
        return OnBatch(x, batch => F.interpolate(batch, [height, width], mode: mode,
            align_corners: smooth ? false : null, antialias: smooth && antialias));
    }

    /// <summary>
    /// Resizes a class-id map (H,W) or batch (N,H,W) with nearest-neighbour (PyTorch's <c>nearest</c>),
    /// so every output id is an id of the input.
    /// </summary>
    public static Tensor ResizeLabels(Tensor ids, int height, int width)
    {
        if (ids.dim() is not (2 or 3) || ids.is_floating_point())
            throw new ArgumentException(
                $"ResizeLabels expects integer class ids (H,W) or (N,H,W), got {ids.dtype} of shape {Shapes.Format(ids)}.",
                nameof(ids));
        using var scope = NewDisposeScope();
        var asBatch = ids.dim() == 2 ? ids.unsqueeze(0).unsqueeze(0) : ids.unsqueeze(1);
        // Nearest only copies values; float32 carries every id below 2^24 exactly.
        var resized = F.interpolate(asBatch.to(ScalarType.Float32), [height, width], mode: InterpolationMode.Nearest)
            .to(ids.dtype);
        var result = ids.dim() == 2 ? resized.squeeze(0).squeeze(0) : resized.squeeze(1);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// torchvision's <c>Resize(size)</c> with one int: the shorter side becomes <paramref name="size"/>, the longer
    /// keeps the aspect ratio, truncated as torchvision does (<c>int(size * long / short)</c>).
    /// </summary>
    public static Tensor ResizeShorterSide(Tensor x, int size,
        InterpolationMode mode = InterpolationMode.Bilinear, bool antialias = true)
    {
        RequireImage(x, "ResizeShorterSide");
        var (height, width) = (x.shape[^2], x.shape[^1]);
        var (shorter, longer) = height <= width ? (height, width) : (width, height);
        var newLonger = (int)(size * longer / (double)shorter);
        return height <= width
            ? Resize(x, size, newLonger, mode, antialias)
            : Resize(x, newLonger, size, mode, antialias);
    }

    /// <summary>The window of <paramref name="height"/>×<paramref name="width"/> pixels whose top-left pixel is (top, left).</summary>
    public static Tensor Crop(Tensor x, int top, int left, int height, int width)
    {
        RequireSpatial(x, "Crop");
        var (imageHeight, imageWidth) = (x.shape[^2], x.shape[^1]);
        if (top < 0 || left < 0 || height <= 0 || width <= 0 || top + height > imageHeight || left + width > imageWidth)
            throw new ArgumentException(
                $"Crop (top={top}, left={left}, {height}x{width}) does not fit in an image of {imageHeight}x{imageWidth}.");
        return x.narrow(-2, top, height).narrow(-1, left, width);
    }

    /// <summary>The central window, placed as torchvision's <c>CenterCrop</c> places it (offsets rounded half to even).</summary>
    public static Tensor CenterCrop(Tensor x, int height, int width)
    {
        RequireSpatial(x, "CenterCrop");
        var top = (int)Math.Round((x.shape[^2] - height) / 2.0, MidpointRounding.ToEven);
        var left = (int)Math.Round((x.shape[^1] - width) / 2.0, MidpointRounding.ToEven);
        return Crop(x, top, left, height, width);
    }

    /// <summary>A window at a uniformly random place; draw the place once with <see cref="RandomCropOrigin"/> to crop an image and its labels alike.</summary>
    public static Tensor RandomCrop(Tensor x, int height, int width, Generator? generator = null)
    {
        RequireSpatial(x, "RandomCrop");
        var (top, left) = RandomCropOrigin(x.shape[^2], x.shape[^1], height, width, generator);
        return Crop(x, top, left, height, width);
    }

    /// <summary>A uniformly random top-left corner for a <paramref name="height"/>×<paramref name="width"/> window inside an image.</summary>
    public static (int Top, int Left) RandomCropOrigin(long imageHeight, long imageWidth, int height, int width,
        Generator? generator = null)
    {
        if (height > imageHeight || width > imageWidth)
            throw new ArgumentException($"A {height}x{width} crop does not fit in an image of {imageHeight}x{imageWidth}.");
        using var scope = NewDisposeScope();
        var top = torch.randint(0, imageHeight - height + 1, [1], generator: generator).item<long>();
        var left = torch.randint(0, imageWidth - width + 1, [1], generator: generator).item<long>();
        return ((int)top, (int)left);
    }

    /// <summary>Mirrors left to right.</summary>
    public static Tensor HorizontalFlip(Tensor x)
    {
        RequireSpatial(x, "HorizontalFlip");
        return x.flip(-1);
    }

    /// <summary>(x − mean) / std per channel.</summary>
    public static Tensor Normalize(Tensor x, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        var (meanColumn, stdColumn) = ChannelColumns(x, mean, std, "Normalize");
        using (meanColumn)
        using (stdColumn)
            return x.sub(meanColumn).div_(stdColumn);
    }

    /// <summary>x · std + mean per channel: undoes <see cref="Normalize"/>.</summary>
    public static Tensor Denormalize(Tensor x, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        var (meanColumn, stdColumn) = ChannelColumns(x, mean, std, "Denormalize");
        using (meanColumn)
        using (stdColumn)
            return x.mul(stdColumn).add_(meanColumn);
    }

    /// <summary>Normalises an RGB image or batch in [0,1] with <see cref="ImageNet"/>'s statistics.</summary>
    public static Tensor NormalizeImageNet(Tensor x) => Normalize(x, ImageNet.Mean, ImageNet.Std);

    /// <summary>Back from ImageNet-normalised values to RGB in [0,1] (not clamped), for display.</summary>
    public static Tensor DenormalizeImageNet(Tensor x) => Denormalize(x, ImageNet.Mean, ImageNet.Std);

    private static (Tensor Mean, Tensor Std) ChannelColumns(Tensor x, IReadOnlyList<float> mean, IReadOnlyList<float> std,
        string method)
    {
        RequireImage(x, method);
        if (!x.is_floating_point())
            throw new ArgumentException($"{method} needs floating-point images, got {x.dtype}.", nameof(x));
        var channels = x.shape[^3];
        if (mean.Count != channels || std.Count != channels)
            throw new ArgumentException(
                $"{method}: the image has {channels} channels but mean has {mean.Count} and std {std.Count} values.");
        return (Column(mean, x), Column(std, x));
    }

    private static Tensor Column(IReadOnlyList<float> values, Tensor like) =>
        torch.tensor(values.ToArray(), [values.Count, 1, 1], dtype: like.dtype, device: like.device);

    private static Tensor OnBatch(Tensor x, Func<Tensor, Tensor> transform)
    {
        if (x.dim() == 4)
            return transform(x);
        using var scope = NewDisposeScope();
        return transform(x.unsqueeze(0)).squeeze(0).MoveToOuterDisposeScope();
    }

    private static void RequireImage(Tensor x, string method)
    {
        if (x.dim() is not (3 or 4))
            throw new ArgumentException(
                $"{method} expects an image (C,H,W) or a batch (N,C,H,W), got shape {Shapes.Format(x)}.", nameof(x));
    }

    private static void RequireSpatial(Tensor x, string method)
    {
        if (x.dim() is not (2 or 3 or 4))
            throw new ArgumentException(
                $"{method} expects a map (H,W), an image (C,H,W) or a batch (N,C,H,W), got shape {Shapes.Format(x)}.", nameof(x));
    }

}
