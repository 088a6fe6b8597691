using NotebookHelpers.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Metrics;

public class CamFaithfulnessTests
{
    /// <summary>
    /// One channel -> mean over the pixels m -> logits (0, 4m), so p_1 = σ(4m) = 1 / (1 + e^(−4m)) and p_0 = 1 − p_1.
    /// </summary>
    private static nn.Module<Tensor, Tensor> MeanLogistic()
    {
        var fc = nn.Linear(1, 2);
        using (no_grad())
        {
            fc.weight!.copy_(tensor(new float[,] { { 0 }, { 4 } }));
            fc.bias!.zero_();
        }
        return nn.Sequential(("pool", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()), ("fc", fc));
    }

    private static double P1(double mean) => 1 / (1 + Math.Exp(-4 * mean));

    private static Tensor Image(params float[] pixels) => tensor(pixels).reshape(1, 1, 2, 2);

    private static Tensor Map(params float[] values) => tensor(values).reshape(1, 2, 2);

    [Fact]
    public void Average_drop_and_increase_on_hand_made_images()
    {
        // A = (1, 2, 3, 4), mean 2.5, Y = σ(10); the map (0.1, 0.9, 0.5, 0.2) keeps pixels 1 and 2: (0, 2, 3, 0), mean
        // 1.25, O = σ(5) < Y: a drop of (σ(10) − σ(5)) / σ(10), no increase.
        // B = (3, −2, 1, −4), mean −0.5, Y = σ(−2); the map (0.7, 0.3, 0.7, 0.7) ties three pixels, and the two of
        // smaller index, 0 and 2, are kept: (3, 0, 1, 0), mean 1, O = σ(4) > Y: no drop, an increase.
        using var model = MeanLogistic();
        var images = cat([Image(1, 2, 3, 4), Image(3, -2, 1, -4)], 0);
        var maps = cat([Map(0.1f, 0.9f, 0.5f, 0.2f), Map(0.7f, 0.3f, 0.7f, 0.7f)], 0);

        var scores = CamFaithfulness.Recognition(model, images, [1, 1], maps, batchSize: 1);

        Assert.Equal([P1(2.5), P1(-0.5)], scores.Full, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal([P1(1.25), P1(1)], scores.Explained, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(100 * ((P1(2.5) - P1(1.25)) / P1(2.5) + 0) / 2, scores.AverageDrop, 1e-4);
        Assert.Equal(50, scores.AverageIncrease);
        var batched = CamFaithfulness.Recognition(model, images, [1, 1], maps);
        Assert.Equal(scores.AverageDrop, batched.AverageDrop, 1e-12);
        Assert.Equal(scores.AverageIncrease, batched.AverageIncrease);
    }

    [Fact]
    public void The_kept_count_rounds_halves_up()
    {
        // 3×3 pixels of 1, keep 0.5: round(4.5) = 5 pixels kept, mean 5/9, O = σ(20/9).
        using var model = MeanLogistic();
        var map = arange(9, dtype: float32).div(9).reshape(1, 3, 3);
        var scores = CamFaithfulness.Recognition(model, ones(1, 1, 3, 3), [1], map);
        Assert.Equal(P1(5.0 / 9), scores.Explained[0], 1e-6);
    }

    /// <summary>A 4×4 map that orders the pixels as <paramref name="order"/> says: map[order[j]] = 1 − j/16.</summary>
    private static Tensor MapInOrder(int[] order)
    {
        var values = new float[16];
        for (var j = 0; j < 16; j++) values[order[j]] = 1 - j / 16f;
        return tensor(values).reshape(4, 4);
    }

    private static readonly int[] HandOrder = [5, 0, 10, 15, 3, 12, 6, 9, 1, 14, 2, 13, 7, 8, 4, 11];

    private static float[] Pixels() => [.. Enumerable.Range(0, 16).Select(p => p / 8f - 1 + (p % 3 == 0 ? 0.5f : 0))];

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(32)]
    public void The_deletion_curve_point_by_point(int batchSize)
    {
        // 16 pixels: step = ⌈0.16⌉ = 1 pixel, 16 steps, 17 points. Point i zeroes the first i pixels of the order.
        using var model = MeanLogistic();
        var pixels = Pixels();
        var curve = CamFaithfulness.Deletion(model, tensor(pixels).reshape(1, 4, 4), 1, MapInOrder(HandOrder), batchSize);

        Assert.Equal(1, curve.PixelsPerStep);
        Assert.Equal(17, curve.Probabilities.Count);
        var remaining = pixels.Sum();
        for (var i = 0; i <= 16; i++)
        {
            Assert.Equal(P1(remaining / 16.0), curve.Probabilities[i], 1e-5);
            if (i < 16) remaining -= pixels[HandOrder[i]];
        }
        Assert.Equal(0.5, curve.Probabilities[16], 1e-7); // nothing left: the mean colour
    }

    [Fact]
    public void Equal_map_values_are_deleted_in_the_order_of_their_index()
    {
        // A constant map ties every pixel: deletion goes 0, 1, 2, ... 15.
        using var model = MeanLogistic();
        var pixels = Pixels();
        var curve = CamFaithfulness.Deletion(model, tensor(pixels).reshape(1, 4, 4), 1, full(4, 4, 0.3f));
        for (var i = 0; i <= 16; i++)
            Assert.Equal(P1(pixels.Skip(i).Sum() / 16.0), curve.Probabilities[i], 1e-5);
    }

    [Fact]
    public void The_insertion_curve_point_by_point_from_the_blurred_image()
    {
        // The blur by hand: w(d) = exp(−d² / 50) / Σ_(d=−5..5) exp(−d² / 50), zero padding, so on 4×4
        // blurred(y, x) = Σ_(y', x') w(y − y') w(x − x') image(y', x'). Point i: the first i pixels of the order from the
        // image, the rest from the blur.
        using var model = MeanLogistic();
        var pixels = Pixels();
        var z = Enumerable.Range(-5, 11).Sum(d => Math.Exp(-d * d / 50.0));
        double W(int d) => Math.Exp(-d * d / 50.0) / z;
        var blurred = new double[16];
        for (var p = 0; p < 16; p++)
            for (var q = 0; q < 16; q++)
                blurred[p] += W(p / 4 - q / 4) * W(p % 4 - q % 4) * pixels[q];

        var curve = CamFaithfulness.Insertion(model, tensor(pixels).reshape(1, 4, 4), 1, MapInOrder(HandOrder), batchSize: 4);

        Assert.Equal(17, curve.Probabilities.Count);
        var current = (double[])blurred.Clone();
        for (var i = 0; i <= 16; i++)
        {
            Assert.Equal(P1(current.Sum() / 16), curve.Probabilities[i], 1e-5);
            if (i < 16) current[HandOrder[i]] = pixels[HandOrder[i]];
        }
    }

    [Fact]
    public void A_224_image_takes_100_steps_of_502_pixels()
    {
        // ⌈0.01 · 50176⌉ = 502 pixels a step, ⌈50176 / 502⌉ = 100 steps (the last of 478), 101 points.
        using var model = MeanLogistic();
        var curve = CamFaithfulness.Deletion(model, rand(1, 224, 224), 0, rand(224, 224), batchSize: 64);
        Assert.Equal(502, curve.PixelsPerStep);
        Assert.Equal(101, curve.Probabilities.Count);
    }

    [Fact]
    public void The_area_is_the_trapezoidal_rule_over_0_1()
    {
        // (Σ y − (y_0 + y_n) / 2) / n.
        Assert.Equal(0.5, CamFaithfulness.Auc([1, 0.5, 0]), 1e-12);
        Assert.Equal((2.0 - 0.5) / 3, CamFaithfulness.Auc([0.2, 0.4, 0.6, 0.8]), 1e-12);
        Assert.Equal((0.9 + 0.1 + 0.3 - (0.9 + 0.3) / 2) / 2, CamFaithfulness.Auc([0.9, 0.1, 0.3]), 1e-12);
        Assert.Equal(1, new CausalCurve([1, 1], 1).Auc);
        Assert.Throws<ArgumentException>(() => CamFaithfulness.Auc([0.4]));
    }

    [Fact]
    public void The_energy_game_with_a_box_and_with_a_mask()
    {
        // Rows 0..3 of (1 2 3 4 / 0 0 0 0 / 1 1 1 1 / 0 0 0 4); total 18. The box x 1..2, y 0..1 (x1 = 3, y1 = 2
        // exclusive) holds 2 + 3 + 0 + 0 = 5: 5/18.
        var map = tensor(new float[] { 1, 2, 3, 4, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 4 }).reshape(4, 4);
        Assert.Equal(5.0 / 18, CamFaithfulness.EnergyPointingGame(map, new ObjectBox(1, 0, 3, 2)), 1e-9);
        Assert.Equal(1.0 / 18, CamFaithfulness.EnergyPointingGame(map, new ObjectBox(0, 0, 1, 1)), 1e-9);
        Assert.Equal(1.0, CamFaithfulness.EnergyPointingGame(map, new ObjectBox(0, 0, 4, 4)), 1e-9);

        var mask = zeros(4, 4, ScalarType.Bool);
        mask[0, 3] = tensor(true);
        mask[3, 3] = tensor(true);
        Assert.Equal(8.0 / 18, CamFaithfulness.EnergyPointingGame(map, mask), 1e-9);
        Assert.Equal(0, CamFaithfulness.EnergyPointingGame(zeros(4, 4), mask));
        Assert.Equal(0, CamFaithfulness.EnergyPointingGame(zeros(4, 4), new ObjectBox(1, 1, 2, 2)));
    }

    [Fact]
    public void A_box_beyond_the_map_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => CamFaithfulness.EnergyPointingGame(zeros(4, 6), new ObjectBox(2, 0, 7, 3)));
        Assert.Contains("6×4", error.Message);
    }

    [Fact]
    public void The_specs_are_registered_under_their_names()
    {
        CamMetricSpecs.Register();
        Assert.Equal(["average_drop", "average_increase", "insertion_auc", "deletion_auc", "energy_pointing_game"], CamMetricSpecs.All.Select(s => s.Name));
        Assert.Equal([Better.Lower, Better.Higher, Better.Higher, Better.Lower, Better.Higher], CamMetricSpecs.All.Select(s => s.Direction));
        Assert.All(CamMetricSpecs.All, spec => Assert.Same(spec, MetricRegistry.Get(spec.Name)));
        Assert.Equal("12.35", CamMetricSpecs.AverageDrop.FormatValue(12.345));
    }
}
