using NotebookHelpers.Imaging;
using static TorchSharp.torch;

namespace NotebookHelpers.Data;

/// <summary>The classes of <see cref="SyntheticShapes"/>; the value is the id in the masks.</summary>
public enum ShapeClass
{
    Background = 0,
    Circle = 1,
    Rectangle = 2,
}

/// <summary>
/// A shape as drawn: its class, bounding box in pixels and flat colour. A circle is the disc inscribed in its box
/// (a pixel belongs to it when the pixel's centre does).
/// </summary>
public sealed record DrawnShape(ShapeClass Class, int Left, int Top, int Width, int Height, byte Red, byte Green, byte Blue);

/// <summary>
/// A tiny deterministic segmentation dataset that needs no download: flat-coloured circles and rectangles on a striped,
/// noisy background, with masks of class ids. Every value is a multiple of 1/255, so a PNG round trip is exact.
/// Shape colours are fully saturated (one channel 0, one 255) and the background stays within [64,191]/255, so no
/// background pixel can take a shape's colour.
/// </summary>
public sealed class SyntheticShapes
{
    public static IReadOnlyList<string> ClassNames { get; } = ["background", "circle", "rectangle"];

    private SyntheticShapes(Tensor images, Tensor masks, IReadOnlyList<IReadOnlyList<DrawnShape>> shapes)
    {
        Images = images;
        Masks = masks;
        Shapes = shapes;
    }

    /// <summary>float32 (N,3,H,W) in [0,1].</summary>
    public Tensor Images { get; }

    /// <summary>int64 (N,H,W) class ids (<see cref="ShapeClass"/>).</summary>
    public Tensor Masks { get; }

    /// <summary>Per image, its shapes in drawing order (a later one covers an earlier one).</summary>
    public IReadOnlyList<IReadOnlyList<DrawnShape>> Shapes { get; }

    /// <summary>
    /// <paramref name="count"/> images of <paramref name="height"/>×<paramref name="width"/>, the same for the same
    /// arguments on every machine. Each image gets a circle, a rectangle and, half the time, a third shape, kept apart
    /// when there is room.
    /// </summary>
    public static SyntheticShapes Generate(int count, int height, int width, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 8);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 8);
        var random = new Random(seed);
        var plane = height * width;
        var pixels = new byte[count * 3 * plane];
        var ids = new byte[count * plane];
        var shapes = new List<IReadOnlyList<DrawnShape>>(count);
        for (var n = 0; n < count; n++)
        {
            var image = pixels.AsSpan(n * 3 * plane, 3 * plane);
            var mask = ids.AsSpan(n * plane, plane);
            PaintBackground(image, height, width, random);
            var drawn = PlanShapes(height, width, random);
            foreach (var shape in drawn)
                Paint(shape, image, mask, height, width);
            shapes.Add(drawn);
        }
        using var scope = NewDisposeScope();
        var images = tensor(pixels, [count, 3, height, width]).to(ScalarType.Float32).div_(255f);
        var masks = tensor(ids, [count, height, width]).to(ScalarType.Int64);
        return new SyntheticShapes(images.MoveToOuterDisposeScope(), masks.MoveToOuterDisposeScope(), shapes);
    }

    /// <summary>
    /// Writes images/0000.png, ... and masks/0000.png, ... (8-bit class ids) under <paramref name="folder"/>, the layout
    /// <see cref="FolderRoles"/> describes.
    /// </summary>
    public void WriteTo(string folder)
    {
        for (var n = 0; n < Images.shape[0]; n++)
        {
            using var scope = NewDisposeScope();
            ImageIO.SaveRgb(Images[n], Path.Combine(folder, "images", $"{n:D4}.png"));
            ImageIO.SaveClassIds(Masks[n], Path.Combine(folder, "masks", $"{n:D4}.png"));
        }
    }

    /// <summary>The roles of a folder written by <see cref="WriteTo"/>: "image" (RGB) and "mask" (class ids).</summary>
    public static IReadOnlyList<FolderRole> FolderRoles(string folder) =>
    [
        new("image", Path.Combine(folder, "images"), ImageKind.Rgb),
        new("mask", Path.Combine(folder, "masks"), ImageKind.ClassIds),
    ];

    /// <summary>
    /// A grey-tinted base, diagonal stripes and a little noise, every channel within [64,191]. The stripes are a
    /// triangle wave rather than a sine: only +, × and % enter, which IEEE 754 fixes bit for bit on every machine.
    /// </summary>
    private static void PaintBackground(Span<byte> image, int height, int width, Random random)
    {
        var plane = height * width;
        var (fx, fy) = (random.NextDouble() * 0.1 + 0.02, random.NextDouble() * 0.1 + 0.02);
        var phase = random.NextDouble() * 2;
        for (var c = 0; c < 3; c++)
        {
            var tint = 112 + random.Next(32);
            for (var y = 0; y < height; y++)
                for (var x = 0; x < width; x++)
                {
                    var position = (fx * x + fy * y + phase) % 2;
                    var stripe = 24 * (2 * Math.Abs(position - 1) - 1);
                    var noise = random.Next(-8, 9);
                    image[c * plane + y * width + x] = (byte)Math.Clamp(tint + stripe + noise, 64, 191);
                }
        }
    }

    /// <summary>One circle, one rectangle and, half the time, a third shape; each box is re-drawn until it overlaps no earlier one (up to 20 tries).</summary>
    private static List<DrawnShape> PlanShapes(int height, int width, Random random)
    {
        var kinds = new List<ShapeClass> { ShapeClass.Circle, ShapeClass.Rectangle };
        if (random.NextDouble() < 0.5)
            kinds.Add(random.NextDouble() < 0.5 ? ShapeClass.Circle : ShapeClass.Rectangle);
        var side = Math.Min(height, width);
        var planned = new List<DrawnShape>();
        foreach (var kind in kinds)
        {
            var (w, h) = kind == ShapeClass.Circle
                ? Square(random.Next(side / 4, side / 2 + 1))
                : (random.Next(width / 5, width / 2 + 1), random.Next(height / 5, height / 2 + 1));
            var (r, g, b) = SaturatedColour(random);
            DrawnShape shape;
            var tries = 0;
            do
            {
                shape = new DrawnShape(kind, random.Next(0, width - w + 1), random.Next(0, height - h + 1), w, h, r, g, b);
            } while (planned.Any(other => Overlap(shape, other)) && ++tries < 20);
            planned.Add(shape);
        }
        return planned;

        static (int, int) Square(int size) => (size, size);
    }

    private static bool Overlap(DrawnShape a, DrawnShape b) =>
        a.Left < b.Left + b.Width && b.Left < a.Left + a.Width && a.Top < b.Top + b.Height && b.Top < a.Top + a.Height;

    /// <summary>A random hue at full saturation and value: one channel 255, one 0, the third anywhere.</summary>
    private static (byte R, byte G, byte B) SaturatedColour(Random random)
    {
        var channels = new byte[] { 255, 0, (byte)random.Next(256) };
        random.Shuffle(channels);
        return (channels[0], channels[1], channels[2]);
    }

    private static void Paint(DrawnShape shape, Span<byte> image, Span<byte> mask, int height, int width)
    {
        var plane = height * width;
        var (cx, cy) = (shape.Left + shape.Width / 2.0, shape.Top + shape.Height / 2.0);
        var radius = shape.Width / 2.0;
        for (var y = shape.Top; y < shape.Top + shape.Height; y++)
            for (var x = shape.Left; x < shape.Left + shape.Width; x++)
            {
                if (shape.Class == ShapeClass.Circle)
                {
                    var (dx, dy) = (x + 0.5 - cx, y + 0.5 - cy);
                    if (dx * dx + dy * dy > radius * radius)
                        continue;
                }
                var at = y * width + x;
                image[at] = shape.Red;
                image[plane + at] = shape.Green;
                image[2 * plane + at] = shape.Blue;
                mask[at] = (byte)shape.Class;
            }
    }
}
