using NotebookHelpers.Core;
using NotebookHelpers.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NotebookHelpers.Papers.ScoreCam;

/// <summary>
/// The seed article's defect classifier: ImageNet ResNet-50 cut after its second stage, then global average pooling
/// and a dense layer of two outputs (defect-free, defect).
/// <para>
/// The article (Keras) takes <c>ResNet50(weights='imagenet', include_top=False)</c> up to the layer
/// <c>conv3_block4_add</c>, adds a ReLU, <c>GlobalAveragePooling2D</c> and <c>Dense(2, activation='softmax')</c>.
/// <c>conv3_block4_add</c> is the sum that ends the last block of the second stage; the ReLU after it is the one
/// Keras names <c>conv3_block4_out</c>, and torchvision's blocks end with it, so here the stage's output,
/// torchvision's <c>layer2</c>, is the article's ReLU output: 512 channels at 1/8 of the input (28×28 at 224).
/// That is the layer whose maps the CAM methods weigh (<see cref="TargetLayer"/>).
/// </para>
/// <para>
/// The stem and the two stages keep torchvision's ResNet-50 module names (<c>conv1</c>, <c>bn1</c>, <c>relu</c>,
/// <c>maxpool</c>, <c>layer1</c>, <c>layer2</c>, each block's <c>conv1..3</c>, <c>bn1..3</c>, <c>downsample</c>), so a
/// torchvision checkpoint's keys of those stages load as they are (<see cref="TryLoadImageNet"/>). torchvision's
/// blocks stride in their 3×3 convolution (ResNet v1.5), Keras's in the first 1×1 (v1): the layer shapes are the
/// same, the weights are torchvision's, and so is the input normalisation (ImageNet's mean and deviation on RGB in
/// [0,1], where the article's Keras <c>preprocess_input</c> subtracts Caffe's BGR means, what its Keras weights
/// expect). The softmax is left to the loss and to whoever reads probabilities: the network returns the two logits
/// (N,2).
/// </para>
/// <para>
/// Forward passes go through <c>call</c> of every child, so that forward hooks on <c>layer2</c> (or any block) fire:
/// TorchSharp runs hooks only in <c>Module.call</c>, and the CAM methods rely on them. No dispose scope inside: a
/// hook may keep an activation past the pass; the caller's scope frees the intermediates.
/// </para>
/// </summary>
public sealed class DefectClassifier : Module<Tensor, Tensor>
{
    /// <summary>The module path of the layer the article explains: the output of the second stage.</summary>
    public const string TargetLayer = "layer2";

    /// <summary>How many ResNet-50 bottleneck blocks each kept stage has.</summary>
    static readonly int[] Blocks = [3, 4];

    readonly Conv2d conv1;
    readonly BatchNorm2d bn1;
    readonly ReLU relu;
    readonly MaxPool2d maxpool;
    readonly Sequential layer1;
    readonly Sequential layer2;
    readonly AdaptiveAvgPool2d avgpool;
    readonly Linear fc;

    /// <param name="width">Channel multiplier; 1 is ResNet-50's widths (512 channels out of <c>layer2</c>), the only ones ImageNet weights fit. The CPU profiles train narrower copies.</param>
    public DefectClassifier(double width = 1.0) : base(nameof(DefectClassifier))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        Width = width;
        int stem = Channels(64);
        conv1 = Conv2d(3, stem, 7, stride: 2, padding: 3, bias: false);
        bn1 = BatchNorm2d(stem);
        relu = ReLU();
        maxpool = MaxPool2d(3, stride: 2, padding: 1);
        layer1 = Stage(stem, Channels(64), Blocks[0], stride: 1);
        layer2 = Stage(Bottleneck.Expansion * Channels(64), Channels(128), Blocks[1], stride: 2);
        Features = Bottleneck.Expansion * Channels(128);
        avgpool = AdaptiveAvgPool2d(1);
        fc = Linear(Features, 2);
        RegisterComponents();
        Init.HeConvolutions(this);
    }

    /// <summary>The channel multiplier.</summary>
    public double Width { get; }

    /// <summary>The channels of <see cref="TargetLayer"/>'s output, which the pooling averages: 512 at width 1.</summary>
    public int Features { get; }

    /// <summary>Image (N,3,H,W), ImageNet-normalised → logits (N,2) of defect-free and defect.</summary>
    public override Tensor forward(Tensor image)
    {
        var x = maxpool.call(relu.call(bn1.call(conv1.call(image))));
        x = layer2.call(layer1.call(x));
        return fc.call(avgpool.call(x).flatten(1));
    }

    /// <summary>
    /// Loads torchvision's ImageNet ResNet-50 into the stem and both stages when the checkpoint is in
    /// <see cref="PretrainedWeights.Folder"/> and the network is at full width, and returns true; otherwise says in
    /// <paramref name="log"/> that it starts from random weights and why, and returns false. A checkpoint that is
    /// there but does not fit is an error, never a silent fallback.
    /// </summary>
    public bool TryLoadImageNet(TextWriter? log = null)
    {
        log ??= Console.Out;
        if (Width != 1.0)
        {
            log.WriteLine($"The classifier is {Width:0.###} of ResNet-50's width: ImageNet weights do not fit, it starts from random weights.");
            return false;
        }
        var path = PretrainedWeights.DefaultPath(BackboneKind.ResNet50);
        // Without the file this only says, once per process, which command fetches it.
        if (!File.Exists(path))
            return PretrainedWeights.TryLoadImageNet(this, BackboneKind.ResNet50, log: log);
        LoadImageNet(path);
        log.WriteLine($"Loaded ImageNet ResNet-50 weights into conv1, bn1, layer1 and layer2 from {RepoPaths.Display(path)}; fc starts from random weights.");
        return true;
    }

    /// <summary>
    /// Copies the <c>conv1</c>, <c>bn1</c>, <c>layer1</c> and <c>layer2</c> tensors of a torchvision ResNet-50
    /// checkpoint at <paramref name="path"/> (any file <see cref="PretrainedWeights.ReadStateDict"/> reads; its other
    /// stages and its 1000-class <c>fc</c> are left out) into the classifier, after checking every key and shape;
    /// <c>fc</c> keeps its weights. On any mismatch nothing is copied and a <see cref="WeightsLoadException"/> lists it.
    /// </summary>
    public WeightsReport LoadImageNet(string path) =>
        PretrainedWeights.Load(new ImageNetStages(this), path, BackboneKind.ResNet50, allowUnused: true);

    int Channels(int channels) => Math.Max(1, (int)Math.Round(channels * Width));

    static Sequential Stage(int inputs, int planes, int blocks, int stride)
    {
        var stage = new List<Module<Tensor, Tensor>> { new Bottleneck(inputs, planes, stride) };
        for (int b = 1; b < blocks; b++) stage.Add(new Bottleneck(Bottleneck.Expansion * planes, planes, 1));
        return Sequential(stage);
    }

    /// <summary>
    /// ResNet's bottleneck block as torchvision writes it: 1×1 to <c>planes</c>, 3×3 (with the stride), 1×1 to
    /// 4·<c>planes</c>, each with batch norm, the input added back (through a strided 1×1 and batch norm,
    /// <c>downsample</c>, where the shape changes), and a ReLU after the sum.
    /// </summary>
    sealed class Bottleneck : Module<Tensor, Tensor>
    {
        public const int Expansion = 4;

        readonly Conv2d conv1;
        readonly BatchNorm2d bn1;
        readonly Conv2d conv2;
        readonly BatchNorm2d bn2;
        readonly Conv2d conv3;
        readonly BatchNorm2d bn3;
        readonly ReLU relu;
        readonly Sequential? downsample;

        public Bottleneck(int inputs, int planes, int stride) : base(nameof(Bottleneck))
        {
            int outputs = Expansion * planes;
            conv1 = Conv2d(inputs, planes, 1, bias: false);
            bn1 = BatchNorm2d(planes);
            conv2 = Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false);
            bn2 = BatchNorm2d(planes);
            conv3 = Conv2d(planes, outputs, 1, bias: false);
            bn3 = BatchNorm2d(outputs);
            relu = ReLU();
            if (stride != 1 || inputs != outputs)
                downsample = Sequential(Conv2d(inputs, outputs, 1, stride: stride, bias: false), BatchNorm2d(outputs));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var identity = downsample?.call(x) ?? x;
            var y = relu.call(bn1.call(conv1.call(x)));
            y = relu.call(bn2.call(conv2.call(y)));
            y = bn3.call(conv3.call(y));
            return relu.call(y + identity);
        }
    }

    /// <summary>
    /// The classifier's modules that a torchvision ResNet-50 checkpoint has weights for, under the checkpoint's names,
    /// so that <see cref="PretrainedWeights"/> checks and fills exactly those (the same module objects, not copies).
    /// Never disposed: it would dispose the classifier's modules.
    /// </summary>
    sealed class ImageNetStages : Module
    {
        readonly Conv2d conv1;
        readonly BatchNorm2d bn1;
        readonly Sequential layer1;
        readonly Sequential layer2;

        public ImageNetStages(DefectClassifier classifier) : base(nameof(ImageNetStages))
        {
            conv1 = classifier.conv1;
            bn1 = classifier.bn1;
            layer1 = classifier.layer1;
            layer2 = classifier.layer2;
            RegisterComponents();
        }
    }
}
