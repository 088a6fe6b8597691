using NotebookHelpers.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Imaging;

public class FastMarchingTests(ITestOutputHelper output)
{
    private static Tensor Rectangle(int h, int w, int top, int left, int height, int width)
    {
        var hole = torch.zeros(h, w, ScalarType.Bool);
        hole[TensorIndex.Slice(top, top + height), TensorIndex.Slice(left, left + width)] = torch.tensor(true);
        return hole;
    }

    /// <summary>A smooth (1,H,W) image in [0.1, 0.9]: a product of slow sines.</summary>
    private static Tensor Smooth(int h, int w)
    {
        var ys = torch.arange(h, dtype: ScalarType.Float32).reshape(h, 1);
        var xs = torch.arange(w, dtype: ScalarType.Float32).reshape(1, w);
        return (0.5f + 0.4f * torch.sin(xs * 0.11f + 0.3f) * torch.cos(ys * 0.07f)).unsqueeze(0);
    }

    private static Tensor HorizontalRamp(int channels, int h, int w) =>
        torch.arange(w, dtype: ScalarType.Float32).div(w).expand(channels, h, w).contiguous();

    [Fact]
    public void A_constant_image_is_filled_with_the_constant()
    {
        var image = torch.full([3, 20, 24], 0.37f);
        var hole = Rectangle(20, 24, 5, 6, 9, 11);

        var filled = FastMarching.Inpaint(image, hole);

        Assert.True((filled - 0.37f).abs().max().item<float>() < 1e-6f);
    }

    [Fact]
    public void Pixels_outside_the_hole_are_unchanged_bit_for_bit()
    {
        var image = torch.rand([3, 18, 21], generator: new Generator(11));
        var hole = Rectangle(18, 21, 4, 5, 8, 9);
        hole[16, 1] = torch.tensor(true);

        var filled = FastMarching.Inpaint(image, hole, radius: 3);

        var known = hole.logical_not();
        Assert.True(Tensors.Identical(filled.masked_select(known), image.masked_select(known)));
        Assert.Equal(image.dtype, filled.dtype);
        Assert.Equal(image.shape, filled.shape);
    }

    [Theory]
    [InlineData(false, 5)]
    [InlineData(true, 1)]
    [InlineData(true, 5)]
    public void Every_hole_pixel_gets_a_finite_value_within_the_known_range(bool noise, int radius)
    {
        // Unclamped, the smooth image's fill reached 0.917 (known maximum 0.900) and noise's fills reached ±10.
        var image = noise ? torch.rand([3, 40, 50], generator: new Generator(14)) : Smooth(40, 50);
        var hole = Rectangle(40, 50, 8, 10, 20, 25);

        var filled = FastMarching.Inpaint(image, hole, radius);

        for (var c = 0; c < image.shape[0]; c++)
        {
            var known = image[c].masked_select(hole.logical_not());
            var inside = filled[c].masked_select(hole);
            Assert.True(inside.isfinite().all().item<bool>());
            Assert.InRange(inside.min().item<float>(), known.min().item<float>(), known.max().item<float>());
            Assert.InRange(inside.max().item<float>(), known.min().item<float>(), known.max().item<float>());
        }
    }

    [Fact]
    public void A_horizontal_ramp_is_continued_linearly()
    {
        // Eq. 1's first-order estimate I(q) + ∇I(q)·(p − q) is exact on a linear image, so the fill is the ramp to
        // rounding (measured: 6e-8); without the gradient term it would be a plain average that lags behind the ramp.
        var image = HorizontalRamp(2, 30, 40);
        var hole = Rectangle(30, 40, 8, 12, 14, 16);

        var filled = FastMarching.Inpaint(image, hole);

        Assert.True((filled - image).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void A_hole_in_the_image_corner_continues_a_linear_image()
    {
        // The corner hole has known pixels on two sides only, and its border pixels have neighbours outside the image;
        // one-sided differences keep eq. 1 exact on a linear image there too. The image falls along y and rises along
        // x so that its values in the hole (0.24 to 0.46) lie inside the known range (0.07 to 0.76) and the clamp
        // stays out of it (measured: 1.2e-7): with 0.3 + 0.02x + 0.01y the corner, the image's minimum, stops at the known minimum
        // (an error of 0.07 at pixel (0,0)).
        var ys = torch.arange(24, dtype: ScalarType.Float32).reshape(24, 1);
        var xs = torch.arange(24, dtype: ScalarType.Float32).reshape(1, 24);
        var image = (0.3f + 0.02f * xs - 0.01f * ys).unsqueeze(0);
        var hole = Rectangle(24, 24, 0, 0, 7, 9);

        var filled = FastMarching.Inpaint(image, hole.to(ScalarType.Float32).unsqueeze(0), radius: 3);

        Assert.True((filled - image).abs().max().item<float>() < 1e-5f);
        var known = hole.logical_not();
        Assert.True(Tensors.Identical(filled.masked_select(known), image.masked_select(known)));
    }

    /// <summary>The image of environment/check-poisson-blending.py's OpenCV comparison: one smooth grey channel
    /// (float64 formula rounded to float32) and an elliptic hole.</summary>
    private static (Tensor Image, Tensor Hole) ReferenceInputs()
    {
        const int h = 40, w = 48;
        var (grey, hole) = (new float[h * w], new bool[h * w]);
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                grey[y * w + x] = (float)(0.5 + 0.3 * Math.Sin(0.09 * x + 0.05 * y) + 0.15 * Math.Cos(0.07 * y));
                hole[y * w + x] = Math.Pow((y - 18) / 6.0, 2) + Math.Pow((x - 22) / 8.0, 2) < 1;
            }
        return (torch.tensor(grey, [1, h, w]), torch.tensor(hole, [h, w]));
    }

    [Fact]
    public void Reference_formula_fill()
    {
        // The script compares these fills with cv2.inpaint(..., INPAINT_TELEA) on the same image, as float32 and as
        // 8-bit (rounded to 1/255 here, as its uint8 copy is there).
        var (image, hole) = ReferenceInputs();
        var quantised = (image * 255).round() / 255;
        foreach (var radius in new[] { 1, 5 })
        {
            var filled = FastMarching.Inpaint(image, hole, radius);
            var filledQuantised = FastMarching.Inpaint(quantised, hole, radius);
            // A smooth image is continued closely: measured mean |fill − formula| 0.0061 (radius 1), 0.0157 (radius 5).
            Assert.True((filled - image).abs().masked_select(hole).mean().item<float>() < 0.02f);
            output.WriteLine($"float_r{radius} " + Values(filled, hole));
            output.WriteLine($"u8_r{radius} " + Values(filledQuantised, hole));
        }
    }

    private static string Values(Tensor image, Tensor hole) =>
        string.Join(" ", image[0].masked_select(hole).data<float>().ToArray().Select(v => v.ToString("R")));

    [Fact]
    public void What_the_hole_held_is_never_read()
    {
        var image = Smooth(20, 20);
        var hole = Rectangle(20, 20, 6, 5, 7, 8);

        var filled = FastMarching.Inpaint(image.masked_fill(hole, float.NaN), hole);

        Assert.True(Tensors.Identical(filled, FastMarching.Inpaint(image, hole)));
    }

    [Fact]
    public void Radius_one_uses_only_the_four_neighbours_and_still_fills_everything()
    {
        var image = torch.rand([3, 16, 16], generator: new Generator(12));
        var hole = Rectangle(16, 16, 3, 3, 10, 10);

        var filled = FastMarching.Inpaint(image, hole, radius: 1);

        Assert.True(filled.isfinite().all().item<bool>());
        Assert.True(Tensors.Identical(filled.masked_select(hole.logical_not()), image.masked_select(hole.logical_not())));
    }

    [Fact]
    public void Float64_images_stay_float64()
    {
        var image = Smooth(12, 12).to(ScalarType.Float64);
        var filled = FastMarching.Inpaint(image, Rectangle(12, 12, 4, 4, 3, 3));

        Assert.Equal(ScalarType.Float64, filled.dtype);
    }

    [Fact]
    public void An_empty_hole_returns_a_copy_and_a_full_hole_is_refused()
    {
        var image = torch.rand([1, 6, 7], generator: new Generator(13));

        var copy = FastMarching.Inpaint(image, torch.zeros(6, 7, ScalarType.Bool));

        Assert.True(Tensors.Identical(copy, image));
        Assert.NotEqual(image.Handle, copy.Handle);
        Assert.Throws<ArgumentException>(() => FastMarching.Inpaint(image, torch.ones(6, 7, ScalarType.Bool)));
    }

    [Fact]
    public void Bad_shapes_are_refused_with_both_shapes()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            FastMarching.Inpaint(torch.zeros(3, 6, 7), torch.zeros(6, 6, ScalarType.Bool)));
        Assert.Contains("(3,6,7)", error.Message);
        Assert.Contains("(6,6)", error.Message);
        Assert.Throws<ArgumentException>(() => FastMarching.Inpaint(torch.zeros(6, 7), torch.zeros(6, 7, ScalarType.Bool)));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FastMarching.Inpaint(torch.zeros(1, 6, 7), torch.zeros(6, 7, ScalarType.Bool), radius: 0));
    }
}
