using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace NotebookHelpers.Papers.SalGan;

/// <summary>
/// How <see cref="SyntheticSaliency"/> draws its scenes and observers. Sizes are fractions of the image, so one
/// record serves every profile's image size. The defaults are this library's choices (no paper fixes them).
/// </summary>
public sealed record SyntheticSaliencyOptions
{
    /// <summary>Fewest pop-out objects in an image (at least 1, so every image has something to find).</summary>
    public int MinObjects { get; init; } = 1;

    /// <summary>Most pop-out objects in an image; the count is drawn uniformly from [MinObjects, MaxObjects].</summary>
    public int MaxObjects { get; init; } = 3;

    /// <summary>Smallest radius of a pop-out object, as a fraction of the image's shorter side (11 px at 192×256).</summary>
    public double MinObjectRadius { get; init; } = 0.06;

    /// <summary>Largest radius of a pop-out object, as a fraction of the image's shorter side (23 px at 192×256).</summary>
    public double MaxObjectRadius { get; init; } = 0.12;

    /// <summary>Dull blobs of the background's own colours that clutter every image and draw no fixations.</summary>
    public int Distractors { get; init; } = 24;

    /// <summary>Smallest distractor radius, as a fraction of the shorter side.</summary>
    public double MinDistractorRadius { get; init; } = 0.015;

    /// <summary>Largest distractor radius, as a fraction of the shorter side (it stays below the smallest object).</summary>
    public double MaxDistractorRadius { get; init; } = 0.05;

    /// <summary>
    /// Fixated pixels per image, all distinct. SALICON pools many observers per image; 20 keeps the fixation maps as
    /// sparse as the benchmark's while giving NSS and AUC enough points.
    /// </summary>
    public int FixationsPerImage { get; init; } = 20;

    /// <summary>
    /// The share of fixations that land anywhere, uniformly (observers do not only look at objects); the rest follow
    /// the objects. It is the uniform floor of <see cref="SyntheticSaliency.Saliency"/>.
    /// </summary>
    public double UniformShare { get; init; } = 0.1;

    /// <summary>
    /// σ of the Gaussian that blurs the fixation map into the density map, as a fraction of the image width: 1/32,
    /// 8 px at 256 wide, 20 px at SALICON's 640. This library's choice, close to the one degree of visual angle
    /// (about 1/30 of the image width) by which the MIT benchmark blurs its fixation maps.
    /// </summary>
    public double DensitySigma { get; init; } = 1.0 / 32;

    internal void Validate(int height, int width)
    {
        Require(MinObjects >= 1 && MaxObjects >= MinObjects, $"objects: need 1 ≤ MinObjects ≤ MaxObjects, got {MinObjects}..{MaxObjects}");
        Require(MinObjectRadius > 0 && MaxObjectRadius >= MinObjectRadius && MaxObjectRadius <= 0.5,
            $"object radius: need 0 < MinObjectRadius ≤ MaxObjectRadius ≤ 0.5, got {MinObjectRadius}..{MaxObjectRadius}");
        Require(Distractors >= 0, $"Distractors must not be negative, got {Distractors}");
        Require(MinDistractorRadius > 0 && MaxDistractorRadius >= MinDistractorRadius && MaxDistractorRadius <= 0.5,
            $"distractor radius: need 0 < MinDistractorRadius ≤ MaxDistractorRadius ≤ 0.5, got {MinDistractorRadius}..{MaxDistractorRadius}");
        Require(FixationsPerImage >= 1 && FixationsPerImage <= height * width / 4,
            $"FixationsPerImage must be in 1..{height * width / 4} (a quarter of the pixels) for {height}x{width} images, got {FixationsPerImage}");
        Require(UniformShare >= 0 && UniformShare < 1, $"UniformShare must be in [0,1), got {UniformShare}");
        Require(DensitySigma > 0, $"DensitySigma must be positive, got {DensitySigma}");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
            throw new ArgumentException($"SyntheticSaliencyOptions {message}.");
    }
}

/// <summary>
/// A pop-out object as drawn: an ellipse centred on pixel (X, Y) (fractional, in pixel-centre coordinates) with its
/// flat colour, and its conspicuity c in [0,1], which makes it more saturated, brighter, larger on average and
/// fixated more (its share of the object fixations is proportional to 0.5 + c).
/// </summary>
public sealed record SalientObject(
    double X, double Y, double RadiusX, double RadiusY, double Conspicuity, byte Red, byte Green, byte Blue);

/// <summary>
/// A deterministic stand-in for SALICON that needs no download: cluttered, muted scenes with one to three objects that
/// pop out by colour, the saliency distribution those objects induce, fixations sampled from it and density maps
/// made from the fixations as datasets make them.
/// <para>
/// The scene: a grey-tinted background with a smooth low-contrast texture and a little pixel noise, covered with
/// dull distractor blobs of the background's own hues (low saturation, ±0.15 in brightness); then the objects,
/// saturated hues (HSV saturation ≥ 0.5, value ≥ 0.75) on ellipses larger than the distractors (by mean radius, with
/// the default sizes). Objects are placed uniformly wherever they fit whole, kept apart when there is room, so a
/// centre-bias map cannot stand in for looking at the image. Pixel values are multiples of 1/255, so a PNG round trip
/// is exact.
/// </para>
/// <para>
/// Ground truth: P(x) = (1 − u) Σ_k a_k G_k(x) + u / (H·W), where G_k is a Gaussian on object k with σ = half its radii
/// (86% of its mass inside the ellipse) normalised to unit mass in the image, a_k = (0.5 + c_k) / Σ_j (0.5 + c_j), and
/// u is <see cref="SyntheticSaliencyOptions.UniformShare"/>. <see cref="Saliency"/> is P / max P. Fixations are K
/// distinct pixels drawn from P (draws of an already fixated pixel are redrawn); <see cref="Density"/> is the fixation
/// map convolved with a Gaussian of σ = <see cref="SyntheticSaliencyOptions.DensitySigma"/> · W (the exact kernel,
/// zero beyond the border), divided by its maximum.
/// </para>
/// <para>
/// The same arguments give the same data: scene layout and fixations come from <see cref="Random"/> seeded with the
/// seed, pixel noise from a libtorch CPU generator seeded with it. Bit-identical on one machine and libtorch build;
/// elsewhere <c>exp</c> may round differently in the last bit.
/// </para>
/// </summary>
public sealed class SyntheticSaliency
{
    private SyntheticSaliency(Tensor images, Tensor saliency, Tensor fixations, Tensor density,
        IReadOnlyList<IReadOnlyList<SalientObject>> objects, IReadOnlyList<IReadOnlyList<(int Y, int X)>> fixationPoints)
    {
        Images = images;
        Saliency = saliency;
        Fixations = fixations;
        Density = density;
        Objects = objects;
        FixationPoints = fixationPoints;
    }

    /// <summary>float32 (N,3,H,W) in [0,1], multiples of 1/255.</summary>
    public Tensor Images { get; }

    /// <summary>float32 (N,1,H,W): the ground-truth fixation distribution P, scaled to maximum 1 per image.</summary>
    public Tensor Saliency { get; }

    /// <summary>float32 (N,1,H,W): 1 at each of the K fixated pixels, 0 elsewhere.</summary>
    public Tensor Fixations { get; }

    /// <summary>float32 (N,1,H,W): the fixation map blurred by a Gaussian, maximum 1 per image.</summary>
    public Tensor Density { get; }

    /// <summary>Per image, its pop-out objects in drawing order.</summary>
    public IReadOnlyList<IReadOnlyList<SalientObject>> Objects { get; }

    /// <summary>Per image, its fixated pixels (row, column) in the order they were drawn.</summary>
    public IReadOnlyList<IReadOnlyList<(int Y, int X)>> FixationPoints { get; }

    /// <summary>
    /// <paramref name="count"/> scenes of <paramref name="height"/>×<paramref name="width"/> with their saliency,
    /// fixation and density maps (see the class summary); <paramref name="options"/> null takes the defaults.
    /// </summary>
    public static SyntheticSaliency Generate(int count, int height, int width, int seed,
        SyntheticSaliencyOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 8);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 8);
        options ??= new SyntheticSaliencyOptions();
        options.Validate(height, width);

        var random = new Random(seed);
        var scenes = Enumerable.Range(0, count).Select(_ => Scene.Plan(height, width, options, random)).ToList();
        using var noise = new Generator(unchecked((ulong)seed), torch.CPU);
        using var scope = NewDisposeScope();
        var images = torch.stack(scenes.Select(scene => Render(scene, height, width, noise)));
        var probability = torch.stack(scenes.Select(scene => FixationProbability(scene, height, width, options)));
        var points = Enumerable.Range(0, count)
            .Select(n => SampleFixations(probability[n], options.FixationsPerImage, random))
            .ToList();
        var saliency = probability.div(probability.amax([1, 2], keepdim: true));
        var density = torch.stack(points.Select(p => DensityMap(p, height, width, options.DensitySigma * width)));
        return new SyntheticSaliency(
            images.MoveToOuterDisposeScope(),
            saliency.unsqueeze(1).to(ScalarType.Float32).MoveToOuterDisposeScope(),
            FixationMap(points, height, width).MoveToOuterDisposeScope(),
            density.unsqueeze(1).to(ScalarType.Float32).MoveToOuterDisposeScope(),
            scenes.Select(scene => (IReadOnlyList<SalientObject>)scene.Objects).ToList(),
            points);
    }

    /// <summary>
    /// Writes the images as the <paramref name="split"/> of a SALICON folder (<see cref="Salicon"/>'s layout):
    /// images/<c>split</c>/synthetic_<c>split</c>_00000.png, ... and, except for "test", which has no ground truth,
    /// maps/<c>split</c>/ (density, 8-bit grey) and fixations/<c>split</c>/ (255 = fixated) under the same names.
    /// Images and fixations load back exactly; density maps are rounded to 8 bits.
    /// </summary>
    public void WriteTo(string folder, string split)
    {
        Salicon.RequireSplit(split);
        for (var n = 0; n < Images.shape[0]; n++)
        {
            using var scope = NewDisposeScope();
            var file = $"synthetic_{split}_{n:D5}.png";
            ImageIO.SaveRgb(Images[n], Path.Combine(folder, "images", split, file));
            if (split == "test")
                continue;
            ImageIO.SaveGray(Density[n], Path.Combine(folder, "maps", split, file));
            ImageIO.SaveGray(Fixations[n], Path.Combine(folder, "fixations", split, file));
        }
    }

    /// <summary>The muted background with its texture and noise, then the distractors, then the objects on top.</summary>
    private static Tensor Render(Scene scene, int height, int width, Generator noise)
    {
        using var scope = NewDisposeScope();
        var tint = torch.tensor(scene.Tint, [3, 1, 1]);
        var texture = F.interpolate(torch.tensor(scene.Texture, [1, 1, scene.TextureHeight, scene.TextureWidth]),
            [height, width], mode: InterpolationMode.Bilinear, align_corners: false).squeeze(0);
        var grain = torch.rand([3, height, width], generator: noise).sub_(0.5).mul_(2 * Scene.Grain);
        var canvas = tint.add(texture).add_(grain);
        foreach (var blob in scene.Distractors.Concat(scene.Objects.Select(Ellipse.Of)))
            Paint(canvas, blob);
        return canvas.clamp_(0, 1).mul_(255).round_().div_(255).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Paints one flat-coloured ellipse, antialiased over about one pixel at its edge, inside its bounding box only.
    /// </summary>
    private static void Paint(Tensor canvas, Ellipse blob)
    {
        var (height, width) = ((int)canvas.shape[1], (int)canvas.shape[2]);
        var top = Math.Max(0, (int)Math.Floor(blob.Y - blob.RadiusY - 1));
        var bottom = Math.Min(height, (int)Math.Ceiling(blob.Y + blob.RadiusY + 1) + 1);
        var left = Math.Max(0, (int)Math.Floor(blob.X - blob.RadiusX - 1));
        var right = Math.Min(width, (int)Math.Ceiling(blob.X + blob.RadiusX + 1) + 1);
        if (bottom <= top || right <= left)
            return;
        using var scope = NewDisposeScope();
        var dy = torch.arange(top, bottom, dtype: ScalarType.Float32).sub_(blob.Y).div_(blob.RadiusY).pow_(2);
        var dx = torch.arange(left, right, dtype: ScalarType.Float32).sub_(blob.X).div_(blob.RadiusX).pow_(2);
        var distance = dy.unsqueeze(1).add(dx.unsqueeze(0)).sqrt_();
        // (1 − q)·r is roughly the distance in pixels inside the edge; +0.5 centres the ramp on it.
        var coverage = distance.neg().add_(1).mul_(Math.Min(blob.RadiusX, blob.RadiusY)).add_(0.5).clamp_(0, 1);
        var window = canvas.narrow(1, top, bottom - top).narrow(2, left, right - left);
        var colour = torch.tensor(blob.Colour, [3, 1, 1]);
        window.add_(coverage.mul(colour.sub(window)));
    }

    /// <summary>P(x) of the class summary as float64 (H,W); it sums to 1.</summary>
    private static Tensor FixationProbability(Scene scene, int height, int width, SyntheticSaliencyOptions options)
    {
        using var scope = NewDisposeScope();
        var objects = scene.Objects;
        var weights = objects.Select(o => 0.5 + o.Conspicuity).ToArray();
        var total = weights.Sum();
        var spots = objects.Select((o, k) => new GaussianSpot(o.Y, o.X, o.RadiusY / 2, o.RadiusX / 2, weights[k] / total));
        var perObject = GaussianSum(spots, height, width, unitMass: true);
        return perObject.mul_(1 - options.UniformShare).add_(options.UniformShare / (height * width))
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Σ_k weight_k · exp(−(y − y_k)² / 2σ_y,k² − (x − x_k)² / 2σ_x,k²) as float64 (H,W), each Gaussian first
    /// divided by its sum over the image when <paramref name="unitMass"/>. Separable, so it is one matrix product
    /// (H,K)·(K,W) rather than K full-size maps.
    /// </summary>
    private static Tensor GaussianSum(IEnumerable<GaussianSpot> spots, int height, int width, bool unitMass)
    {
        using var scope = NewDisposeScope();
        var list = spots.ToList();
        var rows = Profiles(list.Select(s => (s.Y, s.SigmaY)), height);
        var columns = Profiles(list.Select(s => (s.X, s.SigmaX)), width);
        var weights = torch.tensor(list.Select(s => s.Weight).ToArray(), ScalarType.Float64);
        if (unitMass)
            weights = weights.div(rows.sum(1).mul(columns.sum(1)));
        return rows.mul(weights.unsqueeze(1)).t().matmul(columns).MoveToOuterDisposeScope();
    }

    /// <summary>(K, length): row k is exp(−(i − centre_k)² / 2σ_k²) for i = 0..length−1.</summary>
    private static Tensor Profiles(IEnumerable<(double Centre, double Sigma)> profiles, int length)
    {
        var list = profiles.ToList();
        var centres = torch.tensor(list.Select(p => p.Centre).ToArray(), ScalarType.Float64).unsqueeze(1);
        var sigmas = torch.tensor(list.Select(p => p.Sigma).ToArray(), ScalarType.Float64).unsqueeze(1);
        var positions = torch.arange(length, dtype: ScalarType.Float64).unsqueeze(0);
        return positions.sub(centres).div(sigmas).square().mul(-0.5).exp();
    }

    /// <summary>
    /// <paramref name="count"/> distinct pixels drawn from <paramref name="probability"/> (H,W) by inverting its
    /// cumulative sum with uniform numbers from <paramref name="random"/>; a draw that repeats a pixel is redrawn.
    /// </summary>
    private static IReadOnlyList<(int Y, int X)> SampleFixations(Tensor probability, int count, Random random)
    {
        var width = (int)probability.shape[1];
        double[] cumulative;
        using (var sums = probability.flatten().cumsum(0))
            cumulative = sums.data<double>().ToArray();
        var total = cumulative[^1];
        var chosen = new HashSet<int>();
        var points = new List<(int Y, int X)>(count);
        while (points.Count < count)
        {
            var index = Array.BinarySearch(cumulative, random.NextDouble() * total);
            var pixel = Math.Min(index >= 0 ? index : ~index, cumulative.Length - 1);
            if (chosen.Add(pixel))
                points.Add((pixel / width, pixel % width));
        }
        return points;
    }

    /// <summary>float32 (N,1,H,W) with 1 at every fixated pixel.</summary>
    private static Tensor FixationMap(IReadOnlyList<IReadOnlyList<(int Y, int X)>> points, int height, int width)
    {
        var plane = height * width;
        var values = new float[points.Count * plane];
        for (var n = 0; n < points.Count; n++)
            foreach (var (y, x) in points[n])
                values[n * plane + y * width + x] = 1;
        return torch.tensor(values, [points.Count, 1, height, width]);
    }

    /// <summary>The fixation map convolved with a Gaussian of σ = <paramref name="sigma"/> pixels, divided by its maximum (float64 (H,W)).</summary>
    private static Tensor DensityMap(IReadOnlyList<(int Y, int X)> points, int height, int width, double sigma)
    {
        using var scope = NewDisposeScope();
        var blurred = GaussianSum(points.Select(p => new GaussianSpot(p.Y, p.X, sigma, sigma, 1)), height, width,
            unitMass: false);
        return blurred.div(blurred.max()).MoveToOuterDisposeScope();
    }

    private sealed record GaussianSpot(double Y, double X, double SigmaY, double SigmaX, double Weight);

    /// <summary>A flat-coloured ellipse to paint, colour in [0,1].</summary>
    private sealed record Ellipse(double X, double Y, double RadiusX, double RadiusY, float[] Colour)
    {
        public static Ellipse Of(SalientObject o) =>
            new(o.X, o.Y, o.RadiusX, o.RadiusY, [o.Red / 255f, o.Green / 255f, o.Blue / 255f]);
    }

    /// <summary>One image's layout, drawn from the managed generator before any pixel is rendered.</summary>
    private sealed record Scene(
        float[] Tint, float[] Texture, int TextureHeight, int TextureWidth,
        IReadOnlyList<Ellipse> Distractors, IReadOnlyList<SalientObject> Objects)
    {
        /// <summary>Amplitude of the per-pixel noise.</summary>
        public const float Grain = 0.02f;

        /// <summary>Amplitude of the smooth background texture.</summary>
        private const float TextureContrast = 0.06f;

        /// <summary>The texture's cells: one control point per this many pixels, bilinearly interpolated.</summary>
        private const int TextureCell = 12;

        /// <summary>How far a distractor's brightness may stray from the background's.</summary>
        private const double DistractorContrast = 0.15;

        public static Scene Plan(int height, int width, SyntheticSaliencyOptions options, Random random)
        {
            var grey = 0.35 + 0.25 * random.NextDouble();
            var tint = Enumerable.Range(0, 3).Select(_ => (float)(grey + 0.06 * (random.NextDouble() - 0.5))).ToArray();
            var (textureHeight, textureWidth) = (Math.Max(2, height / TextureCell), Math.Max(2, width / TextureCell));
            var texture = Enumerable.Range(0, textureHeight * textureWidth)
                .Select(_ => (float)(TextureContrast * (2 * random.NextDouble() - 1))).ToArray();
            var side = Math.Min(height, width);
            var distractors = Enumerable.Range(0, options.Distractors)
                .Select(_ => PlanDistractor(height, width, side, tint, options, random)).ToList();
            var objectCount = random.Next(options.MinObjects, options.MaxObjects + 1);
            var objects = new List<SalientObject>(objectCount);
            for (var k = 0; k < objectCount; k++)
                objects.Add(PlanObject(height, width, side, objects, options, random));
            return new Scene(tint, texture, textureHeight, textureWidth, distractors, objects);
        }

        /// <summary>A small blob of the background's hue, a little brighter or darker, anywhere (it may leave the image).</summary>
        private static Ellipse PlanDistractor(int height, int width, int side, float[] tint,
            SyntheticSaliencyOptions options, Random random)
        {
            var radius = Math.Max(1, side * Lerp(options.MinDistractorRadius, options.MaxDistractorRadius, random.NextDouble()));
            var aspect = Lerp(0.7, 1.4, random.NextDouble());
            var shift = DistractorContrast * (2 * random.NextDouble() - 1);
            var colour = tint.Select(c => (float)Math.Clamp(c + shift + 0.03 * (random.NextDouble() - 0.5), 0, 1)).ToArray();
            return new Ellipse(random.NextDouble() * (width - 1), random.NextDouble() * (height - 1),
                radius * Math.Sqrt(aspect), radius / Math.Sqrt(aspect), colour);
        }

        /// <summary>
        /// A saturated ellipse placed uniformly where it fits whole; the place is redrawn (up to 20 times) while it
        /// overlaps an earlier object.
        /// </summary>
        private static SalientObject PlanObject(int height, int width, int side, List<SalientObject> placed,
            SyntheticSaliencyOptions options, Random random)
        {
            var conspicuity = random.NextDouble();
            var size = 0.5 * conspicuity + 0.5 * random.NextDouble();
            var radius = Math.Max(1.5, side * Lerp(options.MinObjectRadius, options.MaxObjectRadius, size));
            var aspect = Lerp(0.75, 1.33, random.NextDouble());
            var (radiusX, radiusY) = (radius * Math.Sqrt(aspect), radius / Math.Sqrt(aspect));
            var (red, green, blue) = FromHsv(random.NextDouble(), Lerp(0.5, 1, conspicuity), Lerp(0.75, 1, conspicuity));
            SalientObject candidate;
            var tries = 0;
            do
            {
                var x = radiusX + random.NextDouble() * Math.Max(0, width - 1 - 2 * radiusX);
                var y = radiusY + random.NextDouble() * Math.Max(0, height - 1 - 2 * radiusY);
                candidate = new SalientObject(x, y, radiusX, radiusY, conspicuity, red, green, blue);
            } while (placed.Any(other => Overlap(candidate, other)) && ++tries < 20);
            return candidate;
        }

        private static bool Overlap(SalientObject a, SalientObject b)
        {
            var reach = Math.Max(a.RadiusX, a.RadiusY) + Math.Max(b.RadiusX, b.RadiusY);
            return (a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y) < reach * reach;
        }

        /// <summary>HSV (each in [0,1]) to 8-bit RGB.</summary>
        private static (byte, byte, byte) FromHsv(double hue, double saturation, double value)
        {
            var sector = hue * 6;
            var chroma = value * saturation;
            var second = chroma * (1 - Math.Abs(sector % 2 - 1));
            var (r, g, b) = (int)sector switch
            {
                0 => (chroma, second, 0.0),
                1 => (second, chroma, 0.0),
                2 => (0.0, chroma, second),
                3 => (0.0, second, chroma),
                4 => (second, 0.0, chroma),
                _ => (chroma, 0.0, second),
            };
            var floor = value - chroma;
            return (Byte(r + floor), Byte(g + floor), Byte(b + floor));

            static byte Byte(double v) => (byte)Math.Round(Math.Clamp(v, 0, 1) * 255);
        }

        private static double Lerp(double from, double to, double t) => from + (to - from) * t;
    }
}
