using static TorchSharp.torch;

namespace NotebookHelpers.Cam;

/// <summary>
/// What a CAM explains: a class index, the predicted class (the default), or any function of the model's output
/// (N, K) -> (N), such as a logit, a softmax score or a segmentation region's sum. The function must score each row
/// independently, because Score-CAM feeds it batches of masked copies of one image. Gradient methods apply the target
/// to the raw output (logits); Score-CAM applies it to the softmax over the classes.
/// </summary>
public sealed class CamTarget
{
    private readonly int? classIndex;
    private readonly Func<Tensor, Tensor>? score;
    private readonly IReadOnlyList<int>? classes;

    private CamTarget(int? classIndex, Func<Tensor, Tensor>? score, IReadOnlyList<int>? classes = null)
    {
        this.classIndex = classIndex;
        this.score = score;
        this.classes = classes;
    }

    /// <summary>The class each image's unmasked output ranks first.</summary>
    public static CamTarget Predicted { get; } = new(null, null);

    /// <summary>The output column <paramref name="index"/> for every image of the batch.</summary>
    public static CamTarget Class(int index) =>
        index >= 0 ? new(index, null) : throw new ArgumentOutOfRangeException(nameof(index), index, "A class index is never negative.");

    /// <summary>Image i's class <paramref name="perImage"/>[i]: one class per image of the batch (a label each, say).</summary>
    public static CamTarget Classes(IReadOnlyList<int> perImage) =>
        perImage.All(c => c >= 0) ? new(null, null, [.. perImage]) : throw new ArgumentOutOfRangeException(nameof(perImage), "A class index is never negative.");

    /// <summary>Any row-wise function of the output, (N, K) -> (N).</summary>
    public static CamTarget Of(Func<Tensor, Tensor> score) => new(null, score ?? throw new ArgumentNullException(nameof(score)));

    /// <summary>
    /// One row-wise scorer per image, fixed from the unmasked <paramref name="output"/> (N, K): the predicted class is
    /// chosen once here, so masked copies of an image keep being scored for the class of the image itself.
    /// </summary>
    internal IReadOnlyList<Func<Tensor, Tensor>> PerImage(Tensor output)
    {
        var n = (int)output.shape[0];
        if (score is not null) return Enumerable.Repeat(score, n).ToList();
        if (classes is not null)
        {
            if (classes.Count != n)
                throw new ArgumentException($"{classes.Count} classes were given for a batch of {n} images; give one per image.", nameof(output));
            if (classes.FirstOrDefault(c => c >= output.shape[1], -1) is var beyond and >= 0)
                throw new ArgumentOutOfRangeException(nameof(output), beyond, $"Class {beyond} is beyond the model's {output.shape[1]} outputs.");
            return classes.Select(Column).ToList();
        }
        if (classIndex is int k)
        {
            if (k >= output.shape[1])
                throw new ArgumentOutOfRangeException(nameof(output), k, $"Class {k} is beyond the model's {output.shape[1]} outputs.");
            return Enumerable.Repeat(Column(k), n).ToList();
        }
        var predicted = output.argmax(1).data<long>().ToArray();
        return predicted.Select(c => Column((int)c)).ToList();
    }

    private static Func<Tensor, Tensor> Column(int k) => o => o[.., k];
}
