using NotebookHelpers.Metrics;
using NotebookHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NotebookHelpers.Papers.SegNet;

/// <summary>Which optimiser trains a segmentation network.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<SegNetOptimizer>))]
public enum SegNetOptimizer
{
    /// <summary>SGD with momentum, as the paper (§4.1: learning rate 0.1, momentum 0.9) and the authors' solver files.</summary>
    Sgd,

    /// <summary>Adam, as Keras re-implementations such as the seed article's use.</summary>
    Adam,
}

/// <summary>
/// How a segmentation network trains, with the paper's values for SegNet-Basic on CamVid as defaults (§4.1 and the
/// authors' <c>segnet_basic_solver.prototxt</c>): SGD, learning rate 0.1, momentum 0.9, weight decay 5·10⁻⁴, median
/// frequency balancing. (The solver's batch is 4 to fit its GPU; the paper trains with mini-batches of 12.)
/// </summary>
public sealed record SegNetTrainingConfig
{
    public SegNetOptimizer Optimizer { get; init; } = SegNetOptimizer.Sgd;

    /// <summary>Learning rate (§4.1: 0.1 for SGD; the full VGG16 SegNet's solver uses 10⁻³).</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>SGD momentum (§4.1).</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>L2 weight decay (the authors' solvers: 5·10⁻⁴).</summary>
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>Mini-batch size (§4.1: 12).</summary>
    public int BatchSize { get; init; } = 12;

    /// <summary>Epochs (the paper trains "until the training loss converges"; the authors' CamVid solver stops at 10,000 batches of 4, about 109 epochs).</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Weight the cross-entropy by median frequency balancing (§4.1 for CamVid).</summary>
    public bool MedianFrequencyBalancing { get; init; } = true;
}

/// <summary>
/// One segmentation network with its optimiser and loss: the step a training loop calls per batch, and the state a
/// checkpoint saves. The loop (schedule, logging, validation) is the caller's: the notebook shows it and
/// <see cref="SegNetExperiment.Train(SegNetTrainer, SegmentationSplit, TrainingRun, Device, Action{int, long, SegNetStep}?, SegmentationSplit?)"/> runs it.
/// </summary>
public sealed class SegNetTrainer : IDisposable
{
    readonly Device device;

    /// <param name="network">Image (N,3,H,W) → scores (N,classes,H,W).</param>
    /// <param name="config">The optimiser and its settings.</param>
    /// <param name="classes">The number of classes.</param>
    /// <param name="ignore">The label that marks pixels the loss and the metrics leave out (VOC's 255, CamVid's 11), or null.</param>
    /// <param name="weights">Per-class loss weights (<see cref="SegNetLoss.MedianFrequencyWeights"/>), or null for plain cross-entropy.</param>
    /// <param name="device">Where the network and the weights live.</param>
    public SegNetTrainer(Module<Tensor, Tensor> network, SegNetTrainingConfig config, int classes, int? ignore, double[]? weights, Device device)
    {
        Network = network;
        Config = config;
        Classes = classes;
        Ignore = ignore;
        Network.to(device);
        this.device = device;
        UseClassWeights(weights);
        var parameters = Network.parameters();
        Optimizer = config.Optimizer == SegNetOptimizer.Sgd
            ? optim.SGD(parameters, config.LearningRate, momentum: config.Momentum, weight_decay: config.WeightDecay)
            : optim.Adam(parameters, config.LearningRate, weight_decay: config.WeightDecay);
    }

    public Module<Tensor, Tensor> Network { get; }
    public SegNetTrainingConfig Config { get; }
    public int Classes { get; }
    public int? Ignore { get; }
    public Tensor? Weights { get; private set; }

    /// <summary>Replaces the loss's class weights (null: plain cross-entropy); they are not part of the saved state, a run recomputes them from its data.</summary>
    public void UseClassWeights(double[]? weights)
    {
        if (weights is not null && weights.Length != Classes)
            throw new ArgumentException($"{weights.Length} class weights for {Classes} classes.", nameof(weights));
        Weights?.Dispose();
        Weights = weights is null ? null : tensor(weights, dtype: ScalarType.Float32, device: device);
    }
    public optim.Optimizer Optimizer { get; }

    /// <summary>Everything a checkpoint saves and a resumed run restores.</summary>
    public TrainingState State() => new TrainingState().Add("network", Network, Optimizer);

    /// <summary>One update on a batch of normalised images (N,3,H,W) and labels (N,H,W): its loss and its pixel accuracy before the update.</summary>
    public SegNetStep Step(Tensor images, Tensor labels)
    {
        using var scope = NewDisposeScope();
        Network.train();
        Optimizer.zero_grad();
        var scores = Network.call(images);
        var loss = SegNetLoss.CrossEntropy(scores, labels, Ignore, Weights);
        loss.backward();
        Optimizer.step();
        return new SegNetStep(loss.item<float>(), PixelAccuracy(scores.detach().argmax(1), labels));
    }

    /// <summary>The share of labelled pixels whose predicted class is right (NaN without any).</summary>
    public double PixelAccuracy(Tensor predictions, Tensor labels) => SegmentationMetrics.PixelAccuracy(predictions, labels, Classes, Ignore);

    public void Dispose()
    {
        Network.Dispose();
        Weights?.Dispose();
    }
}

/// <summary>The loss and pixel accuracy of one training batch.</summary>
public sealed record SegNetStep(double Loss, double PixelAccuracy)
{
    public (string Name, double Value)[] Values() => [("loss", Loss), ("pixel_accuracy", PixelAccuracy)];
}
