using NotebookHelpers.Imaging;
using NotebookHelpers.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Models;

public class ImageNetClassifierTests
{
    [Fact]
    public void The_class_list_is_torchvisions_1000_in_order()
    {
        Assert.Equal(1000, ImageNetClassifier.Classes.Count);
        Assert.Equal("tench", ImageNetClassifier.Classes[0]);
        Assert.Equal("goldfish", ImageNetClassifier.Classes[1]);
        Assert.Equal("toilet tissue", ImageNetClassifier.Classes[999]);
    }

    [Fact]
    public void Preprocess_resizes_the_shorter_side_to_256_crops_224_and_normalises()
    {
        using var image = full(3, 300, 400, 0.5f);
        using var processed = ImageNetClassifier.Preprocess(image);
        Assert.Equal([3L, 224, 224], processed.shape);
        // A flat grey image stays flat: each channel is (0.5 - mean) / std.
        var expected = new[] { (0.5 - 0.485) / 0.229, (0.5 - 0.456) / 0.224, (0.5 - 0.406) / 0.225 };
        for (int c = 0; c < 3; c++)
            Assert.Equal(expected[c], processed[c].mean().item<float>(), 4);
    }

    /// <summary>A "model" whose logits are fixed: class 7 highest, then 3, then 500.</summary>
    sealed class FixedLogits : nn.Module<Tensor, Tensor>
    {
        readonly TorchSharp.Modules.Parameter bias;

        public FixedLogits() : base(nameof(FixedLogits))
        {
            var logits = zeros(1000);
            logits[7] = 5; logits[3] = 4; logits[500] = 3;
            bias = nn.Parameter(logits);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => bias.unsqueeze(0).expand(input.shape[0], 1000) + 0 * input.mean();
    }

    [Fact]
    public void Classify_lists_the_top_classes_with_names_and_softmax_probabilities()
    {
        using var model = new FixedLogits();
        var top = ImageNetClassifier.Classify(model, rand(3, 240, 320), top: 3);

        Assert.Equal([7, 3, 500], top.Select(s => s.Index));
        Assert.Equal(ImageNetClassifier.Classes[7], top[0].Name);
        // softmax: e^5 / (e^5 + e^4 + e^3 + 997 e^0)
        var denominator = Math.Exp(5) + Math.Exp(4) + Math.Exp(3) + 997;
        Assert.Equal(Math.Exp(5) / denominator, top[0].Probability, 5);
        Assert.Equal(Math.Exp(3) / denominator, top[2].Probability, 5);
    }
}
