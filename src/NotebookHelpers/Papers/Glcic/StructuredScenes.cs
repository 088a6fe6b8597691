using static TorchSharp.torch;

namespace NotebookHelpers.Papers.Glcic;

/// <summary>
/// Synthetic photographs for image completion, for when no photo dataset is installed: scenes with structure that
/// crosses any hole, so that a completion which continues it is measurably and visibly better than a blur or the
/// mean colour. Each image has a linear gradient between two contrasting colours at a random angle, often a periodic
/// texture (faint stripes of random period and angle over the whole image), one or two long straight lines of random colour and width that
/// run from edge to edge, and one or two filled discs or rectangles.
/// </summary>
public static class StructuredScenes
{
    /// <summary><paramref name="count"/> scenes (N,3,S,S) in [0,1], the same for the same seed.</summary>
    public static Tensor Generate(int count, int size, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 8);
        var random = new Random(seed);
        using var scope = NewDisposeScope();
        var ys = arange(size, dtype: ScalarType.Float32).view(1, -1, 1).div(size);
        var xs = arange(size, dtype: ScalarType.Float32).view(1, 1, -1).div(size);
        var images = stack(Enumerable.Range(0, count).Select(_ => Scene(random, ys, xs, size)));
        return images.clamp(0, 1).MoveToOuterDisposeScope();
    }

    static Tensor Scene(Random random, Tensor ys, Tensor xs, int size)
    {
        // Coordinates in [0,1): the shapes scale with the image.
        var (dy, dx) = Direction(random);
        var t = ((ys - 0.5) * dy + (xs - 0.5) * dx + 0.71) / 1.42;
        // Two colours far apart, so the gradient itself is structure a completion must continue.
        var from = Colour(random);
        var to = (1 - from + (Colour(random) - 0.5) * 0.4).clamp(0, 1);
        var image = from + (to - from) * t;

        if (random.NextDouble() < 0.5)
        {
            var (sy, sx) = Direction(random);
            double period = 0.12 + 0.16 * random.NextDouble();
            var stripes = ((ys * sy + xs * sx) * (2 * Math.PI / period)).sin() * (0.05 + 0.07 * random.NextDouble());
            image = image + stripes;
        }

        for (int s = random.Next(1, 3); s > 0; s--)
            image = Paint(image, Shape(random, ys, xs), Colour(random));

        for (int l = random.Next(1, 3); l > 0; l--)
        {
            var (ny, nx) = Direction(random);
            double offset = 0.2 + 0.6 * random.NextDouble();
            double halfWidth = (1.0 + 1.5 * random.NextDouble()) / size * Math.Max(1, size / 32.0);
            var distance = ((ys - offset) * ny + (xs - 0.5) * nx).abs();
            image = Paint(image, distance <= halfWidth, Colour(random));
        }
        return image;
    }

    /// <summary>A disc or an axis-aligned rectangle of a fifth to two fifths of the image.</summary>
    static Tensor Shape(Random random, Tensor ys, Tensor xs)
    {
        double cy = random.NextDouble(), cx = random.NextDouble(), r = 0.1 + 0.1 * random.NextDouble();
        if (random.NextDouble() < 0.5)
            return (ys - cy).square() + (xs - cx).square() <= r * r;
        double ry = r * (0.6 + 0.8 * random.NextDouble());
        return ((ys - cy).abs() <= ry) & ((xs - cx).abs() <= r);
    }

    static Tensor Paint(Tensor image, Tensor region, Tensor colour) => where(region, colour.expand_as(image), image);

    static Tensor Colour(Random random) =>
        tensor(new[] { (float)random.NextDouble(), (float)random.NextDouble(), (float)random.NextDouble() }).view(3, 1, 1);

    static (double Dy, double Dx) Direction(Random random)
    {
        double angle = random.NextDouble() * Math.PI;
        return (Math.Sin(angle), Math.Cos(angle));
    }
}
