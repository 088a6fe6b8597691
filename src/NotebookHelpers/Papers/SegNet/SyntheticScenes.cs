using NotebookHelpers.Visualization;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.SegNet;

/// <summary>The classes of <see cref="SyntheticScenes"/>; the value is the id in the label maps.</summary>
public enum SceneClass
{
    Background = 0,
    Disc = 1,
    Box = 2,
    Triangle = 3,
    Pole = 4,
    Ring = 5,
}

/// <summary>
/// Cluttered segmentation scenes that need no download and run anywhere: discs, boxes, triangles, thin poles and thin
/// rings, each class with its own texture and a hue of its own, on a background of colour gradients and flat-coloured
/// clutter blobs in any hue. The poles and rings are one to two pixels wide and objects overlap, so the scenes hold
/// many boundaries and thin structures — where knowing the position of each maximum inside a pooling window (SegNet's
/// pooling indices) should matter and nearest upsampling should blur. Colour alone is not enough: clutter takes any
/// hue, and only the textures tell it from an object.
/// <para>Every pixel is a multiple of 1/255, so a PNG round trip is exact; the same arguments give the same scenes on
/// every machine.</para>
/// </summary>
public sealed class SyntheticScenes
{
    public static IReadOnlyList<string> ClassNames { get; } = ["background", "disc", "box", "triangle", "pole", "ring"];

    /// <summary>How many classes the label maps use.</summary>
    public static int ClassCount => ClassNames.Count;

    /// <summary>The colours label maps are drawn in: a dark background and each object class in its own hue.</summary>
    public static Palette Palette { get; } = new("synthetic scenes", ClassNames, new byte[,]
    {
        { 40, 40, 40 }, { 230, 40, 40 }, { 40, 200, 40 }, { 50, 90, 230 }, { 240, 220, 40 }, { 220, 60, 220 },
    });

    /// <summary>The hue of each object class, in degrees (the background's clutter takes any hue).</summary>
    static readonly double[] Hues = [0, 0, 120, 220, 55, 300];

    SyntheticScenes(Tensor images, Tensor labels)
    {
        Images = images;
        Labels = labels;
    }

    /// <summary>float32 (N,3,H,W) in [0,1].</summary>
    public Tensor Images { get; }

    /// <summary>int64 (N,H,W) class ids (<see cref="SceneClass"/>).</summary>
    public Tensor Labels { get; }

    /// <summary><paramref name="count"/> scenes of <paramref name="height"/>×<paramref name="width"/> from <paramref name="seed"/>.</summary>
    public static SyntheticScenes Generate(int count, int height, int width, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 16);
        var random = new Random(seed);
        int plane = height * width;
        var pixels = new byte[(long)count * 3 * plane];
        var ids = new byte[(long)count * plane];
        for (int n = 0; n < count; n++)
        {
            var canvas = new Canvas(pixels.AsSpan(n * 3 * plane, 3 * plane).ToArray(), new byte[plane], height, width);
            PaintScene(canvas, random);
            canvas.Rgb.CopyTo(pixels, (long)n * 3 * plane);
            canvas.Ids.CopyTo(ids, (long)n * plane);
        }
        using var scope = NewDisposeScope();
        var images = tensor(pixels, [count, 3, height, width]).to(ScalarType.Float32).div_(255f);
        var labels = tensor(ids, [count, height, width]).to(ScalarType.Int64);
        return new SyntheticScenes(images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    sealed record Canvas(byte[] Rgb, byte[] Ids, int Height, int Width);

    static void PaintScene(Canvas canvas, Random random)
    {
        PaintBackground(canvas, random);
        int scale = Math.Min(canvas.Height, canvas.Width);
        int clutter = 4 + random.Next(5);
        for (int i = 0; i < clutter; i++)
        {
            var (cy, cx) = (random.NextDouble() * canvas.Height, random.NextDouble() * canvas.Width);
            double r = scale * (0.04 + 0.08 * random.NextDouble());
            var colour = Colour(random.NextDouble() * 360, 0.5 + 0.5 * random.NextDouble(), 0.4 + 0.5 * random.NextDouble());
            Fill(canvas, (y, x) => Sq(y - cy) + Sq(x - cx) <= r * r, (_, _) => colour, SceneClass.Background);
        }
        int objects = 3 + random.Next(4);
        for (int i = 0; i < objects; i++)
            PaintObject(canvas, (SceneClass)(1 + random.Next(ClassCount - 1)), random, scale);
    }

    static void PaintObject(Canvas canvas, SceneClass kind, Random random, int scale)
    {
        double hue = Hues[(int)kind] + (random.NextDouble() - 0.5) * 30;
        var light = Colour(hue, 0.9, 0.95);
        var dark = Colour(hue, 0.9, 0.55);
        double cy = random.NextDouble() * canvas.Height, cx = random.NextDouble() * canvas.Width;
        double size = scale * (0.12 + 0.16 * random.NextDouble());
        switch (kind)
        {
            case SceneClass.Disc:
                // Dots on a plain field.
                Fill(canvas, (y, x) => Sq(y - cy) + Sq(x - cx) <= size * size,
                    (y, x) => y % 3 == 0 && x % 3 == 0 ? dark : light, kind);
                break;
            case SceneClass.Box:
                {
                    double h = size * (0.6 + 0.8 * random.NextDouble()), w = size * (0.6 + 0.8 * random.NextDouble());
                    // Horizontal stripes, two pixels each.
                    Fill(canvas, (y, x) => Math.Abs(y - cy) <= h && Math.Abs(x - cx) <= w, (y, _) => y / 2 % 2 == 0 ? dark : light, kind);
                    break;
                }
            case SceneClass.Triangle:
                {
                    double angle = random.NextDouble() * Math.Tau;
                    var corners = Enumerable.Range(0, 3).Select(k => (Y: cy + size * 1.2 * Math.Sin(angle + k * Math.Tau / 3), X: cx + size * 1.2 * Math.Cos(angle + k * Math.Tau / 3))).ToArray();
                    // A checkerboard of two-pixel squares.
                    Fill(canvas, (y, x) => InTriangle(y, x, corners[0], corners[1], corners[2]), (y, x) => (y / 2 + x / 2) % 2 == 0 ? dark : light, kind);
                    break;
                }
            case SceneClass.Pole:
                {
                    // A long straight line, 1 to 2 pixels wide, any direction.
                    double angle = random.NextDouble() * Math.PI, length = scale * (0.4 + 0.5 * random.NextDouble());
                    double half = 0.5 + random.NextDouble() * 0.5;
                    var (dy, dx) = (Math.Sin(angle), Math.Cos(angle));
                    Fill(canvas, (y, x) =>
                    {
                        double along = (y - cy) * dy + (x - cx) * dx, across = -(y - cy) * dx + (x - cx) * dy;
                        return Math.Abs(along) <= length / 2 && Math.Abs(across) <= half;
                    }, (_, _) => light, kind);
                    break;
                }
            case SceneClass.Ring:
                {
                    // A thin circle, about 2 pixels wide.
                    double outer = size, inner = Math.Max(0, size - 1.5 - random.NextDouble());
                    Fill(canvas, (y, x) => { double d = Sq(y - cy) + Sq(x - cx); return d <= outer * outer && d >= inner * inner; }, (_, _) => light, kind);
                    break;
                }
        }
    }

    /// <summary>A smooth two-colour gradient with pixel noise: the background nothing is drawn on.</summary>
    static void PaintBackground(Canvas canvas, Random random)
    {
        var from = Colour(random.NextDouble() * 360, 0.3 * random.NextDouble(), 0.35 + 0.3 * random.NextDouble());
        var to = Colour(random.NextDouble() * 360, 0.3 * random.NextDouble(), 0.35 + 0.3 * random.NextDouble());
        double angle = random.NextDouble() * Math.Tau;
        double span = Math.Abs(Math.Cos(angle)) * canvas.Width + Math.Abs(Math.Sin(angle)) * canvas.Height;
        Fill(canvas, (_, _) => true, (y, x) =>
        {
            double t = Math.Clamp(((x - canvas.Width / 2.0) * Math.Cos(angle) + (y - canvas.Height / 2.0) * Math.Sin(angle)) / span + 0.5, 0, 1);
            int noise = random.Next(-12, 13);
            return ((byte)Math.Clamp(from.R + t * (to.R - from.R) + noise, 0, 255),
                    (byte)Math.Clamp(from.G + t * (to.G - from.G) + noise, 0, 255),
                    (byte)Math.Clamp(from.B + t * (to.B - from.B) + noise, 0, 255));
        }, SceneClass.Background);
    }

    /// <summary>Paints the pixels whose centre satisfies <paramref name="inside"/> and labels them <paramref name="label"/>.</summary>
    static void Fill(Canvas canvas, Func<double, double, bool> inside, Func<int, int, (byte R, byte G, byte B)> colour, SceneClass label)
    {
        int plane = canvas.Height * canvas.Width;
        for (int y = 0; y < canvas.Height; y++)
            for (int x = 0; x < canvas.Width; x++)
            {
                if (!inside(y + 0.5, x + 0.5)) continue;
                var (r, g, b) = colour(y, x);
                int at = y * canvas.Width + x;
                canvas.Rgb[at] = r;
                canvas.Rgb[plane + at] = g;
                canvas.Rgb[2 * plane + at] = b;
                canvas.Ids[at] = (byte)label;
            }
    }

    static bool InTriangle(double y, double x, (double Y, double X) a, (double Y, double X) b, (double Y, double X) c)
    {
        static double Side(double y, double x, (double Y, double X) p, (double Y, double X) q) => (x - q.X) * (p.Y - q.Y) - (p.X - q.X) * (y - q.Y);
        double d1 = Side(y, x, a, b), d2 = Side(y, x, b, c), d3 = Side(y, x, c, a);
        bool negative = d1 < 0 || d2 < 0 || d3 < 0, positive = d1 > 0 || d2 > 0 || d3 > 0;
        return !(negative && positive);
    }

    /// <summary>HSV (hue in degrees, saturation and value in [0,1]) to 8-bit RGB.</summary>
    static (byte R, byte G, byte B) Colour(double hue, double saturation, double value)
    {
        hue = ((hue % 360) + 360) % 360;
        double c = value * saturation, x = c * (1 - Math.Abs(hue / 60 % 2 - 1)), m = value - c;
        var (r, g, b) = (int)(hue / 60) switch
        {
            0 => (c, x, 0.0),
            1 => (x, c, 0.0),
            2 => (0.0, c, x),
            3 => (0.0, x, c),
            4 => (x, 0.0, c),
            _ => (c, 0.0, x),
        };
        return ((byte)Math.Round((r + m) * 255), (byte)Math.Round((g + m) * 255), (byte)Math.Round((b + m) * 255));
    }

    static double Sq(double v) => v * v;
}
