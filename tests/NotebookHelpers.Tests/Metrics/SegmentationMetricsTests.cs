using NotebookHelpers.Metrics;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Metrics;

public class SegmentationMetricsTests
{
    /// <summary>
    /// N = 4, rows = labels, columns = predictions:
    /// <code>
    ///        p0 p1 p2 p3   row
    ///   l0 [  6, 1, 1, 0 ]  8
    ///   l1 [  2, 4, 0, 0 ]  6
    ///   l2 [  0, 0, 0, 0 ]  0   class 2: predicted once, never labelled
    ///   l3 [  0, 0, 0, 0 ]  0   class 3: neither labelled nor predicted
    ///   col   8  5  1  0       T = 14, trace = 10
    /// </code>
    /// global = 10/14; class accuracies 6/8 and 4/6 (classes 2 and 3 have no label pixels, so no accuracy), mean
    /// (0.75 + 2/3)/2 = 17/24; IoU0 = 6/(8+8−6) = 0.6, IoU1 = 4/(6+5−4) = 4/7, IoU2 = 0/(0+1−0) = 0, IoU3 = 0/0
    /// undefined; mIoU = (0.6 + 4/7 + 0)/3 = 41/105; fwIoU = 8/14·0.6 + 6/14·4/7 = 144/245 (classes 2 and 3 have
    /// frequency 0).
    /// </summary>
    static readonly long[,] Hand = { { 6, 1, 1, 0 }, { 2, 4, 0, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 } };

    static void AssertHandScores(SegmentationScores scores)
    {
        Assert.Equal(10.0 / 14, scores.PixelAccuracy, 1e-15);
        Assert.Equal(17.0 / 24, scores.MeanAccuracy, 1e-15);
        Assert.Equal(41.0 / 105, scores.MeanIoU, 1e-15);
        Assert.Equal(144.0 / 245, scores.FrequencyWeightedIoU, 1e-15);
        Assert.Equal(0.6, scores.PerClassIoU[0]!.Value, 1e-15);
        Assert.Equal(4.0 / 7, scores.PerClassIoU[1]!.Value, 1e-15);
        Assert.Equal(0.0, scores.PerClassIoU[2]);
        Assert.Null(scores.PerClassIoU[3]);
        Assert.Equal([0.75, 4.0 / 6, null, null], scores.PerClassAccuracy);
        Assert.Equal([8L, 6, 0, 0], scores.PerClassPixels);
        Assert.Equal(14, scores.Pixels);
    }

    [Fact]
    public void The_scores_of_a_hand_made_matrix_follow_the_fcn_definitions()
    {
        var scores = SegmentationMetrics.FromConfusionMatrix(Hand);
        AssertHandScores(scores);
        Assert.Null(scores.BoundaryF1);
        Assert.Equal(["pixel_accuracy", "mean_accuracy", "mIoU", "fwIoU", "BF"], scores.Named().Select(n => n.Name));
    }

    /// <summary>
    /// The hand matrix as pixels, plus pixels that must not count: two with the ignore label 255 (one predicted 200,
    /// which is no class but is not looked at) and one labelled 7 ≥ N (FCN's <c>fast_hist</c> leaves it out).
    /// </summary>
    static (Tensor Predictions, Tensor Labels) HandPixels()
    {
        var labels = new List<long>();
        var predictions = new List<long>();
        for (var i = 0; i < 4; i++)
            for (var j = 0; j < 4; j++)
                for (var k = 0; k < Hand[i, j]; k++)
                {
                    labels.Add(i);
                    predictions.Add(j);
                }
        labels.AddRange([255, 255, 7]);
        predictions.AddRange([200, 1, 3]);
        return (tensor(predictions.ToArray()), tensor(labels.ToArray()));
    }

    [Fact]
    public void Pixels_with_the_ignore_label_or_a_label_of_n_or_more_are_left_out()
    {
        var (predictions, labels) = HandPixels();
        using var matrix = new ConfusionMatrix(4);
        matrix.Add(predictions.reshape(1, -1), labels.reshape(1, -1));

        Assert.Equal(Hand, matrix.ToArray());
        AssertHandScores(matrix.Scores());
    }

    [Fact]
    public void Without_an_ignore_label_255_is_only_left_out_for_being_n_or_more()
    {
        // Class 1 of 2 ignored: its pixels drop out of the matrix, and the rest is a perfect 1-class segmentation.
        using var ignoring = new ConfusionMatrix(2, ignore: 1);
        ignoring.Add(tensor(new long[] { 0, 0, 1, 0 }), tensor(new long[] { 0, 0, 1, 1 }));
        Assert.Equal(new long[,] { { 2, 0 }, { 0, 0 } }, ignoring.ToArray());

        using var none = new ConfusionMatrix(2, ignore: null);
        none.Add(tensor(new long[] { 0, 1, 1, 0 }), tensor(new long[] { 0, 1, 255, 1 }));
        Assert.Equal(new long[,] { { 1, 0 }, { 1, 1 } }, none.ToArray());
    }

    [Fact]
    public void A_prediction_outside_the_classes_on_a_labelled_pixel_is_an_error_naming_it_and_adds_nothing()
    {
        using var matrix = new ConfusionMatrix(3);
        var labels = tensor(new long[] { 0, 1, 2, 1, 255, 255 }).reshape(2, 3);
        var predictions = tensor(new long[] { 0, 1, 2, 9, 77, 0 }).reshape(2, 3);

        var error = Assert.Throws<ArgumentException>(() => matrix.Add(predictions, labels));
        Assert.Contains("Prediction 9 at (1,0)", error.Message);
        Assert.Contains("0..2", error.Message);
        Assert.Equal(new long[3, 3], matrix.ToArray());

        var negative = Assert.Throws<ArgumentException>(() => matrix.Add(tensor(new long[] { -1 }), tensor(new long[] { 0 })));
        Assert.Contains("Prediction -1", negative.Message);
    }

    [Fact]
    public void Shapes_that_differ_and_float_scores_are_refused_with_what_was_given()
    {
        using var matrix = new ConfusionMatrix(3);
        var error = Assert.Throws<ArgumentException>(() => matrix.Add(zeros([2, 3], ScalarType.Int64), zeros([3, 2], ScalarType.Int64)));
        Assert.Contains("(2,3)", error.Message);
        Assert.Contains("(3,2)", error.Message);
        var scores = Assert.Throws<ArgumentException>(() => matrix.Add(zeros([2, 3]), zeros([2, 3], ScalarType.Int64)));
        Assert.Contains("argmax", scores.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConfusionMatrix(0));
    }

    [Fact]
    public void Other_integer_types_count_like_int64()
    {
        using var matrix = new ConfusionMatrix(4);
        var (predictions, labels) = HandPixels();
        matrix.Add(predictions.to(ScalarType.Int32), labels.to(ScalarType.Byte));
        Assert.Equal(Hand, matrix.ToArray());
    }

    [Fact]
    public void An_empty_matrix_has_nan_scores_and_bf_only_when_asked_for()
    {
        using var plain = new ConfusionMatrix(3);
        using var withBoundary = new ConfusionMatrix(3, boundary: true);
        withBoundary.Add(Full([1, 4, 5], 255), Full([1, 4, 5], 255)); // every pixel ignored

        var a = plain.Scores();
        var b = withBoundary.Scores();
        Assert.True(double.IsNaN(a.PixelAccuracy) && double.IsNaN(a.MeanAccuracy) && double.IsNaN(a.MeanIoU) && double.IsNaN(a.FrequencyWeightedIoU));
        Assert.Equal([null, null, null], a.PerClassIoU);
        Assert.Null(a.BoundaryF1);
        Assert.True(double.IsNaN(b.PixelAccuracy));
        Assert.True(double.IsNaN(b.BoundaryF1!.Value));
        Assert.Equal(0, b.BoundaryImages);
        Assert.Equal(0, b.Pixels);
    }

    [Fact]
    public void Two_batches_add_up_to_one_batch_of_both()
    {
        var generator = new TorchSharp.torch.Generator(7);
        var labels = randint(0, 6, [4, 30, 40], generator: generator);
        labels.masked_fill_(rand([4, 30, 40], generator: generator).lt(0.1), 255);
        // Predictions: the labels with blocks moved and noise, so boundaries half match.
        var predictions = labels.roll(2, 2).clamp(0, 5);
        predictions.masked_scatter_(rand([4, 30, 40], generator: generator).lt(0.2), randint(0, 6, [4 * 30 * 40], generator: generator));

        using var whole = new ConfusionMatrix(6, boundary: true);
        whole.Add(predictions, labels);
        using var parts = new ConfusionMatrix(6, boundary: true);
        parts.Add(predictions[TensorIndex.Slice(0, 1)], labels[TensorIndex.Slice(0, 1)]);
        parts.Add(predictions[TensorIndex.Slice(1, 4)], labels[TensorIndex.Slice(1, 4)]);

        Assert.Equal(whole.ToArray(), parts.ToArray());
        var (a, b) = (whole.Scores(), parts.Scores());
        Assert.Equal(a.PixelAccuracy, b.PixelAccuracy);
        Assert.Equal(a.MeanIoU, b.MeanIoU);
        Assert.Equal(a.BoundaryF1, b.BoundaryF1);
        Assert.Equal(4, a.BoundaryImages);
        Assert.InRange(a.BoundaryF1!.Value, 0.01, 0.99);

        // Reset forgets both.
        parts.Reset();
        Assert.Equal(new long[6, 6], parts.ToArray());
        Assert.True(double.IsNaN(parts.Scores().BoundaryF1!.Value));
    }

    static Tensor Full(long[] shape, long value) => full(shape, value, ScalarType.Int64);

    /// <summary>A (height,width) map of class 0 with a square of class 1 at rows top..top+size−1, columns left..left+size−1.</summary>
    static Tensor Square(int height, int width, int top, int left, int size, long inside = 1)
    {
        var map = zeros([height, width], ScalarType.Int64);
        map[TensorIndex.Slice(top, top + size), TensorIndex.Slice(left, left + size)] = tensor(inside);
        return map;
    }

    [Fact]
    public void A_perfect_prediction_has_bf_1()
    {
        var labels = Square(60, 80, 20, 30, 20);
        labels[TensorIndex.Slice(0, 10), TensorIndex.Slice(0, 80)] = tensor(2L); // a band along the image edge
        var score = SegmentationMetrics.BoundaryF1(labels, labels, 3);
        Assert.Equal(1.0, score.Score);
        Assert.Equal([1.0, 1.0, 1.0], score.PerClass);
    }

    /// <summary>
    /// The label holds a 20×20 square of class 1 (rows 20..39, columns 30..49 of a 60×80 image), the prediction the same
    /// square one pixel to the right (columns 31..50). θ = 0.0075·√(60² + 80²) = 0.75 px, so only a pixel on the other
    /// boundary itself is a match (d² = 0 &lt; 0.5625; a neighbour's d² = 1 is not).
    /// <para>
    /// Class 1: each boundary is the square's ring of 4·20 − 4 = 76 pixels. Of the predicted ring, the top and bottom
    /// rows (columns 31..49) lie on the true ring, 2·19 = 38; its left column 31 (rows 21..38) is inside the true
    /// square and its right column 50 outside: P = 38/76 = 0.5, and by symmetry R = 0.5, F = 0.5.
    /// </para>
    /// <para>
    /// Class 0: its boundary is the image's edge, 2·80 + 2·58 = 276 pixels, on both sides, plus the 80 background
    /// pixels 4-adjacent to the square (20 above, 20 below, 20 left, 20 right; the diagonal corners are not). The
    /// edges match, and of the 80 only the rows above and below overlap, 2·19: P = R = (276 + 38)/356 = 314/356.
    /// </para>
    /// The image's BF is (0.5 + 314/356)/2.
    /// </summary>
    [Fact]
    public void A_square_shifted_by_one_pixel_matches_half_its_ring_below_a_one_pixel_tolerance()
    {
        var score = SegmentationMetrics.BoundaryF1(Square(60, 80, 20, 31, 20), Square(60, 80, 20, 30, 20), 2);

        Assert.Equal(0.5, score.Precision[1]);
        Assert.Equal(0.5, score.Recall[1]);
        Assert.Equal(0.5, score.PerClass[1]);
        Assert.Equal(314.0 / 356, score.PerClass[0]!.Value, 1e-15);
        Assert.Equal((0.5 + 314.0 / 356) / 2, score.Score!.Value, 1e-15);
    }

    /// <summary>
    /// The same shift in a 100×100 image: θ = 0.0075·√2·100 ≈ 1.06 px, so the four neighbours (d² = 1 &lt; 1.125) match
    /// and the diagonal ones (d² = 2) do not. Every predicted ring pixel now has a true ring pixel on itself or beside it
    /// (the left column 41 beside the true column 40, the right column 60 beside 59, the corner (40,60) beside (40,59)),
    /// and likewise for the background's inner ring: BF = 1. A tolerance of 0.9 px brings back the exact-match count.
    /// </summary>
    [Fact]
    public void The_tolerance_of_0_75_percent_of_the_diagonal_lets_a_one_pixel_shift_match_in_a_larger_image()
    {
        var (shifted, truth) = (Square(100, 100, 40, 41, 20), Square(100, 100, 40, 40, 20));
        Assert.Equal(0.0075 * Math.Sqrt(2) * 100, SegmentationMetrics.DefaultBoundaryTolerance(100, 100), 1e-12);

        Assert.Equal(1.0, SegmentationMetrics.BoundaryF1(shifted, truth, 2).Score);
        var strict = SegmentationMetrics.BoundaryF1(shifted, truth, 2, tolerance: 0.9);
        Assert.Equal(0.5, strict.PerClass[1]);
    }

    /// <summary>
    /// The image's mean covers the classes with a boundary on either side, as the authors' computeBFmeasure.m counts
    /// them: here the label has background 0 and a square of class 1, the prediction the same square as class 2.
    /// Class 0's masks are identical (F = 1); class 1 is labelled but never predicted (R = 0, no precision, F = 0);
    /// class 2 is only predicted (P = 0, no recall, F = 0). BF = (1 + 0 + 0)/3.
    /// </summary>
    [Fact]
    public void The_image_bf_averages_the_classes_on_either_side_and_a_missed_or_invented_class_counts_0()
    {
        var score = SegmentationMetrics.BoundaryF1(Square(60, 80, 20, 30, 20, inside: 2), Square(60, 80, 20, 30, 20), 3);

        Assert.Equal([1.0, 0.0, 0.0], score.PerClass);
        Assert.Equal([1.0, null, 0.0], score.Precision);
        Assert.Equal([1.0, 0.0, null], score.Recall);
        Assert.Equal(1.0 / 3, score.Score!.Value, 1e-15);
    }

    /// <summary>
    /// Ignored pixels belong to no class on either side: a void band (label 255, columns 0..9) where the prediction
    /// says class 1, or 200 (no class), changes nothing; the band's edge is a boundary of class 0 on both sides.
    /// </summary>
    [Fact]
    public void Ignored_pixels_take_no_part_in_the_boundaries()
    {
        var labels = zeros([40, 50], ScalarType.Int64);
        labels[TensorIndex.Colon, TensorIndex.Slice(0, 10)] = tensor(255L);
        var predictions = zeros([40, 50], ScalarType.Int64);
        predictions[TensorIndex.Slice(0, 20), TensorIndex.Slice(0, 10)] = tensor(1L);
        predictions[TensorIndex.Slice(20, 40), TensorIndex.Slice(0, 10)] = tensor(200L);

        var score = SegmentationMetrics.BoundaryF1(predictions, labels, 2);
        Assert.Equal(1.0, score.Score);
        Assert.Equal([1.0, null], score.PerClass);

        // An image whose every pixel is ignored has no BF and is left out of the set's mean.
        Assert.Null(SegmentationMetrics.BoundaryF1(predictions, Full([40, 50], 255), 2).Score);
        using var matrix = new ConfusionMatrix(2, boundary: true);
        matrix.Add(stack([predictions, predictions]), stack([labels, Full([40, 50], 255)]));
        Assert.Equal(1, matrix.BoundaryImages);
        Assert.Equal(1.0, matrix.Scores().BoundaryF1);
    }

    [Fact]
    public void The_set_bf_is_the_mean_of_the_image_bf()
    {
        var (shifted, truth) = (Square(60, 80, 20, 31, 20), Square(60, 80, 20, 30, 20));
        using var matrix = new ConfusionMatrix(2, boundary: true);
        matrix.Add(stack([shifted, truth]), stack([truth, truth]));
        Assert.Equal(((0.5 + 314.0 / 356) / 2 + 1) / 2, matrix.Scores().BoundaryF1!.Value, 1e-15);
        Assert.Equal(2, matrix.BoundaryImages);
    }

    [Fact]
    public void Bf_of_a_camvid_sized_batch_takes_well_under_a_second_per_image()
    {
        var generator = new TorchSharp.torch.Generator(3);
        // Blocky 11-class maps at 360×480: 12×16 cells of 30×30 pixels, the prediction shifted by 3 pixels.
        var labels = randint(0, 11, [4, 12, 16], generator: generator).repeat_interleave(30, 1).repeat_interleave(30, 2);
        var predictions = labels.roll(3, 2);
        using var matrix = new ConfusionMatrix(11, boundary: true);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        matrix.Add(predictions, labels);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"4 images took {clock.Elapsed}");
        // A 3-pixel shift is within θ = 4.5 px: every boundary pixel matches except where the shift changes which
        // classes meet, so BF is high but not 1.
        Assert.InRange(matrix.Scores().BoundaryF1!.Value, 0.8, 1.0);
    }

    /// <summary>
    /// The definition written out the slow way, for comparison: per labelled class, the boundary as the mask minus its
    /// erosion by the 4-neighbour cross (outside the image and ignored pixels not in the mask), and every boundary pixel
    /// compared with every boundary pixel of the other side (d² &lt; θ²).
    /// </summary>
    static double? BruteForceBf(long[,] predicted, long[,] truth, int classes, double tolerance)
    {
        var (h, w) = (truth.GetLength(0), truth.GetLength(1));
        bool Counts(int y, int x) => truth[y, x] >= 0 && truth[y, x] < classes && truth[y, x] != 255;
        List<(int Y, int X)> BoundaryOf(long[,] map, int c)
        {
            bool In(int y, int x) => y >= 0 && y < h && x >= 0 && x < w && Counts(y, x) && map[y, x] == c;
            var points = new List<(int, int)>();
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                    if (In(y, x) && !(In(y - 1, x) && In(y + 1, x) && In(y, x - 1) && In(y, x + 1)))
                        points.Add((y, x));
            return points;
        }
        double Matched(List<(int Y, int X)> from, List<(int Y, int X)> to) =>
            from.Count(p => to.Any(q => (p.Y - q.Y) * (p.Y - q.Y) + (p.X - q.X) * (p.X - q.X) < tolerance * tolerance));
        var f = new List<double>();
        for (var c = 0; c < classes; c++)
        {
            var (bp, bt) = (BoundaryOf(predicted, c), BoundaryOf(truth, c));
            if (bt.Count == 0 && bp.Count == 0) continue;
            var recall = bt.Count == 0 ? 0 : Matched(bt, bp) / bt.Count;
            var precision = bp.Count == 0 ? 0 : Matched(bp, bt) / bp.Count;
            f.Add(precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall));
        }
        return f.Count == 0 ? null : f.Average();
    }

    static long[,] ToArray2(Tensor map)
    {
        var (h, w) = ((int)map.shape[0], (int)map.shape[1]);
        var values = map.data<long>().ToArray();
        var result = new long[h, w];
        for (var i = 0; i < values.Length; i++) result[i / w, i % w] = values[i];
        return result;
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(2, 2.5)]
    [InlineData(3, 4.5)]
    public void Bf_equals_the_definition_computed_pair_by_pair_on_random_maps(int seed, double? tolerance)
    {
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        // Blocks of 4×5 pixels of 4 classes, some void; the prediction is the labels moved and partly replaced.
        var labels = randint(0, 4, [8, 8], generator: generator).repeat_interleave(4, 0).repeat_interleave(5, 1);
        labels.masked_fill_(rand([32, 40], generator: generator).lt(0.05), 255);
        var predictions = labels.roll(1, 0).roll(-2, 1).clamp(0, 3);
        predictions.masked_scatter_(rand([32, 40], generator: generator).lt(0.1), randint(0, 4, [32 * 40], generator: generator));

        var score = SegmentationMetrics.BoundaryF1(predictions, labels, 4, tolerance: tolerance);
        var expected = BruteForceBf(ToArray2(predictions), ToArray2(labels), 4, tolerance ?? SegmentationMetrics.DefaultBoundaryTolerance(32, 40));
        Assert.Equal(expected!.Value, score.Score!.Value, 1e-12);
    }

    [Fact]
    public void The_specs_are_named_as_the_json_keys_and_register_twice_harmlessly()
    {
        SegmentationMetricSpecs.Register();
        SegmentationMetricSpecs.Register();
        Assert.Equal(["pixel_accuracy", "mean_accuracy", "mIoU", "fwIoU", "BF"], SegmentationMetricSpecs.All.Select(s => s.Name));
        Assert.All(SegmentationMetricSpecs.All, spec => Assert.Equal(Better.Higher, spec.Direction));
        Assert.Same(SegmentationMetricSpecs.MeanIoU, MetricRegistry.Get("mIoU"));
        Assert.Equal("BF", MetricRegistry.Get("BF").Symbol);
        Assert.Equal("60.1 %", SegmentationMetricSpecs.MeanIoU.FormatValue(0.6012));
    }

    [Fact]
    public void Pixel_accuracy_counts_the_labelled_pixels_and_optionally_only_those_in_a_mask()
    {
        // Labels 0, 1, 2 (a class), 7 (≥ N = 3) and 255 (void): only the first three count.
        var labels = tensor(new long[] { 0, 1, 2, 7, 255 });
        var predictions = tensor(new long[] { 0, 2, 2, 7, 255 });
        Assert.Equal([true, true, true, false, false], SegmentationMetrics.LabelledPixels(labels, 3, 255).data<bool>().ToArray());
        Assert.Equal(2.0 / 3, SegmentationMetrics.PixelAccuracy(predictions, labels, 3, 255), 1e-12);
        Assert.Equal(0.5, SegmentationMetrics.PixelAccuracy(predictions, labels, 3, 255, within: tensor(new[] { false, true, true, true, true })), 1e-12);
        Assert.True(double.IsNaN(SegmentationMetrics.PixelAccuracy(predictions, labels, 3, 255, within: tensor(new[] { false, false, false, true, true }))));
    }
}
