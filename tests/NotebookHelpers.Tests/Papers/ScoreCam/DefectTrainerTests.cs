using NotebookHelpers.Papers.ScoreCam;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.ScoreCam;

[Collection(nameof(GlobalRandomState))]
public class DefectTrainerTests
{
    [Fact]
    public void The_defaults_are_the_seed_articles()
    {
        var article = new DefectTrainingConfig();
        Assert.Equal((224, 32, 30, 1e-3, true), (article.InputSize, article.BatchSize, article.Epochs, article.LearningRate, article.AmsGrad));
        Assert.Equal((1.0, 6.0), (article.CleanWeight, article.DefectWeight));
    }

    [Fact]
    public void The_loss_weights_each_image_by_its_class_and_averages_over_the_batch_as_Keras_class_weight_does()
    {
        // Logits (2, 0), (0, 1), (1, 1) for labels 0, 1, 0: cross-entropies ln(1 + e⁻²), ln(1 + e⁻¹), ln 2.
        using var logits = tensor(new float[] { 2, 0, 0, 1, 1, 1 }, [3, 2]);
        using var labels = tensor(new long[] { 0, 1, 0 });
        using var weights = tensor(new float[] { 1, 6 });
        double l0 = Math.Log(1 + Math.Exp(-2)), l1 = Math.Log(1 + Math.Exp(-1)), l2 = Math.Log(2);
        var loss = DefectTrainer.Loss(logits, labels, weights).item<float>();
        Assert.Equal((1 * l0 + 6 * l1 + 1 * l2) / 3, loss, 1e-6);               // divided by N = 3 ...
        Assert.NotEqual((1 * l0 + 6 * l1 + 1 * l2) / 8, loss, 1e-3);            // ... not by the weights' sum, as PyTorch's weight= would

        // Keras's binary cross-entropy on the two softmax outputs, averaged over them, is the same cross-entropy.
        using var p = logits.softmax(1);
        using var t = stack([1 - labels, labels], 1).to(ScalarType.Float32);
        using var bce = -(t * p.log() + (1 - t) * (1 - p).log()).mean([1]);
        var keras = bce.to(ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(l0, keras[0], 1e-6);
        Assert.Equal(l1, keras[1], 1e-6);
        Assert.Equal(l2, keras[2], 1e-6);
        Assert.Throws<ArgumentException>(() => DefectTrainer.Loss(zeros(3, 3), labels, weights));
    }

    [Fact]
    public void The_loss_falls_on_a_tiny_fixed_batch()
    {
        manual_seed(1);
        using var data = SyntheticDefects.Generate(4, 4, 32, seed: 1);
        using var split = DefectSplit.From(data);
        using var trainer = new DefectTrainer(new DefectClassifier(0.25), new DefectTrainingConfig { BatchSize = 8 }, CPU);
        var (inputs, labels) = split.Batches(8, new Generator(1), CPU).First();
        var first = trainer.Step(inputs, labels);
        var last = first;
        for (int i = 0; i < 30; i++) last = trainer.Step(inputs, labels);
        Assert.True(last.Loss < 0.5 * first.Loss, $"loss {first.Loss:F3} → {last.Loss:F3}");
        Assert.Equal(1.0, last.Accuracy);
    }
}
