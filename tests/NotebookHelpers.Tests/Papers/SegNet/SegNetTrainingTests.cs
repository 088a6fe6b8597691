using NotebookHelpers.Notebooks;
using NotebookHelpers.Papers.SegNet;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.SegNet;

[Collection(nameof(GlobalRandomState))]
public class SegNetTrainingTests
{
    static readonly SegNetTrainingConfig Adam = new() { Optimizer = SegNetOptimizer.Adam, LearningRate = 3e-3, WeightDecay = 0, BatchSize = 16, Epochs = 1, MedianFrequencyBalancing = false };

    [Fact]
    public void The_loss_falls_on_a_tiny_fixed_batch()
    {
        manual_seed(1);
        var scenes = SegmentationSplit.Synthetic(8, 32, 32, seed: 1);
        var network = new ArticleEncoderDecoder(new ArticleNetConfig { BaseWidth = 8, Blocks = [1, 1, 1], Height = 32, Width = 32, Classes = SyntheticScenes.ClassCount, BottleneckDropout = 0 });
        using var trainer = new SegNetTrainer(network, Adam, scenes.Classes, null, null, CPU);
        var (inputs, labels) = scenes.Batches(8, new Generator(1), CPU).First();
        var first = trainer.Step(inputs, labels).Loss;
        double last = first;
        for (int i = 0; i < 60; i++) last = trainer.Step(inputs, labels).Loss;
        Assert.True(last < 0.5 * first, $"loss {first:F3} → {last:F3}");
    }

    [Fact]
    public void After_a_short_fixed_seed_training_SegNet_beats_the_baseline_on_boundary_pixels()
    {
        // The smoke profile's article networks, on fewer scenes: the comparison the notebook makes, in seconds.
        var plan = SegNetPlan.For(RunProfile.Smoke, false, false);
        plan = plan with { ArticleTraining = plan.ArticleTraining with { Epochs = 6 } };
        var train = SegmentationSplit.Synthetic(256, 64, 64, seed: 0);
        var validation = SegmentationSplit.Synthetic(32, 64, 64, seed: 1);
        double BoundaryAccuracy(SegNetSystem system)
        {
            manual_seed(0);
            using var trainer = new SegNetTrainer(SegNetExperiment.Create(system, plan), plan.ArticleTraining, train.Classes, null, null, CPU);
            SegNetExperiment.Train(trainer, train, seed: 0, CPU);
            using var predictions = SegNetExperiment.Predict(trainer.Network, validation.Images, 32, CPU);
            return SegNetExperiment.BoundaryPixelAccuracy(predictions, validation);
        }
        var (segnet, baseline) = (BoundaryAccuracy(SegNetSystem.SegNet), BoundaryAccuracy(SegNetSystem.Baseline));
        Assert.True(segnet > baseline, $"boundary accuracy: SegNet {segnet:F3}, baseline {baseline:F3}");
    }

    [Fact]
    public void A_step_reports_the_batch_accuracy_over_the_labelled_pixels_only()
    {
        using var trainer = new SegNetTrainer(new ArticleEncoderDecoder(new ArticleNetConfig { BaseWidth = 2, Blocks = [1], Height = 4, Width = 4, Classes = 3 }),
            Adam, classes: 3, ignore: 255, weights: null, CPU);
        var labels = tensor(new long[] { 0, 1, 2, 255 }, [1, 2, 2]);
        var predictions = tensor(new long[] { 0, 1, 1, 0 }, [1, 2, 2]);
        Assert.Equal(2.0 / 3, trainer.PixelAccuracy(predictions, labels), 1e-12); // the void pixel does not count
        Assert.Throws<ArgumentException>(() => trainer.UseClassWeights([1, 2]));
    }

    [Fact]
    public void The_boundary_band_is_the_pixels_beside_a_label_change_widened_by_the_radius()
    {
        // Columns 0..2 are class 0, 3..5 class 1: the change lies between columns 2 and 3.
        var labels = tensor(new long[] { 0, 0, 0, 1, 1, 1 }, [1, 1, 6]).expand(1, 4, 6).contiguous();
        bool[] Row(Tensor band) => band[0, 0].data<bool>().ToArray();
        Assert.Equal([false, false, true, true, false, false], Row(SegNetExperiment.BoundaryBand(labels, 0)));
        Assert.Equal([false, true, true, true, true, false], Row(SegNetExperiment.BoundaryBand(labels, 1)));
        // On a split of these labels: a prediction wrong only at column 3 scores 3/4 on the band of radius 1.
        var split = new SegmentationSplit(zeros(1, 3, 4, 6), labels, SyntheticScenes.Palette);
        var predictions = labels.clone();
        predictions[.., .., 3] = tensor(0L);
        Assert.Equal(0.75, SegNetExperiment.BoundaryPixelAccuracy(predictions, split, radius: 1), 1e-12);
    }

    [Fact]
    public void The_majority_class_is_the_most_frequent_labelled_class()
    {
        var labels = tensor(new long[] { 2, 2, 1, 0, 255, 255, 255, 2 }, [2, 2, 2]);
        var split = new SegmentationSplit(zeros(2, 3, 2, 2), labels, NotebookHelpers.Visualization.Palettes.PascalVoc);
        Assert.Equal(2, SegNetExperiment.MajorityClass(split)); // 255 is void, not a class
    }

    [Fact]
    public void The_error_map_paints_boundary_errors_orange_and_interior_errors_red()
    {
        var labels = tensor(new long[] { 0, 0, 0, 1, 1, 1 }, [1, 6]).expand(6, 6).contiguous();
        var predictions = labels.clone();
        predictions[0, 3] = tensor(0L); // beside the change: a boundary error
        predictions[5, 0] = tensor(1L); // far from it: an interior error
        var map = SegNetFigures.ErrorMap(ones(3, 6, 6) * 0.5, predictions, labels);
        float[] Pixel(int y, int x) => [map[0, y, x].item<float>(), map[1, y, x].item<float>(), map[2, y, x].item<float>()];
        Assert.Equal([1f, 170 / 255f, 0f], Pixel(0, 3));
        Assert.Equal([230 / 255f, 30 / 255f, 30 / 255f], Pixel(5, 0));
        Assert.Equal(Pixel(2, 0)[0], Pixel(2, 0)[1]); // a right pixel stays grey
    }
}

public class SegNetLossTests
{
    [Fact]
    public void Median_frequency_weights_match_a_hand_computed_set()
    {
        // Image A: 0 0 / 0 1; image B: 0 2 / 2 void. Labelled pixels: A 4, B 3.
        // f0 = 4 / (4 + 3) = 4/7 (in both images), f1 = 1/4 (A only), f2 = 2/3 (B only); class 3 never occurs.
        // median(4/7, 1/4, 2/3) = 4/7: w0 = 1, w1 = 16/7, w2 = 6/7, w3 = 0.
        var labels = tensor(new long[] { 0, 0, 0, 1, 0, 2, 2, 255 }, [2, 2, 2]);
        var weights = SegNetLoss.MedianFrequencyWeights([labels], classes: 4, ignore: 255);
        Assert.Equal(1.0, weights[0], 1e-12);
        Assert.Equal(16.0 / 7, weights[1], 1e-12);
        Assert.Equal(6.0 / 7, weights[2], 1e-12);
        Assert.Equal(0.0, weights[3]);
        // The images may come one at a time: the same weights.
        Assert.Equal(weights, SegNetLoss.MedianFrequencyWeights([labels[0], labels[1]], classes: 4, ignore: 255));
        Assert.Throws<ArgumentException>(() => SegNetLoss.MedianFrequencyWeights([full(2, 2, 255L)], 4, 255));
    }

    [Fact]
    public void The_weighted_cross_entropy_skips_ignored_pixels_and_divides_by_the_weights()
    {
        // Two labelled pixels (classes 0 and 1) and one void; equal scores, so each pixel's loss is ln 2.
        var logits = zeros(1, 2, 1, 3);
        var labels = tensor(new long[] { 0, 1, 255 }, [1, 1, 3]);
        Assert.Equal(Math.Log(2), SegNetLoss.CrossEntropy(logits, labels, 255).item<float>(), 1e-6);
        // Scores favouring class 0 at pixel 0 by 2: its loss ln(1 + e⁻²); pixel 1's stays ln 2; weights 1 and 3.
        logits[0, 0, 0, 0] = tensor(2f);
        double l0 = Math.Log(1 + Math.Exp(-2)), l1 = Math.Log(2);
        var weighted = SegNetLoss.CrossEntropy(logits, labels, 255, tensor(new float[] { 1, 3 })).item<float>();
        Assert.Equal((l0 + 3 * l1) / 4, weighted, 1e-5);
        Assert.Throws<ArgumentException>(() => SegNetLoss.CrossEntropy(zeros(1, 2, 3, 3), labels));
    }
}

public class SyntheticScenesTests
{
    [Fact]
    public void The_same_seed_gives_the_same_scenes_and_every_class_appears()
    {
        var a = SyntheticScenes.Generate(24, 64, 64, seed: 4);
        var b = SyntheticScenes.Generate(24, 64, 64, seed: 4);
        Assert.True(a.Images.eq(b.Images).all().item<bool>());
        Assert.True(a.Labels.eq(b.Labels).all().item<bool>());
        Assert.False(a.Images.eq(SyntheticScenes.Generate(24, 64, 64, seed: 5).Images).all().item<bool>());
        var counts = bincount(a.Labels.flatten(), minlength: SyntheticScenes.ClassCount);
        Assert.Equal(SyntheticScenes.ClassCount, counts.shape[0]);
        Assert.All(counts.data<long>().ToArray(), c => Assert.True(c > 0));
        // Every value is a multiple of 1/255, so a PNG round trip is exact.
        var scaled = a.Images * 255;
        Assert.True((scaled - scaled.round()).abs().max().item<float>() < 1e-4);
    }

    [Fact]
    public void Poles_and_rings_are_thin()
    {
        var scenes = SyntheticScenes.Generate(32, 64, 64, seed: 2);
        // A thin class has few pixels whose four neighbours are all of that class (no interior).
        foreach (var thin in new[] { SceneClass.Pole, SceneClass.Ring })
        {
            var mask = scenes.Labels.eq((long)thin);
            var interior = mask[.., 1..^1, 1..^1] & mask[.., ..^2, 1..^1] & mask[.., 2.., 1..^1] & mask[.., 1..^1, ..^2] & mask[.., 1..^1, 2..];
            Assert.True(interior.sum().item<long>() < 0.2 * mask.sum().item<long>(), $"{thin}: {interior.sum().item<long>()} of {mask.sum().item<long>()} pixels are interior");
        }
    }
}
