using NotebookHelpers.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Imaging;

public class PoissonBlendingTests(ITestOutputHelper output)
{
    private static readonly (int Y, int X)[] Steps = [(-1, 0), (1, 0), (0, -1), (0, 1)];

    /// <summary>A (H,W) bool region: the rows [top, top+height) × columns [left, left+width).</summary>
    private static Tensor Rectangle(int h, int w, int top, int left, int height, int width)
    {
        var region = torch.zeros(h, w, ScalarType.Bool);
        region[TensorIndex.Slice(top, top + height), TensorIndex.Slice(left, left + width)] = torch.tensor(true);
        return region;
    }

    private static double[,] Plane(Tensor image, int channel)
    {
        var (h, w) = ((int)image.shape[1], (int)image.shape[2]);
        var flat = image[channel].to(ScalarType.Float64).contiguous().data<double>().ToArray();
        var plane = new double[h, w];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                plane[y, x] = flat[y * w + x];
        return plane;
    }

    private static bool[,] Mask(Tensor region)
    {
        var (h, w) = ((int)region.shape[0], (int)region.shape[1]);
        var flat = region.contiguous().data<bool>().ToArray();
        var mask = new bool[h, w];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                mask[y, x] = flat[y * w + x];
        return mask;
    }

    private static IEnumerable<(int Y, int X)> NeighboursInImage(int y, int x, int h, int w) =>
        Steps.Select(s => (y + s.Y, x + s.X)).Where(q => q.Item1 >= 0 && q.Item1 < h && q.Item2 >= 0 && q.Item2 < w);

    /// <summary>The largest |left − right| of eq. 7 over the region's pixels and the image's channels, written out
    /// pixel by pixel from the equation: |N_p| f_p − Σ_{N_p∩Ω} f_q − Σ_{N_p∖Ω} target_q − Σ_{N_p} (s_p − s_q).</summary>
    private static double LargestResidual(Tensor result, Tensor source, Tensor target, Tensor region)
    {
        var inside = Mask(region);
        var (h, w) = (inside.GetLength(0), inside.GetLength(1));
        var largest = 0.0;
        for (var c = 0; c < result.shape[0]; c++)
        {
            var (f, s, t) = (Plane(result, c), Plane(source, c), Plane(target, c));
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                {
                    if (!inside[y, x])
                        continue;
                    var neighbours = NeighboursInImage(y, x, h, w).ToList();
                    var residual = neighbours.Count * f[y, x];
                    foreach (var (qy, qx) in neighbours)
                        residual -= (inside[qy, qx] ? f[qy, qx] : t[qy, qx]) + (s[y, x] - s[qy, qx]);
                    largest = Math.Max(largest, Math.Abs(residual));
                }
        }
        return largest;
    }

    /// <summary>Eq. 7 for one channel as a dense matrix over the region's pixels (row-major order), solved directly
    /// by torch.linalg.solve; returns the solution as a (H,W) plane with the target outside the region.</summary>
    private static double[,] DirectSolution(double[,] s, double[,] t, bool[,] inside)
    {
        var (h, w) = (inside.GetLength(0), inside.GetLength(1));
        var index = new Dictionary<(int, int), int>();
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                if (inside[y, x])
                    index[(y, x)] = index.Count;
        var n = index.Count;
        var a = new double[n * n];
        var b = new double[n];
        foreach (var ((y, x), row) in index)
        {
            var neighbours = NeighboursInImage(y, x, h, w).ToList();
            a[row * n + row] = neighbours.Count;
            foreach (var (qy, qx) in neighbours)
            {
                b[row] += s[y, x] - s[qy, qx];
                if (index.TryGetValue((qy, qx), out var column))
                    a[row * n + column] -= 1;
                else
                    b[row] += t[qy, qx];
            }
        }
        var solution = torch.linalg.solve(torch.tensor(a, [n, n]), torch.tensor(b, [n, 1])).data<double>().ToArray();
        var plane = (double[,])t.Clone();
        foreach (var ((y, x), row) in index)
            plane[y, x] = solution[row];
        return plane;
    }

    private static double LargestDifference(double[,] a, double[,] b)
    {
        var largest = 0.0;
        for (var y = 0; y < a.GetLength(0); y++)
            for (var x = 0; x < a.GetLength(1); x++)
                largest = Math.Max(largest, Math.Abs(a[y, x] - b[y, x]));
        return largest;
    }

    private static double LargestDifference(Tensor a, Tensor b) =>
        (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max().item<double>();

    private static (Tensor Source, Tensor Target) RandomPair(int seed, params long[] shape)
    {
        var generator = new Generator((ulong)seed);
        return (torch.rand(shape, generator: generator), torch.rand(shape, generator: generator));
    }

    [Fact]
    public void Blend_satisfies_eq_7_at_every_region_pixel_and_matches_a_direct_dense_solve()
    {
        var (source, target) = RandomPair(1, 2, 12, 12);
        var region = Rectangle(12, 12, 3, 4, 5, 6);

        var (result, report) = PoissonBlending.BlendWithReport(source, target, region);

        Assert.True(report.Converged);
        Assert.InRange(report.Iterations, 1, 100);
        // float32 output of a float64 solve: the equation holds to the rounding of the stored values.
        Assert.True(LargestResidual(result, source, target, region) < 1e-5);
        for (var c = 0; c < 2; c++)
        {
            var direct = DirectSolution(Plane(source, c), Plane(target, c), Mask(region));
            Assert.True(LargestDifference(direct, Plane(result, c)) < 1e-6);
        }
    }

    /// <summary>The inputs of environment/check-poisson-blending.py, from the same formulas: float64, rounded to float32.</summary>
    private static (Tensor Source, Tensor Target, Tensor Region) ReferenceInputs()
    {
        const int h = 36, w = 44, channels = 3;
        var (source, target) = (new float[channels * h * w], new float[channels * h * w]);
        var region = new bool[h * w];
        for (var c = 0; c < channels; c++)
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                {
                    var i = (c * h + y) * w + x;
                    target[i] = (float)(0.5 + 0.35 * Math.Sin(0.17 * x + 0.9 * c) * Math.Cos(0.11 * y - 0.4 * c));
                    source[i] = (float)(0.45 + 0.25 * Math.Sin(0.31 * x + 0.23 * y + 1.3 * c)
                        + 0.1 * Math.Cos(0.05 * (x - y) * (c + 1)));
                    // An ellipse, and a rectangle on the top border.
                    region[y * w + x] = Math.Pow((y - 17) / 9.0, 2) + Math.Pow((x - 20) / 13.0, 2) < 1
                        || (y < 5 && x >= 30 && x < 40);
                }
        return (torch.tensor(source, [channels, h, w]), torch.tensor(target, [channels, h, w]), torch.tensor(region, [h, w]));
    }

    /// <summary>scipy's spsolve of the same system at the probes (channel, y, x) below, as
    /// <c>python3 environment/check-poisson-blending.py</c> prints them (it also checks that these are the ones).</summary>
    private static readonly double[] SpsolveAtProbes = [0.3224386, 0.6011612, 0.4461546, 0.2337408, 0.3088614, 0.4953752];

    private static readonly (int C, int Y, int X)[] Probes = [(0, 17, 20), (1, 10, 12), (2, 24, 30), (0, 2, 35), (1, 0, 31), (2, 17, 8)];

    [Fact]
    public void Reference_formula_matches_spsolve()
    {
        var (source, target, region) = ReferenceInputs();

        var result = PoissonBlending.Blend(source, target, region);

        for (var k = 0; k < Probes.Length; k++)
        {
            var (c, y, x) = Probes[k];
            Assert.Equal(SpsolveAtProbes[k], result[c, y, x].item<float>(), 1e-5);
        }
        // The whole region, for the script to compare with its own solve.
        for (var c = 0; c < 3; c++)
            output.WriteLine($"poisson{c} " + string.Join(" ", result[c].masked_select(region).data<float>().ToArray().Select(v => v.ToString("R"))));
    }

    [Fact]
    public void A_region_touching_the_image_border_uses_the_neighbours_inside_the_image()
    {
        // Rows 0–4 and columns 7–11 of a 12x12 image: the top and right sides lie on the border, where eq. 7 counts
        // fewer neighbours (Neumann); the direct solve builds its matrix with the same rule.
        var (source, target) = RandomPair(2, 1, 12, 12);
        var region = Rectangle(12, 12, 0, 7, 5, 5);

        var result = PoissonBlending.Blend(source, target, region, new PoissonBlendOptions(Tolerance: 1e-10));

        Assert.True(LargestResidual(result, source, target, region) < 1e-5);
        var direct = DirectSolution(Plane(source, 0), Plane(target, 0), Mask(region));
        Assert.True(LargestDifference(direct, Plane(result, 0)) < 1e-6);
        Assert.True(Tensors.Identical(result.masked_select(region.logical_not()), target.masked_select(region.logical_not())));
    }

    [Fact]
    public void Pixels_outside_the_region_are_the_target_bit_for_bit()
    {
        var (source, target) = RandomPair(3, 3, 20, 17);
        var region = Rectangle(20, 17, 4, 3, 9, 8);
        region[15, 2] = torch.tensor(true);

        var result = PoissonBlending.Blend(source, target, region);

        var outside = region.logical_not();
        Assert.True(Tensors.Identical(result.masked_select(outside), target.masked_select(outside)));
        Assert.True(LargestDifference(result, target) > 0.05); // the region did change
    }

    [Fact]
    public void Values_that_enter_no_equation_may_be_NaN()
    {
        // The target inside the region is only the first guess, and pixels that are not 4-neighbours of the region
        // enter no equation: NaN there changes nothing, even at the corners of the window the solve works on.
        var (source, target) = RandomPair(15, 2, 16, 16);
        var region = Rectangle(16, 16, 4, 4, 6, 6);
        var far = Rectangle(16, 16, 13, 0, 3, 16);
        foreach (var (y, x) in new[] { (3, 3), (3, 10), (10, 3), (10, 10) })
            far[y, x] = torch.tensor(true);
        var poisoned = target.masked_fill(region.logical_or(far), float.NaN);

        var clean = PoissonBlending.Blend(source, target, region);
        var result = PoissonBlending.Blend(source.masked_fill(far, float.NaN), poisoned, region);

        Assert.True(LargestDifference(result.masked_select(region), clean.masked_select(region)) < 1e-6);
    }

    [Fact]
    public void The_source_equal_to_the_target_gives_the_target()
    {
        var (_, target) = RandomPair(4, 3, 16, 16);
        var region = Rectangle(16, 16, 5, 5, 6, 7);

        var result = PoissonBlending.Blend(target, target, region);

        Assert.True(LargestDifference(result, target) < 1e-6);
    }

    [Fact]
    public void A_constant_offset_of_the_source_does_not_change_the_result()
    {
        // Only the source's differences s_p − s_q enter eq. 7.
        var (source, target) = RandomPair(5, 3, 16, 16);
        var region = Rectangle(16, 16, 2, 6, 10, 5);

        var plain = PoissonBlending.Blend(source, target, region);
        var shifted = PoissonBlending.Blend(source + 0.4f, target, region);

        Assert.True(LargestDifference(plain, shifted) < 1e-6);
    }

    [Fact]
    public void A_flat_source_interpolates_a_linear_target_harmonically()
    {
        // With zero guidance eq. 7 is Laplace's equation with the target as border values; a linear function has a
        // zero discrete Laplacian, so the solution is the ramp itself, whatever the target held inside the region.
        var (h, w) = (14, 18);
        var ys = torch.arange(h, dtype: ScalarType.Float32).reshape(h, 1);
        var xs = torch.arange(w, dtype: ScalarType.Float32).reshape(1, w);
        var ramp = (0.05f * xs + 0.02f * ys + 0.1f).unsqueeze(0);
        var region = Rectangle(h, w, 3, 4, 8, 9);
        var noise = torch.rand([1, h, w], generator: new Generator(6));
        var target = torch.where(region, noise, ramp);
        var flat = torch.full([1, h, w], 0.5f);

        var (result, report) = PoissonBlending.BlendWithReport(flat, target, region);

        Assert.True(report.Iterations > 0);
        Assert.True(LargestDifference(result, ramp) < 1e-6);
    }

    [Fact]
    public void A_batch_gives_each_image_its_own_blend()
    {
        var (source, target) = RandomPair(7, 2, 3, 15, 13);
        var regions = torch.stack([Rectangle(15, 13, 2, 2, 6, 6), Rectangle(15, 13, 7, 0, 8, 10)]).unsqueeze(1);

        var batch = PoissonBlending.Blend(source, target, regions);

        Assert.Equal([2L, 3, 15, 13], batch.shape);
        for (var i = 0; i < 2; i++)
        {
            var single = PoissonBlending.Blend(source[i], target[i], regions[i, 0]);
            Assert.True(LargestDifference(batch[i], single) < 1e-6);
        }
        // One (H,W) region is shared by the whole batch.
        var shared = PoissonBlending.Blend(source, target, regions[1, 0]);
        Assert.True(LargestDifference(shared[1], batch[1]) < 1e-6);
    }

    [Fact]
    public void A_0_1_float_region_is_read_as_the_bool_one()
    {
        var (source, target) = RandomPair(8, 3, 10, 10);
        var region = Rectangle(10, 10, 2, 2, 5, 5);

        var fromBool = PoissonBlending.Blend(source, target, region);
        var fromFloat = PoissonBlending.Blend(source, target, region.to(ScalarType.Float32).unsqueeze(0));

        Assert.True(Tensors.Identical(fromBool, fromFloat));
        Assert.Throws<ArgumentException>(() => PoissonBlending.Blend(source, target, region.to(ScalarType.Float32) * 0.5f));
    }

    [Fact]
    public void An_empty_region_returns_a_copy_of_the_target()
    {
        var (source, target) = RandomPair(9, 3, 8, 8);

        var (result, report) = PoissonBlending.BlendWithReport(source, target, torch.zeros(8, 8, ScalarType.Bool));

        Assert.True(Tensors.Identical(result, target));
        Assert.NotEqual(target.Handle, result.Handle);
        Assert.Equal(new PoissonBlendReport(0, 0, true), report);
    }

    [Fact]
    public void The_report_says_when_max_iterations_stopped_the_solve()
    {
        var (source, target) = RandomPair(10, 1, 24, 24);
        var region = Rectangle(24, 24, 4, 4, 16, 16);

        var (_, stopped) = PoissonBlending.BlendWithReport(source, target, region, new PoissonBlendOptions(MaxIterations: 3));
        var (_, done) = PoissonBlending.BlendWithReport(source, target, region);

        Assert.Equal(3, stopped.Iterations);
        Assert.False(stopped.Converged);
        Assert.True(stopped.RelativeResidual > 1e-6);
        Assert.True(done.Converged);
        Assert.True(done.RelativeResidual < 1e-6);
        Assert.True(done.Iterations > 3);
    }

    [Fact]
    public void Mismatched_shapes_name_both_shapes()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            PoissonBlending.Blend(torch.zeros(3, 8, 8), torch.zeros(3, 8, 9), torch.zeros(8, 9, ScalarType.Bool)));
        Assert.Contains("(3,8,8)", error.Message);
        Assert.Contains("(3,8,9)", error.Message);

        var region = Assert.Throws<ArgumentException>(() =>
            PoissonBlending.Blend(torch.zeros(3, 8, 8), torch.zeros(3, 8, 8), torch.zeros(8, 7, ScalarType.Bool)));
        Assert.Contains("(3,8,8)", region.Message);
        Assert.Contains("(8,7)", region.Message);
    }

    [Fact]
    public void A_region_covering_a_whole_image_is_refused()
    {
        var regions = torch.zeros(2, 1, 6, 6, ScalarType.Bool);
        regions[1] = torch.tensor(true);

        Assert.Throws<ArgumentException>(() =>
            PoissonBlending.Blend(torch.zeros(2, 1, 6, 6), torch.zeros(2, 1, 6, 6), regions));
    }
}
