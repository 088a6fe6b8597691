using NotebookHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NotebookHelpers.Papers.ScoreCam;

/// <summary>
/// How the defect classifier trains, with the seed article's values as defaults (its Keras notebook: the
/// <c>flow_from_dataframe</c>/<c>fit</c> cell and the <c>compile</c> call).
/// <para>
/// The loss. The article compiles <c>loss='binary_crossentropy'</c> on the two softmax outputs p = (p₀, p₁) with
/// one-hot targets t. Keras's binary cross-entropy averages the per-output terms:
/// <c>½ Σⱼ −[tⱼ log pⱼ + (1 − tⱼ) log(1 − pⱼ)]</c>. With p₁ = 1 − p₀ and t one-hot (say t₁ = 1), output 1 gives
/// −log p₁ and output 0 gives −log(1 − p₀) = −log p₁ too, so the mean is −log p₁: exactly the two-class
/// cross-entropy (up to Keras's clipping of p to [10⁻⁷, 1 − 10⁻⁷]). What is implemented is therefore the weighted
/// cross-entropy on the two logits, <see cref="DefectTrainer.Loss"/>.
/// </para>
/// <para>
/// The class weights. Keras turns <c>class_weight={0: 1, 1: 6}</c> into a weight per sample, multiplies each
/// sample's loss by it, and averages over the batch (divides by the batch size, not by the sum of the weights, as
/// PyTorch's <c>cross_entropy(weight=...)</c> would): L = (1/N) Σᵢ w_{yᵢ} ℓᵢ. The same is done here.
/// </para>
/// </summary>
public sealed record DefectTrainingConfig
{
    /// <summary>The images' side (seed article: <c>target_size=(224, 224)</c>).</summary>
    public int InputSize { get; init; } = 224;

    /// <summary>Mini-batch size (seed article: <c>batch_size=32</c>).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>
    /// Epochs (seed article: <c>epochs=30</c>, with <c>EarlyStopping(patience=15, restore_best_weights=True)</c> on
    /// the validation loss). Here every epoch is trained and the last weights kept: the article validates on its test
    /// split, so weights chosen on it would be scored on the images that chose them, an optimistic score.
    /// </summary>
    public int Epochs { get; init; } = 30;

    /// <summary>Adam's learning rate (seed article: <c>Adam(amsgrad=True)</c> at Keras's default, 10⁻³).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The AMSGrad variant of Adam (seed article: <c>amsgrad=True</c>).</summary>
    public bool AmsGrad { get; init; } = true;

    /// <summary>
    /// Adam's ε (Keras's default 10⁻⁷, where PyTorch's is 10⁻⁸; Keras adds it before the bias correction, PyTorch
    /// after, which differs only while the second moments are tiny).
    /// </summary>
    public double Epsilon { get; init; } = 1e-7;

    /// <summary>The loss weight of a defect-free image (seed article: <c>class_weight={0: 1, 1: 6}</c>).</summary>
    public double CleanWeight { get; init; } = 1;

    /// <summary>The loss weight of a defect image (seed article: <c>class_weight={0: 1, 1: 6}</c>).</summary>
    public double DefectWeight { get; init; } = 6;
}

/// <summary>
/// The defect classifier with its optimiser and loss: the step a training loop calls per batch, and the state a
/// checkpoint saves. The loop (schedule, logging, evaluation) is the caller's: the notebook shows it and
/// <see cref="DefectExperiment.Train(DefectTrainer, DefectSplit, TrainingRun, Device, Action{long, DefectStep}?, DefectSplit?)"/> runs it.
/// </summary>
public sealed class DefectTrainer : IDisposable
{
    public DefectTrainer(DefectClassifier network, DefectTrainingConfig config, Device device)
    {
        Network = network;
        Config = config;
        Network.to(device);
        ClassWeights = tensor(new[] { (float)config.CleanWeight, (float)config.DefectWeight }, device: device);
        Optimizer = optim.Adam(Network.parameters(), config.LearningRate, eps: config.Epsilon, amsgrad: config.AmsGrad);
    }

    public DefectClassifier Network { get; }
    public DefectTrainingConfig Config { get; }

    /// <summary>float32 (2): the loss weights of defect-free and defect images.</summary>
    public Tensor ClassWeights { get; }

    public optim.Optimizer Optimizer { get; }

    /// <summary>Everything a checkpoint saves and a resumed run restores.</summary>
    public TrainingState State() => new TrainingState().Add("network", Network, Optimizer);

    /// <summary>
    /// The class-weighted cross-entropy as Keras computes it with <c>class_weight</c> (see
    /// <see cref="DefectTrainingConfig"/>): L = (1/N) Σᵢ w_{yᵢ} · (−log softmax(zᵢ)_{yᵢ}), the mean over the batch of
    /// each image's cross-entropy times its class's weight.
    /// </summary>
    /// <param name="logits">(N,2) scores.</param>
    /// <param name="labels">(N) int64, 0 or 1.</param>
    /// <param name="classWeights">(2) the weight of each class.</param>
    public static Tensor Loss(Tensor logits, Tensor labels, Tensor classWeights)
    {
        if (logits.dim() != 2 || logits.shape[1] != classWeights.shape[0] || labels.shape[0] != logits.shape[0])
            throw new ArgumentException($"The loss takes logits (N,{classWeights.shape[0]}) and labels (N); got [{string.Join(", ", logits.shape)}] and [{string.Join(", ", labels.shape)}].");
        using var scope = NewDisposeScope();
        var perImage = functional.cross_entropy(logits, labels, reduction: Reduction.None);
        return (perImage * classWeights.index_select(0, labels)).mean().MoveToOuterDisposeScope();
    }

    /// <summary>One update on a batch of normalised images (N,3,S,S) and labels (N): its loss and its accuracy before the update.</summary>
    public DefectStep Step(Tensor images, Tensor labels)
    {
        using var scope = NewDisposeScope();
        Network.train();
        Optimizer.zero_grad();
        var logits = Network.call(images);
        var loss = Loss(logits, labels, ClassWeights);
        loss.backward();
        Optimizer.step();
        var accuracy = logits.detach().argmax(1).eq(labels).to(ScalarType.Float64).mean().item<double>();
        return new DefectStep(loss.item<float>(), accuracy);
    }

    public void Dispose()
    {
        Network.Dispose();
        ClassWeights.Dispose();
    }
}

/// <summary>The loss and accuracy of one training batch.</summary>
public sealed record DefectStep(double Loss, double Accuracy)
{
    public (string Name, double Value)[] Values() => [("loss", Loss), ("accuracy", Accuracy)];
}
