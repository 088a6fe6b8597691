using NotebookHelpers.Imaging;
using NotebookHelpers.Metrics;
using NotebookHelpers.Tests.Imaging;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Metrics;

/// <summary>RGB test images given as 8-bit levels, so that every expected value can be worked out by hand or in Python.</summary>
public static class QualityImages
{
    /// <summary>A float32 (3,H,W) image in [0,1] whose channel c, row y, column x holds <paramref name="level"/>(c, y, x) / 255.</summary>
    public static Tensor FromLevels(int height, int width, Func<int, int, int, int> level)
    {
        var values = new float[3 * height * width];
        for (var c = 0; c < 3; c++)
            for (var y = 0; y < height; y++)
                for (var x = 0; x < width; x++)
                    values[(c * height + y) * width + x] = level(c, y, x) / 255f;
        return tensor(values, [3, height, width]);
    }

    /// <summary>Every pixel of every channel at one level.</summary>
    public static Tensor Constant(int height, int width, int level) => FromLevels(height, width, (_, _, _) => level);

    /// <summary>The reference of the formula pair: (7x + 13y + 29c + xy) mod 256, the same in the Python comments.</summary>
    public static int FormulaReference(int c, int y, int x) => (7 * x + 13 * y + 29 * c + x * y) % 256;

    /// <summary>The test of the formula pair: the reference plus ((3x + 5y + 11c) mod 17) − 8, clipped to 0..255.</summary>
    public static int FormulaTest(int c, int y, int x) => Math.Clamp(FormulaReference(c, y, x) + (3 * x + 5 * y + 11 * c) % 17 - 8, 0, 255);

    public static (Tensor Reference, Tensor Test) Formula(int height, int width) =>
        (FromLevels(height, width, FormulaReference), FromLevels(height, width, FormulaTest));

    /// <summary>A random image in [0,1] and a noisy copy of it.</summary>
    public static (Tensor Reference, Tensor Test) Noisy(int height, int width, int seed, double noise = 0.05)
    {
        var generator = new Generator((ulong)seed);
        var reference = rand([3, height, width], generator: generator);
        var test = (reference + noise * randn([3, height, width], generator: generator)).clamp(0, 1);
        return (reference, test);
    }

    /// <summary>A (H,W) bool mask, true in rows [top, bottom) and columns [left, right).</summary>
    public static Tensor Rectangle(int height, int width, int top, int bottom, int left, int right)
    {
        var mask = zeros([height, width], ScalarType.Bool);
        mask[TensorIndex.Slice(top, bottom), TensorIndex.Slice(left, right)] = tensor(true);
        return mask;
    }
}

public class ImageQualityTests
{
    static readonly double C1 = Math.Pow(0.01 * 255, 2);

    static double PsnrOfOffset(double levels) => 20 * Math.Log10(255 / levels);

    [Fact]
    public void Identical_images_score_psnr_100_ssim_1_and_l1_0_on_the_whole_and_on_the_hole()
    {
        var (image, _) = QualityImages.Noisy(24, 30, seed: 1);
        var hole = QualityImages.Rectangle(24, 30, 6, 18, 8, 20);

        var scores = ImageQuality.Score(image, image.clone(), hole);

        Assert.Equal(ImageQuality.PsnrCap, scores.Psnr);
        Assert.Equal(1.0, scores.Ssim, 1e-12);
        Assert.Equal(0.0, scores.L1);
        Assert.Equal(100.0, scores.HolePsnr);
        Assert.Equal(1.0, scores.HoleSsim, 1e-12);
        Assert.Equal(0.0, scores.HoleL1);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(30)]
    [InlineData(-12)]
    public void A_constant_offset_of_d_levels_gives_psnr_20_log10_255_over_d_and_l1_d(int d)
    {
        var reference = QualityImages.FromLevels(16, 16, (c, y, x) => 100 + 3 * x + y + 20 * c);
        var test = QualityImages.FromLevels(16, 16, (c, y, x) => 100 + 3 * x + y + 20 * c + d);

        var scores = ImageQuality.Score(reference, test);

        Assert.Equal(PsnrOfOffset(Math.Abs(d)), scores.Psnr, 1e-10);
        Assert.Equal(Math.Abs(d), scores.L1, 1e-12);
        Assert.Equal(scores.Psnr, ImageQuality.Psnr(reference, test));
        Assert.Equal(scores.L1, ImageQuality.L1(reference, test));
        Assert.True(double.IsNaN(scores.HolePsnr) && double.IsNaN(scores.HoleSsim) && double.IsNaN(scores.HoleL1));
    }

    [Fact]
    public void Two_constant_images_have_the_luminance_term_as_ssim()
    {
        // No variance, so the contrast-structure term is C2/C2 = 1 and each channel's SSIM is (2ab + C1)/(a² + b² + C1).
        (int A, int B)[] channels = [(40, 200), (10, 10), (0, 255)];
        var reference = QualityImages.FromLevels(13, 17, (c, _, _) => channels[c].A);
        var test = QualityImages.FromLevels(13, 17, (c, _, _) => channels[c].B);
        var expected = channels.Average(p => (2.0 * p.A * p.B + C1) / ((double)p.A * p.A + (double)p.B * p.B + C1));

        Assert.Equal(expected, ImageQuality.Ssim(reference, test), 1e-12);
        Assert.Equal((2 * 40.0 * 200 + C1) / (1600 + 40000 + C1), ImageQuality.Ssim(reference.narrow(0, 0, 1).expand(3, -1, -1), test.narrow(0, 0, 1).expand(3, -1, -1)), 1e-12);
        var map = ImageQuality.SsimMap(reference, test);
        Assert.Equal([1L, 3, 7], map.shape);
        Assert.True(map.sub(expected).abs().max().item<double>() < 1e-12);
    }

    [Fact]
    public void The_hole_scores_count_only_the_hole_and_hole_ssim_the_windows_centred_in_it()
    {
        const int size = 32;
        var (reference, test) = QualityImages.Noisy(size, size, seed: 2, noise: 0.1);
        var hole = QualityImages.Rectangle(size, size, 10, 22, 10, 22);
        var before = ImageQuality.Score(reference, test, hole);

        // Far from the hole (more than 5 pixels, a window's reach): nothing of the hole moves, the whole image does.
        var outsideReach = QualityImages.Rectangle(size, size, 5, 27, 5, 27).logical_not();
        var far = where(outsideReach, 1 - test, test);
        var afterFar = ImageQuality.Score(reference, far, hole);
        Assert.Equal(before.HolePsnr, afterFar.HolePsnr);
        Assert.Equal(before.HoleSsim, afterFar.HoleSsim);
        Assert.Equal(before.HoleL1, afterFar.HoleL1);
        Assert.True(afterFar.Psnr < before.Psnr - 1 && afterFar.L1 > before.L1 + 10 && afterFar.Ssim < before.Ssim - 0.1);

        // Just outside the hole: its pixels are the same, but windows centred in it see the change.
        var near = test.clone();
        near[TensorIndex.Colon, 9, TensorIndex.Slice(10, 22)] = 1 - test[TensorIndex.Colon, 9, TensorIndex.Slice(10, 22)];
        var afterNear = ImageQuality.Score(reference, near, hole);
        Assert.Equal(before.HolePsnr, afterNear.HolePsnr);
        Assert.Equal(before.HoleL1, afterNear.HoleL1);
        Assert.NotEqual(before.HoleSsim, afterNear.HoleSsim);
    }

    [Fact]
    public void The_hole_psnr_and_l1_are_those_of_its_pixels_whatever_is_outside()
    {
        const int d = 7;
        var reference = QualityImages.Constant(20, 24, 100);
        var hole = QualityImages.Rectangle(20, 24, 3, 9, 4, 15);
        var (_, noise) = QualityImages.Noisy(20, 24, seed: 3);
        var test = where(hole, QualityImages.Constant(20, 24, 100 + d), noise);

        var scores = ImageQuality.Score(reference, test, hole);

        Assert.Equal(PsnrOfOffset(d), scores.HolePsnr, 1e-10);
        Assert.Equal(d, scores.HoleL1, 1e-12);
        Assert.Equal(PsnrOfOffset(d), ImageQuality.Psnr(reference, test, hole), 1e-10);
        Assert.Equal(d, ImageQuality.L1(reference, test, hole), 1e-12);
        Assert.True(scores.L1 > 2 * d);
    }

    [Fact]
    public void A_hole_mask_may_be_bool_or_0_1_float_of_any_accepted_shape()
    {
        var (reference, test) = QualityImages.Noisy(20, 20, seed: 4);
        var hole = QualityImages.Rectangle(20, 20, 2, 15, 3, 18);
        var expected = ImageQuality.Score(reference, test, hole);

        foreach (var mask in new[] { hole.to(ScalarType.Float32), hole.unsqueeze(0), hole.reshape(1, 1, 20, 20).to(ScalarType.Float64) })
            Assert.Equal(expected, ImageQuality.Score(reference, test, mask));
        Assert.Equal(expected.HoleSsim, ImageQuality.Ssim(reference, test, hole));
    }

    [Fact]
    public void A_hole_without_a_pixel_gives_nan_and_one_without_a_valid_window_centre_nan_ssim()
    {
        var (reference, test) = QualityImages.Noisy(16, 16, seed: 5);

        var empty = ImageQuality.Score(reference, test, zeros([16, 16], ScalarType.Bool));
        Assert.True(double.IsNaN(empty.HolePsnr) && double.IsNaN(empty.HoleSsim) && double.IsNaN(empty.HoleL1));
        Assert.False(double.IsNaN(empty.Psnr) || double.IsNaN(empty.Ssim) || double.IsNaN(empty.L1));

        // Centres are rows and columns 5..10 of a 16×16 image; a hole in the top 5 rows holds none of them.
        var border = ImageQuality.Score(reference, test, QualityImages.Rectangle(16, 16, 0, 5, 0, 16));
        Assert.True(double.IsNaN(border.HoleSsim));
        Assert.InRange(border.HolePsnr, 10, 99);
    }

    [Fact]
    public void A_batch_scores_the_mean_of_its_images_and_skips_an_image_without_hole_pixels()
    {
        const int size = 16;
        var pairs = new[] { 0.02, 0.1, 0.3 }.Select((noise, i) => QualityImages.Noisy(size, size, seed: 10 + i, noise)).ToList();
        var reference = stack(pairs.Select(p => p.Reference).ToArray());
        var test = stack(pairs.Select(p => p.Test).ToArray());
        Tensor[] holes = [QualityImages.Rectangle(size, size, 2, 12, 2, 12), zeros([size, size], ScalarType.Bool), QualityImages.Rectangle(size, size, 4, 16, 0, 9)];
        var hole = stack(holes).unsqueeze(1);

        var each = ImageQuality.ScoreEach(reference, test, hole);
        var batch = ImageQuality.Score(reference, test, hole);

        Assert.Equal(3, each.Count);
        for (var i = 0; i < 3; i++)
        {
            var alone = ImageQuality.Score(pairs[i].Reference, pairs[i].Test, holes[i]);
            foreach (var ((name, value), (_, expected)) in each[i].Named().Zip(alone.Named()))
                Assert.True(double.IsNaN(expected) ? double.IsNaN(value) : Math.Abs(value - expected) < 1e-12, $"image {i} {name}: {value} vs {expected}");
        }
        Assert.Equal(each.Average(s => s.Psnr), batch.Psnr, 1e-12);
        Assert.Equal(each.Average(s => s.Ssim), batch.Ssim, 1e-12);
        Assert.Equal(each.Average(s => s.L1), batch.L1, 1e-12);
        Assert.True(double.IsNaN(each[1].HolePsnr));
        Assert.Equal((each[0].HolePsnr + each[2].HolePsnr) / 2, batch.HolePsnr, 1e-12);
        Assert.Equal((each[0].HoleSsim + each[2].HoleSsim) / 2, batch.HoleSsim, 1e-12);
        Assert.Equal(batch.Psnr, ImageQuality.Psnr(reference, test), 1e-12);
        Assert.Equal(batch.Ssim, ImageQuality.Ssim(reference, test), 1e-12);

        // The mean of per-image PSNRs, not the PSNR of the pooled MSE (which the noisiest image would dominate).
        var pooled = 10 * Math.Log10(255.0 * 255 / each.Average(s => Math.Pow(255, 2) / Math.Pow(10, s.Psnr / 10)));
        Assert.True(batch.Psnr > pooled + 1, $"{batch.Psnr} vs pooled {pooled}");
    }

    [Fact]
    public void Images_are_quantised_to_8_bit_levels_as_a_png_stores_them()
    {
        var reference = QualityImages.Constant(12, 12, 100);

        Assert.Equal(100.0, ImageQuality.Psnr(reference, reference + 0.49f / 255));
        var oneLevel = ImageQuality.Score(reference, reference + 0.51f / 255);
        Assert.Equal(PsnrOfOffset(1), oneLevel.Psnr, 1e-10);
        Assert.Equal(1.0, oneLevel.L1, 1e-12);
        Assert.Equal(100.0, ImageQuality.Psnr(zeros([3, 12, 12]), full([3, 12, 12], -0.3f)));
        Assert.Equal(100.0, ImageQuality.Psnr(ones([3, 12, 12]), full([3, 12, 12], 1.7f)));

        // A PNG round trip changes no score: the metrics see what the files hold.
        using var temp = new TempFolder();
        var (a, b) = QualityImages.Noisy(19, 23, seed: 6);
        ImageIO.SaveRgb(a, temp.File("a.png"));
        ImageIO.SaveRgb(b, temp.File("b.png"));
        Assert.Equal(ImageQuality.Score(a, b), ImageQuality.Score(ImageIO.LoadRgb(temp.File("a.png")), ImageIO.LoadRgb(temp.File("b.png"))));
    }

    [Fact]
    public void Ssim_averages_only_windows_inside_the_image_so_a_corner_pixel_reaches_one_window()
    {
        var (reference, test) = QualityImages.Formula(16, 20);
        var map = ImageQuality.SsimMap(reference, test);
        Assert.Equal([1L, 6, 10], map.shape);
        Assert.Equal(map.mean().item<double>(), ImageQuality.Ssim(reference, test), 1e-15);

        foreach (var (y, x, row, column) in new[] { (0, 0, 0, 0), (15, 19, 5, 9), (0, 12, 0, 9) })
        {
            var changed = test.clone();
            changed[1, y, x] = 1 - changed[1, y, x];
            var moved = ImageQuality.SsimMap(reference, changed).ne(map)[0];
            var expected = zeros([6, 10], ScalarType.Bool);
            // The windows that hold pixel (y, x) are those centred within 5 of it, and centre (5 + r, 5 + c) is map entry
            // (r, c): rows y − 10 .. y and columns x − 10 .. x of the map, cut to the map; (row, column) is the last of each.
            expected[TensorIndex.Slice(Math.Max(0, y - 10), row + 1), TensorIndex.Slice(Math.Max(0, x - 10), column + 1)] = tensor(true);
            Assert.True(Tensors.Identical(expected, moved), $"pixel ({y},{x})");
        }

        // An 11×11 image has one window, and it is the 16×20 image's first: both start with the same 11×11 pixels.
        var (small, smallTest) = QualityImages.Formula(11, 11);
        var one = ImageQuality.SsimMap(small, smallTest);
        Assert.Equal([1L, 1, 1], one.shape);
        Assert.Equal(map[0, 0, 0].item<double>(), one.item<double>(), 1e-15);
    }

    // scikit-image 0.19.3 on the formula pair (Debian's python3-skimage):
    //   import numpy as np; from skimage.metrics import structural_similarity as ssim, peak_signal_noise_ratio as psnr
    //   c, y, x = np.mgrid[0:3, 0:h, 0:w]; ref = (7*x + 13*y + 29*c + x*y) % 256
    //   a = ref.transpose(1,2,0).astype(np.uint8); b = np.clip(ref + (3*x + 5*y + 11*c) % 17 - 8, 0, 255).transpose(1,2,0).astype(np.uint8)
    //   m, S = ssim(a, b, full=True, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255, channel_axis=-1)
    //   hole = np.zeros((h,w), bool); hole[4:12, 6:14] = True; Sv = S[5:h-5, 5:w-5].mean(-1)
    //   print(m, psnr(a, b, data_range=255), np.abs(a - b.astype(float)).mean(),
    //         Sv[hole[5:h-5, 5:w-5]].mean(), psnr(a[hole], b[hole], data_range=255), np.abs(a[hole] - b[hole].astype(float)).mean())
    [Theory]
    [InlineData(11, 11, 0.9898506924259131, 34.37983834450368, 4.192837465564739, double.NaN, 34.373732107953245, 4.20952380952381)]
    [InlineData(16, 20, 0.9966123072384048, 34.39861761004094, 4.18125, 0.9968952902987137, 34.40187527392274, 4.171875)]
    public void The_scores_of_the_formula_pair_are_scikit_images(int height, int width,
        double ssim, double psnr, double l1, double holeSsim, double holePsnr, double holeL1)
    {
        var (reference, test) = QualityImages.Formula(height, width);
        var hole = QualityImages.Rectangle(height, width, 4, 12, 6, 14);

        var scores = ImageQuality.Score(reference, test, hole);

        Assert.Equal(ssim, scores.Ssim, 1e-12);
        Assert.Equal(psnr, scores.Psnr, 1e-12);
        Assert.Equal(l1, scores.L1, 1e-12);
        Assert.Equal(holeSsim, scores.HoleSsim, 1e-12);
        Assert.Equal(holePsnr, scores.HolePsnr, 1e-12);
        Assert.Equal(holeL1, scores.HoleL1, 1e-12);
    }

    [Fact]
    public void The_last_window_of_the_16_by_20_formula_map_is_scikit_images()
    {
        var (reference, test) = QualityImages.Formula(16, 20);
        // S[5:11, 5:15].mean(-1)[-1, -1] in the script above
        Assert.Equal(0.9949783947996331, ImageQuality.SsimMap(reference, test)[0, 5, 9].item<double>(), 1e-12);
    }

    [Fact]
    public void Mismatched_or_unusable_inputs_are_refused_with_a_message_that_says_why()
    {
        var image = QualityImages.Constant(16, 16, 50);

        var shapes = Assert.Throws<ArgumentException>(() => ImageQuality.Score(image, QualityImages.Constant(16, 17, 50)));
        Assert.Contains("(3,16,16)", shapes.Message);
        Assert.Contains("(3,16,17)", shapes.Message);
        Assert.Contains("RGB", Assert.Throws<ArgumentException>(() => ImageQuality.Psnr(zeros([1, 16, 16]), zeros([1, 16, 16]))).Message);
        Assert.Contains("divide 8-bit images by 255", Assert.Throws<ArgumentException>(() =>
            ImageQuality.L1(zeros([3, 16, 16], ScalarType.Byte), zeros([3, 16, 16], ScalarType.Byte))).Message);

        var small = QualityImages.Constant(10, 12, 50);
        Assert.Contains("at least 11×11 pixels", Assert.Throws<ArgumentException>(() => ImageQuality.Ssim(small, small)).Message);
        Assert.Throws<ArgumentException>(() => ImageQuality.Score(small, small));
        Assert.Equal(100.0, ImageQuality.Psnr(small, small)); // PSNR and L1 need no window
        Assert.Equal(0.0, ImageQuality.L1(small, small));

        Assert.Contains("(H,W), (1,H,W) or (N,1,H,W)", Assert.Throws<ArgumentException>(() => ImageQuality.Score(image, image, ones([15, 16]))).Message);
        Assert.Throws<ArgumentException>(() => ImageQuality.Score(image, image, ones([2, 1, 16, 16])));
        Assert.Contains("0/1", Assert.Throws<ArgumentException>(() => ImageQuality.Score(image, image, full([16, 16], 0.5f))).Message);
    }

    [Fact]
    public void The_specs_name_the_scores_in_order_with_their_directions()
    {
        var named = new ImageQualityScores(30, 0.9, 5).Named();

        Assert.Equal(["PSNR", "SSIM", "L1", "hole PSNR", "hole SSIM", "hole L1"], named.Select(n => n.Name));
        Assert.Equal(ImageQualityMetricSpecs.All.Select(s => s.Name), named.Select(n => n.Name));
        Assert.Equal([Better.Higher, Better.Higher, Better.Lower, Better.Higher, Better.Higher, Better.Lower], ImageQualityMetricSpecs.All.Select(s => s.Direction));
        Assert.Equal("PSNR (dB)", ImageQualityMetricSpecs.Psnr.Symbol);
        Assert.Equal("30.00", ImageQualityMetricSpecs.Psnr.FormatValue(30));
        Assert.Equal("0.900", ImageQualityMetricSpecs.Ssim.FormatValue(0.9));
        Assert.True(double.IsNaN(named[3].Value));
        ImageQualityMetricSpecs.Register();
        ImageQualityMetricSpecs.Register();
        Assert.Same(ImageQualityMetricSpecs.HoleL1, MetricRegistry.Get("hole L1"));
    }
}
