using static TorchSharp.torch;

namespace NotebookHelpers.Papers.ScoreCam;

/// <summary>The surfaces of <see cref="SyntheticDefects"/>, one for each of DAGM 2007's six development classes (the value + 1 is the class it stands in for).</summary>
public enum TextureKind
{
    /// <summary>Cloudy noise at several scales.</summary>
    Clouds,

    /// <summary>Wavy parallel stripes, like wood grain.</summary>
    Grain,

    /// <summary>A weave of alternating horizontal and vertical threads.</summary>
    Weave,

    /// <summary>Small bright and dark dots on a calm background.</summary>
    Speckle,

    /// <summary>Large soft-edged light and dark patches.</summary>
    Blotches,

    /// <summary>Fine, nearly white noise.</summary>
    FineGrain,
}

/// <summary>What a defect of <see cref="SyntheticDefects"/> does inside its ellipse.</summary>
public enum DefectKind
{
    /// <summary>A darker stain.</summary>
    DarkSpot,

    /// <summary>A brighter stain.</summary>
    BrightSpot,

    /// <summary>A thin, long line, darker or brighter.</summary>
    Scratch,

    /// <summary>Another texture shows through.</summary>
    TextureChange,
}

/// <summary>
/// DAGM-like inspection images that need no download and run anywhere: grey statistical textures of six kinds
/// (<see cref="TextureKind"/>), some carrying one defect (<see cref="DefectKind"/>) inside an ellipse of known centre,
/// axes and angle, like DAGM 2007's weak labels. A defect fades in from its ellipse's rim to its inner 60 %, so it is
/// soft-edged; a spot or a scratch changes the grey level by 0.2 to 0.4 (the textures' own contrast is 0.1 to 0.25), a
/// texture change swaps the surface for another kind at a higher contrast: visible to an eye that looks for it,
/// learnable by a small network, not a threshold away (texture changes are the hard ones).
/// <para>
/// Textures and defects are drawn to scale with the image side, so a 64-pixel image looks like a 224-pixel one at a
/// lower resolution. Every pixel is a multiple of 1/255 (a PNG round trip is exact), and the same arguments give the
/// same images on every machine. Image <c>n</c>'s surface depends only on the seed and <c>n</c>, never on whether it
/// carries a defect: two calls with the same seed and image count show the same surfaces with and without defects.
/// </para>
/// </summary>
public sealed class SyntheticDefects : IDisposable
{
    /// <summary>The share of defect images in DAGM 2007's development set, 150 of 1150 (about 1 in 7.7).</summary>
    public const double DagmDefectShare = 150.0 / 1150;

    SyntheticDefects(Tensor images, Tensor labels, Tensor masks, DefectEllipse?[] ellipses, TextureKind[] textures, DefectKind?[] defects)
    {
        Images = images;
        Labels = labels;
        Masks = masks;
        Ellipses = ellipses;
        Textures = textures;
        Defects = defects;
    }

    /// <summary>float32 (N,3,S,S) in [0,1]: the grey image in all three channels (one plane expanded, a view: clone it before changing it in place).</summary>
    public Tensor Images { get; }

    /// <summary>int64 (N): 1 for an image with a defect, 0 for a defect-free one.</summary>
    public Tensor Labels { get; }

    /// <summary>bool (N,S,S): the pixels inside each defect's ellipse (<see cref="DefectEllipse.Mask"/>); all false for a defect-free image.</summary>
    public Tensor Masks { get; }

    /// <summary>The ellipse of each image's defect, in its pixels; null for a defect-free image.</summary>
    public IReadOnlyList<DefectEllipse?> Ellipses { get; }

    /// <summary>The surface of each image.</summary>
    public IReadOnlyList<TextureKind> Textures { get; }

    /// <summary>The defect of each image; null for a defect-free one.</summary>
    public IReadOnlyList<DefectKind?> Defects { get; }

    /// <summary>
    /// <paramref name="clean"/> defect-free and <paramref name="defective"/> defect images of
    /// <paramref name="size"/>×<paramref name="size"/>, in an order drawn from <paramref name="seed"/>; every image a
    /// surface of <paramref name="texture"/>, or, when it is null, of a kind drawn for it.
    /// </summary>
    public static SyntheticDefects Generate(int clean, int defective, int size, int seed, TextureKind? texture = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(clean);
        ArgumentOutOfRangeException.ThrowIfNegative(defective);
        ArgumentOutOfRangeException.ThrowIfZero(clean + defective);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 16);
        int count = clean + defective, plane = size * size;
        var carries = new bool[count];
        Array.Fill(carries, true, 0, defective);
        new Random(seed).Shuffle(carries);
        var pixels = new byte[(long)count * plane];
        var masks = new List<Tensor>(count);
        var ellipses = new DefectEllipse?[count];
        var textures = new TextureKind[count];
        var defects = new DefectKind?[count];
        try
        {
            for (int n = 0; n < count; n++)
            {
                var surfaceRandom = new Random(StreamSeed(seed, n, 0));
                textures[n] = texture ?? (TextureKind)surfaceRandom.Next(6);
                var surface = Texture(textures[n], size, surfaceRandom);
                if (carries[n])
                {
                    var defectRandom = new Random(StreamSeed(seed, n, 1));
                    defects[n] = (DefectKind)defectRandom.Next(4);
                    ellipses[n] = Place(defects[n]!.Value, size, defectRandom);
                    AddDefect(surface, textures[n], defects[n]!.Value, ellipses[n]!, size, defectRandom);
                }
                masks.Add(ellipses[n]?.Mask(size, size, size, size) ?? zeros([size, size], ScalarType.Bool));
                for (int i = 0; i < plane; i++)
                    pixels[(long)n * plane + i] = (byte)Math.Round(Math.Clamp(surface[i], 0, 1) * 255);
            }
            using var scope = NewDisposeScope();
            var grey = tensor(pixels, [count, 1, size, size]).to(ScalarType.Float32).div_(255f);
            var images = grey.expand(count, 3, size, size);
            var labels = tensor(carries.Select(c => c ? 1L : 0L).ToArray());
            return new SyntheticDefects(images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(), stack(masks).MoveToOuterDisposeScope(),
                ellipses, textures, defects);
        }
        finally
        {
            foreach (var mask in masks) mask.Dispose();
        }
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
        Masks.Dispose();
    }

    /// <summary>
    /// A surface of <paramref name="kind"/>, <paramref name="size"/>×<paramref name="size"/> grey values around 0.5,
    /// row by row. Lengths are fractions of the side, so the texture keeps its look at any size.
    /// </summary>
    static float[] Texture(TextureKind kind, int size, Random random)
    {
        var surface = new float[size * size];
        switch (kind)
        {
            case TextureKind.Clouds:
                {
                    var (coarse, middle, fine) = (ValueNoise(size, 4, random), ValueNoise(size, 8, random), ValueNoise(size, 16, random));
                    for (int i = 0; i < surface.Length; i++)
                        surface[i] = 0.5f + 0.3f * (0.55f * coarse[i] + 0.3f * middle[i] + 0.15f * fine[i] - 0.5f) + Jitter(random, 0.02);
                    break;
                }
            case TextureKind.Grain:
                {
                    double angle = 0.3 + 0.4 * random.NextDouble(), period = size / (6 + 3 * random.NextDouble());
                    var warp = ValueNoise(size, 3, random);
                    var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
                    ForEachPixel(size, (y, x, i) =>
                    {
                        double phase = (x * cos + y * sin) / period + 1.5 * warp[i];
                        surface[i] = (float)(0.5 + 0.12 * Math.Sin(Math.Tau * phase)) + Jitter(random, 0.03);
                    });
                    break;
                }
            case TextureKind.Weave:
                {
                    double cell = size / (8 + 4 * random.NextDouble());
                    ForEachPixel(size, (y, x, i) =>
                    {
                        var (row, column) = ((int)(y / cell), (int)(x / cell));
                        // A thread across the cell: its brightness rises to the middle of the thread and falls to its edges.
                        double across = (row + column) % 2 == 0 ? y / cell - row : x / cell - column;
                        surface[i] = (float)(0.38 + 0.24 * Math.Sin(Math.PI * across)) + Jitter(random, 0.03);
                    });
                    break;
                }
            case TextureKind.Speckle:
                {
                    var calm = ValueNoise(size, 6, random);
                    for (int i = 0; i < surface.Length; i++) surface[i] = 0.45f + 0.08f * calm[i] + Jitter(random, 0.015);
                    int dots = size * size / 40;
                    for (int d = 0; d < dots; d++)
                    {
                        double cy = random.NextDouble() * size, cx = random.NextDouble() * size, radius = 0.6 + 0.6 * random.NextDouble();
                        float height = (float)((random.Next(2) == 0 ? -1 : 1) * (0.12 + 0.1 * random.NextDouble()));
                        Stamp(surface, size, cy, cx, radius, height);
                    }
                    break;
                }
            case TextureKind.Blotches:
                {
                    var patches = ValueNoise(size, 5, random);
                    for (int i = 0; i < surface.Length; i++)
                        surface[i] = 0.5f + 0.12f * (float)Math.Tanh(6 * (patches[i] - 0.5)) + Jitter(random, 0.02);
                    break;
                }
            case TextureKind.FineGrain:
                {
                    var noise = new float[surface.Length];
                    for (int i = 0; i < noise.Length; i++) noise[i] = Jitter(random, 0.5);
                    ForEachPixel(size, (y, x, i) =>
                    {
                        // White noise averaged with its right and lower neighbours: a grain of about two pixels.
                        float right = noise[y * size + Math.Min(x + 1, size - 1)], below = noise[Math.Min(y + 1, size - 1) * size + x];
                        surface[i] = 0.5f + 0.3f * (noise[i] + right + below) / 3;
                    });
                    break;
                }
        }
        return surface;
    }

    /// <summary>A defect's ellipse: spots a tenth to a fifth of the side long, texture changes a little larger, scratches long and 3 to 4 % of the side wide.</summary>
    static DefectEllipse Place(DefectKind kind, int size, Random random)
    {
        double Fraction(double from, double to) => size * (from + (to - from) * random.NextDouble());
        var (cx, cy) = (Fraction(0.22, 0.78), Fraction(0.22, 0.78));
        double angle = random.NextDouble() * Math.PI;
        if (kind == DefectKind.Scratch)
            return new DefectEllipse(cx, cy, Fraction(0.2, 0.32), Math.Max(1.5, Fraction(0.03, 0.04)), angle);
        double semiMajor = kind == DefectKind.TextureChange ? Fraction(0.12, 0.2) : Fraction(0.1, 0.18);
        return new DefectEllipse(cx, cy, semiMajor, semiMajor * (0.5 + 0.5 * random.NextDouble()), angle);
    }

    /// <summary>Blends the defect into the surface: fully inside 60 % of the ellipse, fading to nothing at its rim.</summary>
    static void AddDefect(float[] surface, TextureKind texture, DefectKind kind, DefectEllipse ellipse, int size, Random random)
    {
        using var distance = ellipse.Distance(size, size, size, size);
        var r = distance.sqrt().data<double>().ToArray();
        float[]? other = kind == DefectKind.TextureChange
            ? Texture((TextureKind)(((int)texture + 1 + random.Next(5)) % 6), size, random)
            : null;
        float shift = kind switch
        {
            DefectKind.DarkSpot => -(float)(0.2 + 0.12 * random.NextDouble()),
            DefectKind.BrightSpot => (float)(0.2 + 0.12 * random.NextDouble()),
            DefectKind.Scratch => (random.Next(3) == 0 ? 1 : -1) * (float)(0.25 + 0.15 * random.NextDouble()),
            // The other texture, at 1.6 times its contrast and a little lighter or darker, so that it shows on any surface.
            _ => (random.Next(2) == 0 ? 1 : -1) * (float)(0.05 + 0.05 * random.NextDouble()),
        };
        for (int i = 0; i < surface.Length; i++)
        {
            if (r[i] >= 1) continue;
            double t = Math.Clamp((1 - r[i]) / 0.4, 0, 1);
            float alpha = (float)(t * t * (3 - 2 * t));
            float target = other is null ? surface[i] + shift : 0.5f + 1.6f * (other[i] - 0.5f) + shift;
            surface[i] += alpha * (target - surface[i]);
        }
    }

    /// <summary>
    /// Smooth noise in [0,1]: random values on a grid of <paramref name="cells"/>×<paramref name="cells"/> cells,
    /// interpolated with a smoothstep between the grid points.
    /// </summary>
    static float[] ValueNoise(int size, int cells, Random random)
    {
        var grid = new double[(cells + 1) * (cells + 1)];
        for (int i = 0; i < grid.Length; i++) grid[i] = random.NextDouble();
        var noise = new float[size * size];
        double scale = (double)cells / size;
        ForEachPixel(size, (y, x, i) =>
        {
            double gy = (y + 0.5) * scale, gx = (x + 0.5) * scale;
            int row = Math.Min((int)gy, cells - 1), column = Math.Min((int)gx, cells - 1);
            double ty = Smooth(gy - row), tx = Smooth(gx - column);
            double top = Lerp(grid[row * (cells + 1) + column], grid[row * (cells + 1) + column + 1], tx);
            double bottom = Lerp(grid[(row + 1) * (cells + 1) + column], grid[(row + 1) * (cells + 1) + column + 1], tx);
            noise[i] = (float)Lerp(top, bottom, ty);
        });
        return noise;
    }

    /// <summary>Adds a round Gaussian bump of <paramref name="radius"/> pixels and <paramref name="height"/> at (cy, cx).</summary>
    static void Stamp(float[] surface, int size, double cy, double cx, double radius, float height)
    {
        int reach = (int)Math.Ceiling(2.5 * radius);
        for (int y = Math.Max(0, (int)cy - reach); y <= Math.Min(size - 1, (int)cy + reach); y++)
            for (int x = Math.Max(0, (int)cx - reach); x <= Math.Min(size - 1, (int)cx + reach); x++)
            {
                double d2 = (y + 0.5 - cy) * (y + 0.5 - cy) + (x + 0.5 - cx) * (x + 0.5 - cx);
                surface[y * size + x] += height * (float)Math.Exp(-d2 / (2 * radius * radius));
            }
    }

    static void ForEachPixel(int size, Action<int, int, int> paint)
    {
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                paint(y, x, y * size + x);
    }

    /// <summary>Uniform noise in [−<paramref name="amplitude"/>, <paramref name="amplitude"/>].</summary>
    static float Jitter(Random random, double amplitude) => (float)((2 * random.NextDouble() - 1) * amplitude);

    static double Smooth(double t) => t * t * (3 - 2 * t);

    static double Lerp(double a, double b, double t) => a + (b - a) * t;

    /// <summary>A seed for one image's stream (0: its surface, 1: its defect), mixed so that neighbouring images draw unrelated values (SplitMix64's finaliser).</summary>
    static int StreamSeed(int seed, int image, int stream)
    {
        unchecked
        {
            ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)image * 0xBF58476D1CE4E5B9UL ^ (ulong)(uint)stream * 0x94D049BB133111EBUL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
        }
    }
}
