using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.Glcic;

/// <summary>A rectangle of pixels: rows [Top, Top + Height), columns [Left, Left + Width).</summary>
public readonly record struct PixelBox(int Top, int Left, int Height, int Width)
{
    public int Bottom => Top + Height;
    public int Right => Left + Width;

    /// <summary>Whether <paramref name="inner"/> lies entirely inside this box.</summary>
    public bool Contains(PixelBox inner) => inner.Top >= Top && inner.Left >= Left && inner.Bottom <= Bottom && inner.Right <= Right;
}

/// <summary>How the training holes are drawn, with the paper's values at 256×256 as defaults (§4: "the holes are
/// randomly generated with a size of [96, 128] pixels on each side"; the local discriminator sees a 128×128 patch).</summary>
public sealed record HoleMaskConfig
{
    /// <summary>The side of the square training images.</summary>
    public int ImageSize { get; init; } = 256;

    /// <summary>The smallest side of a rectangular hole (§4: 96).</summary>
    public int MinHole { get; init; } = 96;

    /// <summary>The largest side of a rectangular hole (§4: 128).</summary>
    public int MaxHole { get; init; } = 128;

    /// <summary>The side of the local patch that contains the hole (§3.2: 128).</summary>
    public int LocalSize { get; init; } = 128;

    /// <summary>
    /// Free-form strokes inside the local patch instead of a rectangle (the authors released a second model trained on
    /// such masks, <c>completionnet_places2_freeform.t7</c>; the paper trains on rectangles).
    /// </summary>
    public bool FreeForm { get; init; }

    /// <summary>The paper's proportions at another image size: holes of 3/8 to 1/2 of the side, a patch of half the side.</summary>
    public static HoleMaskConfig For(int imageSize)
    {
        if (imageSize < 64 || imageSize % 64 != 0)
            throw new ArgumentException($"Image size {imageSize}: give a multiple of 64 (the global discriminator's six stride-2 convolutions halve it six times, the local one's five halve half of it five times): 64, 128, 256.", nameof(imageSize));
        return new HoleMaskConfig { ImageSize = imageSize, MinHole = imageSize * 3 / 8, MaxHole = imageSize / 2, LocalSize = imageSize / 2 };
    }
}

/// <summary>
/// One batch of holes: the masks (N,1,S,S) float with 1 in the hole, the hole's bounding box and the local patch
/// around it, for each image.
/// </summary>
public sealed record HoleBatch(Tensor Masks, IReadOnlyList<PixelBox> Holes, IReadOnlyList<PixelBox> Patches) : IDisposable
{
    public void Dispose() => Masks.Dispose();
}

/// <summary>
/// The masks of §4. As in the paper, the local patch is placed first, anywhere in the image, and the hole inside it,
/// so the patch the local discriminator sees always contains the whole hole, and a real image's patch (a "random
/// mask Md", eq. 2) is drawn the same way.
/// </summary>
public static class HoleMasks
{
    /// <summary>Draws <paramref name="count"/> holes and their patches from <paramref name="generator"/>.</summary>
    public static HoleBatch Sample(int count, HoleMaskConfig config, Generator generator)
    {
        Validate(config);
        var masks = zeros(count, 1, config.ImageSize, config.ImageSize);
        var holes = new PixelBox[count];
        var patches = new PixelBox[count];
        for (int i = 0; i < count; i++)
        {
            var patch = new PixelBox(Uniform(0, config.ImageSize - config.LocalSize, generator), Uniform(0, config.ImageSize - config.LocalSize, generator), config.LocalSize, config.LocalSize);
            patches[i] = patch;
            if (config.FreeForm)
            {
                using var stroke = FreeFormStrokes(patch, config.ImageSize, generator);
                masks[i, 0].copy_(stroke);
                holes[i] = BoundingBox(stroke) ?? patch;
            }
            else
            {
                int h = Uniform(config.MinHole, config.MaxHole, generator), w = Uniform(config.MinHole, config.MaxHole, generator);
                var hole = new PixelBox(patch.Top + Uniform(0, config.LocalSize - h, generator), patch.Left + Uniform(0, config.LocalSize - w, generator), h, w);
                holes[i] = hole;
                masks[i, 0, hole.Top..hole.Bottom, hole.Left..hole.Right] = 1;
            }
        }
        return new HoleBatch(masks, holes, patches);
    }

    /// <summary>A mask (1,S,S) with one rectangular hole, for tests and for the notebook's "place the hole" cell.</summary>
    public static Tensor Rectangle(int imageSize, PixelBox hole)
    {
        if (hole.Height < 1 || hole.Width < 1 || hole.Top < 0 || hole.Left < 0 || hole.Bottom > imageSize || hole.Right > imageSize)
            throw new ArgumentException($"The hole {hole} does not fit in a {imageSize}×{imageSize} image.", nameof(hole));
        var mask = zeros(1, imageSize, imageSize);
        mask[0, hole.Top..hole.Bottom, hole.Left..hole.Right] = 1;
        return mask;
    }

    /// <summary>The local patch of side <paramref name="localSize"/> centred on <paramref name="hole"/>, moved inside the image where it would cross an edge.</summary>
    public static PixelBox PatchAround(PixelBox hole, int imageSize, int localSize)
    {
        int Place(int start, int length) => Math.Clamp(start + length / 2 - localSize / 2, 0, imageSize - localSize);
        return new PixelBox(Place(hole.Top, hole.Height), Place(hole.Left, hole.Width), localSize, localSize);
    }

    /// <summary>The local patches (N,3,s,s) of images (N,3,S,S).</summary>
    public static Tensor Crop(Tensor images, IReadOnlyList<PixelBox> patches)
    {
        if (images.shape[0] != patches.Count)
            throw new ArgumentException($"{images.shape[0]} images but {patches.Count} patches.", nameof(patches));
        return stack(patches.Select((p, i) => images[i, .., p.Top..p.Bottom, p.Left..p.Right]));
    }

    /// <summary>The hole's bounding box in a mask (H,W) or (1,H,W), or null when the mask has no hole pixel.</summary>
    public static PixelBox? BoundingBox(Tensor mask)
    {
        using var scope = NewDisposeScope();
        var m = (mask.dim() == 3 ? mask[0] : mask) > 0.5;
        var rows = m.any(1).nonzero();
        if (rows.shape[0] == 0) return null;
        var columns = m.any(0).nonzero();
        int top = (int)rows[0, 0].item<long>(), bottom = (int)rows[-1, 0].item<long>() + 1;
        int left = (int)columns[0, 0].item<long>(), right = (int)columns[-1, 0].item<long>() + 1;
        return new PixelBox(top, left, bottom - top, right - left);
    }

    /// <summary>
    /// Two to four brush strokes of random width (1/16 to 1/8 of the patch), each a random walk of a few straight
    /// segments, kept inside <paramref name="patch"/> (brush included) so the local patch still holds the whole mask.
    /// </summary>
    static Tensor FreeFormStrokes(PixelBox patch, int imageSize, Generator generator)
    {
        using var scope = NewDisposeScope();
        var ys = arange(imageSize, dtype: ScalarType.Float32).view(-1, 1);
        var xs = arange(imageSize, dtype: ScalarType.Float32).view(1, -1);
        var mask = zeros(imageSize, imageSize, dtype: ScalarType.Bool);
        int strokes = Uniform(2, 4, generator);
        for (int s = 0; s < strokes; s++)
        {
            double radius = Math.Max(1, patch.Height / 16.0 + Uniform(0, Math.Max(0, patch.Height / 16), generator)) / 2 + 0.5;
            double Inside(int start, int length) => start + radius + Uniform01(generator) * Math.Max(0, length - 1 - 2 * radius);
            double y = Inside(patch.Top, patch.Height), x = Inside(patch.Left, patch.Width);
            int segments = Uniform(2, 5, generator);
            for (int k = 0; k < segments; k++)
            {
                double angle = Uniform01(generator) * 2 * Math.PI, length = (0.2 + 0.4 * Uniform01(generator)) * patch.Height;
                double ny = Math.Clamp(y + length * Math.Sin(angle), patch.Top + radius, patch.Bottom - 1 - radius);
                double nx = Math.Clamp(x + length * Math.Cos(angle), patch.Left + radius, patch.Right - 1 - radius);
                mask |= Segment(ys, xs, y, x, ny, nx, radius);
                (y, x) = (ny, nx);
            }
        }
        return mask.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>The pixels within <paramref name="radius"/> of the segment from (y0,x0) to (y1,x1).</summary>
    static Tensor Segment(Tensor ys, Tensor xs, double y0, double x0, double y1, double x1, double radius)
    {
        double dy = y1 - y0, dx = x1 - x0, length2 = Math.Max(dy * dy + dx * dx, 1e-9);
        var t = (((ys - y0) * dy + (xs - x0) * dx) / length2).clamp(0, 1);
        var distance2 = (ys - (t * dy + y0)).square() + (xs - (t * dx + x0)).square();
        return distance2 <= radius * radius;
    }

    /// <summary>A whole number in [min, max], both included.</summary>
    internal static int Uniform(int min, int max, Generator generator) =>
        max <= min ? min : (int)randint(min, max + 1, [1], generator: generator).item<long>();

    static double Uniform01(Generator generator) => rand([1], generator: generator).item<float>();

    static void Validate(HoleMaskConfig config)
    {
        if (config.LocalSize > config.ImageSize || config.LocalSize < 1)
            throw new ArgumentException($"The local patch ({config.LocalSize}) must fit in the image ({config.ImageSize}).", nameof(config));
        if (config.MinHole < 1 || config.MinHole > config.MaxHole || config.MaxHole > config.LocalSize)
            throw new ArgumentException($"Hole sides [{config.MinHole}, {config.MaxHole}] must be positive, ordered, and fit in the local patch ({config.LocalSize}).", nameof(config));
    }
}
