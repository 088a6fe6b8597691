using NotebookHelpers.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Models;

/// <summary>One prediction: the ImageNet class index, its name and the softmax probability.</summary>
public sealed record ClassScore(int Index, string Name, double Probability);

/// <summary>ImageNet classification as torchvision does it: the 1000 class names and the evaluation preprocessing.</summary>
public static class ImageNetClassifier
{
    static readonly Lazy<IReadOnlyList<string>> ClassNames = new(LoadClassNames);

    /// <summary>The 1000 ImageNet-1k class names in torchvision's order (index = the model's output).</summary>
    public static IReadOnlyList<string> Classes => ClassNames.Value;

    /// <summary>
    /// torchvision's ImageNet evaluation transform: resize the shorter side to 256 (bilinear, antialiased), crop the
    /// centre 224×224, normalise with the ImageNet mean and standard deviation. (3,H,W) or (N,3,H,W) in [0, 1].
    /// </summary>
    public static Tensor Preprocess(Tensor image)
    {
        using var scope = NewDisposeScope();
        var resized = ImageTransforms.ResizeShorterSide(image, 256);
        var cropped = ImageTransforms.CenterCrop(resized, 224, 224);
        return ImageTransforms.NormalizeImageNet(cropped).MoveToOuterDisposeScope();
    }

    /// <summary>The <paramref name="top"/> most probable classes of one image (3,H,W) in [0, 1].</summary>
    public static IReadOnlyList<ClassScore> Classify(nn.Module<Tensor, Tensor> model, Tensor image, int top = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        var device = model.parameters().First().device;
        var logits = model.call(Preprocess(image).unsqueeze(0).to(device));
        if (logits.shape[^1] != Classes.Count)
            throw new ArgumentException($"The model has {logits.shape[^1]} outputs; ImageNet classification needs {Classes.Count}.", nameof(model));
        var (values, indices) = softmax(logits[0], 0).topk(Math.Min(top, Classes.Count));
        var probabilities = values.cpu().to(float64).data<double>().ToArray();
        var classes = indices.cpu().data<long>().ToArray();
        return classes.Select((c, i) => new ClassScore((int)c, Classes[(int)c], probabilities[i])).ToList();
    }

    static IReadOnlyList<string> LoadClassNames()
    {
        using var stream = typeof(ImageNetClassifier).Assembly.GetManifestResourceStream("NotebookHelpers.Models.imagenet-classes.txt")
            ?? throw new InvalidOperationException("the ImageNet class list is missing from the library");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
    }
}
