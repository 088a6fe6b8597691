using NotebookHelpers.Imaging;
using NotebookHelpers.Metrics;
using NotebookHelpers.Papers.SalGan;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.SalGan;

public class SaliencyMetricsTests
{
    private const double Tight = 1e-12;

    private static Tensor Map(int height, int width, params double[] values) => torch.tensor(values, [height, width]);

    private static double[] Values(Tensor perImage) => perImage.cpu().data<double>().ToArray();

    private static double One(Tensor perImage) => Assert.Single(Values(perImage));

    [Fact]
    public void AucJudd_without_ties_matches_the_hand_drawn_curve()
    {
        // Fixated values 0.9 and 0.3 (thresholds, descending); 6 pixels, 2 fixations, 4 others.
        // t = 0.9: 1 pixel ≥ t → TP 1/2, FP (1 − 1)/4 = 0.   t = 0.3: 4 pixels ≥ t → TP 1, FP (4 − 2)/4 = 1/2.
        // Curve (0,0) (0,½) (½,1) (1,1): area 0 + ½·(½ + 1)/2 + ½·1 = 0.875.
        var s = Map(2, 3, 0.9, 0.1, 0.5, 0.3, 0.7, 0.2);
        var f = Map(2, 3, 1, 0, 0, 1, 0, 0);

        Assert.Equal(0.875, One(SaliencyMetrics.AucJudd(s, f)), Tight);
    }

    [Fact]
    public void AucJudd_counts_ties_as_the_formula_says()
    {
        // Three pixels hold 0.8; the two fixated ones give the thresholds 0.8, 0.8, and 3 pixels are ≥ 0.8 at both.
        // i = 1: TP 1/2, FP (3 − 1)/4 = 1/2.   i = 2: TP 1, FP (3 − 2)/4 = 1/4 (the curve steps back).
        // Trapezoids over FP [0, ½, ¼, 1], TP [0, ½, 1, 1]: ½·¼ − ¼·¾ + ¾·1 = 0.125 − 0.1875 + 0.75 = 0.6875.
        var s = Map(2, 3, 0.8, 0.8, 0.2, 0.8, 0.2, 0.5);
        var fixatedTies = Map(2, 3, 1, 1, 0, 0, 0, 0);
        // A tie with an unfixated pixel: fixations at 0.8 and 0.5. t = 0.8: 3 pixels → TP ½, FP (3 − 1)/4 = ½;
        // t = 0.5: 4 pixels → TP 1, FP (4 − 2)/4 = ½. Area ½·¼ + 0 + ½·1 = 0.625.
        var unfixatedTie = Map(2, 3, 1, 0, 0, 0, 0, 1);

        Assert.Equal(0.6875, One(SaliencyMetrics.AucJudd(s, fixatedTies)), Tight);
        Assert.Equal(0.625, One(SaliencyMetrics.AucJudd(s, unfixatedTie)), Tight);
    }

    [Fact]
    public void Nss_standardises_with_the_population_std()
    {
        // S = [0 0; 0 4]: mean 1, population variance (1 + 1 + 1 + 9)/4 = 3. Z = −1/√3 at (0,0) and 3/√3 = √3 at (1,1);
        // NSS over both = (√3 − 1/√3)/2 = 1/√3 ≈ 0.5774 (the sample std, 2, would give 0.5).
        var s = Map(2, 2, 0, 0, 0, 4);
        var f = Map(2, 2, 1, 0, 0, 1);

        Assert.Equal(1 / Math.Sqrt(3), One(SaliencyMetrics.Nss(s, f)), Tight);
    }

    [Fact]
    public void Cc_is_one_for_a_scaled_copy_minus_one_for_an_inverted_one_and_matches_a_hand_case()
    {
        var s = Map(2, 2, 1, 2, 3, 4);
        // Centred: S → (−1.5, −0.5, 0.5, 1.5), D = (1, 3, 2, 4) → (−1.5, 0.5, −0.5, 1.5).
        // Σ products = 2.25 − 0.25 − 0.25 + 2.25 = 4; Σ squares = 5 each; CC = 4/5.
        var d = Map(2, 2, 1, 3, 2, 4);

        Assert.Equal(1.0, One(SaliencyMetrics.Cc(s, s * 2 + 1)), Tight);
        Assert.Equal(-1.0, One(SaliencyMetrics.Cc(s, 10 - s)), Tight);
        Assert.Equal(0.8, One(SaliencyMetrics.Cc(s, d)), Tight);
    }

    [Fact]
    public void Kld_is_zero_for_identical_maps_and_matches_hand_cases()
    {
        var uniform = Map(2, 2, 1, 1, 1, 1);
        // P = ¼ everywhere, Q = (¾, ¼, 0, 0): KLD = ¾·ln(¾ / ¼) + ¼·ln(1) = ¾·ln 3 ≈ 0.8240.
        var d = Map(2, 2, 3, 1, 0, 0);
        // An all-zero prediction stays zero (the reference does not divide it by its sum): Q = ¼ everywhere and
        // KLD = ln(eps + ¼/eps) = ln ¼ + 52·ln 2 ≈ 34.657.
        var zero = Map(2, 2, 0, 0, 0, 0);

        Assert.Equal(0.0, One(SaliencyMetrics.Kld(d, d)), Tight);
        Assert.Equal(0.75 * Math.Log(3), One(SaliencyMetrics.Kld(uniform, d)), Tight);
        Assert.Equal(Math.Log(0.25) + 52 * Math.Log(2), One(SaliencyMetrics.Kld(zero, uniform)), 1e-9);
    }

    [Fact]
    public void Sim_is_one_for_identical_zero_for_disjoint_and_min_max_normalises_first()
    {
        var s = Map(2, 2, 1, 2, 3, 4);
        // S → [0, ⅓, ⅔, 1] → P = [0, ⅙, ⅓, ½]; D = [4, 3, 2, 1] → [1, ⅔, ⅓, 0] → Q = [½, ⅓, ⅙, 0].
        // SIM = 0 + ⅙ + ⅙ + 0 = ⅓ (dividing by the sums alone would give 0.6).
        var d = Map(2, 2, 4, 3, 2, 1);

        Assert.Equal(1.0, One(SaliencyMetrics.Sim(s, s)), Tight);
        Assert.Equal(0.0, One(SaliencyMetrics.Sim(Map(2, 2, 1, 0, 0, 0), Map(2, 2, 0, 0, 0, 1))), Tight);
        Assert.Equal(1.0 / 3, One(SaliencyMetrics.Sim(s, d)), Tight);
    }

    [Fact]
    public void InformationGain_is_zero_over_itself_and_matches_a_hand_case()
    {
        var baseline = SaliencyMetrics.CenterBias(4, 5);
        var f = Map(4, 5, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
        // S = [3,2,2,1] min-max → [1,½,½,0], over its sum 2 → P = [½,¼,¼,0] (S/ΣS alone would give 3/8 at (0,0)).
        // B = [2,3,1,2] min-max → [½,1,0,½], over its sum 2 → [¼,½,0,¼]. Fixation (0,0): log2(½) − log2(¼) = 1.
        var s = Map(2, 2, 3, 2, 2, 1);
        var b = Map(2, 2, 2, 3, 1, 2);

        Assert.Equal(0.0, One(SaliencyMetrics.InformationGain(baseline, f, baseline)), Tight);
        Assert.Equal(1.0, One(SaliencyMetrics.InformationGain(s, Map(2, 2, 1, 0, 0, 0), b)), Tight);
        // Two fixations (0,0) and (0,1): gains 1 and log2(¼) − log2(½) = −1; mean 0.
        Assert.Equal(0.0, One(SaliencyMetrics.InformationGain(s, Map(2, 2, 1, 1, 0, 0), b)), Tight);
    }

    [Fact]
    public void CenterBias_is_a_gaussian_centred_on_the_image_with_sigma_a_fraction_of_each_side()
    {
        // 4x8, fraction ¼: σ_y = 1, σ_x = 2, centre (1.5, 3.5). Pixel (1,3): exp(−0.5²/2 − 0.5²/8) = exp(−0.15625).
        // Pixel (0,0): exp(−1.5²/2 − 3.5²/8) = exp(−2.65625).
        var map = SaliencyMetrics.CenterBias(4, 8);

        Assert.Equal([4L, 8], map.shape);
        Assert.Equal(Math.Exp(-0.15625), map[1, 3].item<double>(), Tight);
        Assert.Equal(Math.Exp(-2.65625), map[0, 0].item<double>(), Tight);
        Assert.Equal(map[0, 0].item<double>(), map[3, 7].item<double>(), Tight);
    }

    [Fact]
    public void AucBorji_of_a_perfect_map_is_one_minus_half_the_negatives_that_land_on_fixations()
    {
        // S = 1 at the 10 fixations of a 10x10 map, 0 elsewhere; max = 1, so the thresholds are 1.0, 0.9, …, 0.
        // A split whose 10 negatives put k on fixated pixels has TP = 1 and FP = k/10 at every t > 0, then (1,1) at 0:
        // area ½·(k/10) + (1 − k/10) = 1 − k/20. Over 100 splits the mean is 1 − K/2000 with K the total of k, an
        // integer whose expectation is 1000 · 10/100 = 100: about 0.95, give or take 0.005.
        var f = torch.zeros(10, 10, dtype: ScalarType.Float64);
        f[0] = torch.ones(10, dtype: ScalarType.Float64);

        var auc = One(SaliencyMetrics.AucBorji(f, f));

        var landed = (1 - auc) * 2000;
        Assert.Equal(Math.Round(landed), landed, 1e-9);
        Assert.InRange(auc, 0.93, 0.97);
    }

    [Fact]
    public void AucBorji_and_ShuffledAuc_repeat_with_a_seed_and_move_a_little_with_another()
    {
        using var generator = new Generator(7, torch.CPU);
        var s = torch.rand([3, 16, 16], dtype: ScalarType.Float64, generator: generator);
        var f = torch.rand([3, 16, 16], dtype: ScalarType.Float64, generator: generator).lt(0.08);

        var borji = Values(SaliencyMetrics.AucBorji(s, f));
        var shuffled = Values(SaliencyMetrics.ShuffledAuc(s, f));

        Assert.Equal(borji, Values(SaliencyMetrics.AucBorji(s, f, seed: 0)));
        Assert.Equal(shuffled, Values(SaliencyMetrics.ShuffledAuc(s, f, seed: 0)));
        var otherBorji = Values(SaliencyMetrics.AucBorji(s, f, seed: 1));
        var otherShuffled = Values(SaliencyMetrics.ShuffledAuc(s, f, seed: 1));
        Assert.NotEqual(borji, otherBorji);
        Assert.NotEqual(shuffled, otherShuffled);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(borji[i], otherBorji[i], 0.05);
            Assert.Equal(shuffled[i], otherShuffled[i], 0.05);
        }
    }

    [Fact]
    public void ShuffledAuc_draws_its_negatives_from_the_other_images_fixations_only()
    {
        // Both images: S = diag(1, 0.5, 0.25) in a 3x3 map. A fixates (0,0) = 1 and (2,2) = 0.25;
        // B fixates (1,1) = 0.5 and (0,0) = 1. Each has 2 fixations and 2 other locations, so every split takes all of
        // them and no draw matters. Thresholds 1.0, 0.9, …, 0.
        // A: negatives {0.5, 1}. t ∈ [0.6, 1]: TP ½, FP ½; t ∈ {0.5, 0.4, 0.3}: TP ½, FP 1; t ≤ 0.2: TP 1, FP 1.
        //    (0,0) → (½,½) → (1,½) → (1,1): ½·¼ + ½·½ = 0.375. (Its own fixations as negatives would give 0.5.)
        // B: negatives {1, 0.25}. t ∈ [0.6, 1]: TP ½, FP ½; t ∈ {0.5, 0.4, 0.3}: TP 1, FP ½; t ≤ 0.2: TP 1, FP 1.
        //    (0,0) → (½,½) → (½,1) → (1,1): ½·¼ + ½·1 = 0.625.
        // B's fixation at (0,0) is also A's: it is still one of A's negatives, which is what lowers A's score.
        var s = Map(3, 3, 1, 0, 0, 0, 0.5, 0, 0, 0, 0.25);
        var a = Map(3, 3, 1, 0, 0, 0, 0, 0, 0, 0, 1);
        var b = Map(3, 3, 1, 0, 0, 0, 1, 0, 0, 0, 0);
        var batchS = torch.stack([s, s]);
        var batchF = torch.stack([a, b]);

        Assert.Equal([0.375, 0.625], Values(SaliencyMetrics.ShuffledAuc(batchS, batchF)), new Tolerance(Tight));
        Assert.Equal([0.375, 0.625], Values(SaliencyMetrics.ShuffledAuc(batchS, batchF, seed: 5)), new Tolerance(Tight));
        Assert.Equal(0.375, One(SaliencyMetrics.ShuffledAuc(s, a, otherFixations: b)), Tight);
    }

    [Fact]
    public void ShuffledAuc_is_one_for_a_map_high_only_at_fixations_while_AucBorji_negatives_can_hit_them()
    {
        // A fixates three pixels of the left column where S = 1 (0 elsewhere); B fixates the right column. A's
        // negatives all have S = 0, so TP = 1 and FP = 0 at every t > 0: the curve is (0,0) (0,1) (1,1), area 1.
        // B, scored on the same map, is the opposite: its fixations have S = 0 and its negatives (A's) S = 1, so
        // TP = 0 and FP = 1 at every t > 0: (0,0) (1,0) (1,1), area 0.
        var s = torch.zeros(6, 6, dtype: ScalarType.Float64);
        s[TensorIndex.Slice(0, 3), 0] = torch.tensor(1.0);
        var other = torch.zeros(6, 6, dtype: ScalarType.Float64);
        other[TensorIndex.Colon, 5] = torch.tensor(1.0);

        Assert.Equal([1.0, 0.0], Values(SaliencyMetrics.ShuffledAuc(torch.stack([s, s]), torch.stack([s, other]))),
            new Tolerance(Tight));
        Assert.True(One(SaliencyMetrics.AucBorji(s, s)) < 1);
    }

    [Fact]
    public void The_random_split_thresholds_are_matlabs_colon_so_an_exact_tenth_clears_its_threshold()
    {
        // 1x4 maps S = [0, 0.55, 0.6, 1]; A fixates 0.6, B fixates 0.55, so each one's only negative is the other's
        // fixation. Max 0.6 → thresholds 0.6, 0.5, …, 0 with MATLAB's 0:0.1:0.6 ending on exactly 0.6.
        // A at t = 0.6: TP 1, FP 0 → (0,1); then (1,1): area 1. B at t = 0.6: TP 0, FP 1 → (1,0); then (1,1): area 0.
        // Thresholds k·0.1 would put 0.6000000000000001 first, above both values, and give 0.5 for each.
        var s = Map(1, 4, 0, 0.55, 0.6, 1);
        var a = Map(1, 4, 0, 0, 1, 0);
        var b = Map(1, 4, 0, 1, 0, 0);

        Assert.Equal([1.0, 0.0], Values(SaliencyMetrics.ShuffledAuc(torch.stack([s, s]), torch.stack([a, b]))),
            new Tolerance(Tight));
    }

    [Fact]
    public void A_batch_gives_the_same_values_as_one_image_at_a_time()
    {
        using var generator = new Generator(3, torch.CPU);
        var s = torch.rand([3, 1, 8, 10], generator: generator);
        var f = torch.rand([3, 1, 8, 10], generator: generator).lt(0.15).to(ScalarType.Float32);
        var d = torch.rand([3, 1, 8, 10], generator: generator);
        var baseline = SaliencyMetrics.CenterBias(8, 10);
        var others = new FixationSet(Enumerable.Range(0, 3).Select(i => f[i]));

        var batch = new[] {
            SaliencyMetrics.AucJudd(s, f), SaliencyMetrics.AucBorji(s, f), SaliencyMetrics.ShuffledAuc(s, f),
            SaliencyMetrics.Nss(s, f), SaliencyMetrics.Cc(s, d), SaliencyMetrics.Kld(s, d), SaliencyMetrics.Sim(s, d),
            SaliencyMetrics.InformationGain(s, f, baseline),
        }.Select(Values).ToArray();

        for (var i = 0; i < 3; i++)
        {
            var (si, fi, di) = (s[i, 0], f[i, 0], d[i, 0]);
            var single = new[] {
                SaliencyMetrics.AucJudd(si, fi), SaliencyMetrics.AucBorji(si, fi),
                SaliencyMetrics.ShuffledAuc(si, fi, others.OtherFixationMap(i)),
                SaliencyMetrics.Nss(si, fi), SaliencyMetrics.Cc(si, di), SaliencyMetrics.Kld(si, di),
                SaliencyMetrics.Sim(si, di), SaliencyMetrics.InformationGain(si, fi, baseline),
            }.Select(One).ToArray();
            Assert.Equal(batch.Select(metric => metric[i]).ToArray(), single, new Tolerance(Tight));
        }
    }

    [Fact]
    public void A_prediction_of_another_size_is_resized_bilinearly_without_antialiasing()
    {
        using var generator = new Generator(11, torch.CPU);
        var small = torch.rand([1, 4, 5], dtype: ScalarType.Float64, generator: generator);
        var large = torch.rand([1, 8, 10], dtype: ScalarType.Float64, generator: generator);
        var fixations = torch.rand([1, 8, 10], generator: generator).lt(0.2);
        var densitySmall = torch.rand([1, 4, 5], dtype: ScalarType.Float64, generator: generator);
        var upsized = ImageTransforms.Resize(small, 8, 10, antialias: false);
        var downsized = ImageTransforms.Resize(large, 4, 5, antialias: false);
        var antialiased = ImageTransforms.Resize(large, 4, 5, antialias: true);

        Assert.Equal(One(SaliencyMetrics.Nss(upsized, fixations)), One(SaliencyMetrics.Nss(small, fixations)), Tight);
        Assert.Equal(One(SaliencyMetrics.AucJudd(upsized, fixations)), One(SaliencyMetrics.AucJudd(small, fixations)), Tight);
        Assert.Equal(One(SaliencyMetrics.Cc(downsized, densitySmall)), One(SaliencyMetrics.Cc(large, densitySmall)), Tight);
        Assert.NotEqual(One(SaliencyMetrics.Cc(antialiased, densitySmall)), One(SaliencyMetrics.Cc(large, densitySmall)), Tight);
    }

    [Fact]
    public void A_fixation_map_without_fixations_is_an_error_naming_the_image()
    {
        var s = torch.rand(3, 4, 4);
        var f = torch.ones(3, 4, 4);
        f[1] = torch.zeros(4, 4);

        var error = Assert.Throws<ArgumentException>(() => SaliencyMetrics.Nss(s, f));
        Assert.Contains("Fixation map 1 ", error.Message);
        Assert.Throws<ArgumentException>(() => SaliencyMetrics.AucJudd(s, f));
        Assert.Throws<ArgumentException>(() => SaliencyMetrics.ShuffledAuc(s, f));
    }

    [Fact]
    public void A_constant_prediction_gives_NaN_where_the_reference_does()
    {
        var s = torch.full(4, 4, 0.5, dtype: ScalarType.Float64);
        var f = torch.eye(4, dtype: ScalarType.Float64);
        var d = torch.rand(4, 4, dtype: ScalarType.Float64);

        Assert.True(double.IsNaN(One(SaliencyMetrics.AucJudd(s, f))));
        Assert.True(double.IsNaN(One(SaliencyMetrics.AucBorji(s, f))));
        Assert.True(double.IsNaN(One(SaliencyMetrics.Nss(s, f))));
        Assert.True(double.IsNaN(One(SaliencyMetrics.Cc(s, d))));
        Assert.True(double.IsNaN(One(SaliencyMetrics.Sim(s, d))));
        Assert.True(double.IsNaN(SaliencyMetrics.Mean(torch.tensor(new[] { 0.5, double.NaN }))));
    }

    [Fact]
    public void FixationSet_carries_locations_to_another_size_by_relative_position()
    {
        // A 2x2 map fixating (0,0) and (1,1) seen from a 4x4 image: pixel centres (0.5, 0.5)·2 → (1,1) and
        // (1.5, 1.5)·2 → (3,3). The 4x4 image's own fixation at (3,3) does not hide the other image's.
        var small = Map(2, 2, 1, 0, 0, 1);
        var large = torch.zeros(4, 4);
        large[3, 3] = torch.tensor(1f);
        var set = new FixationSet([small, large]);

        var other = set.OtherFixationMap(1);

        var expected = torch.zeros(4, 4, dtype: ScalarType.Bool);
        expected[1, 1] = torch.tensor(true);
        expected[3, 3] = torch.tensor(true);
        Assert.Equal([4L, 4], other.shape);
        Assert.Equal(expected.data<bool>().ToArray(), other.data<bool>().ToArray());
        Assert.Equal([false, false, false, true], set.OtherFixationMap(0).data<bool>().ToArray());
    }

    private sealed class Tolerance(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double value) => 0;
    }
}
