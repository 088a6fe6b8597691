using NotebookHelpers.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NotebookHelpers.Papers.SalGan;

/// <summary>
/// SalGAN's hyperparameters with the paper's defaults (Pan et al., "SalGAN: Visual Saliency Prediction with
/// Generative Adversarial Networks", 2017). A run profile changes them with <c>with { ... }</c>.
/// </summary>
public sealed record SalGanConfig
{
    /// <summary>Input height; the paper resizes SALICON's 640×480 images to 256×192 (§4.1).</summary>
    public int Height { get; init; } = 192;

    /// <summary>Input width (§4.1).</summary>
    public int Width { get; init; } = 256;

    /// <summary>
    /// Channel multiplier of both networks; 1 is the paper's VGG16 widths. Smaller values keep the architecture and
    /// shrink every layer, for CPU runs; ImageNet weights load only at 1.
    /// </summary>
    public double ChannelScale { get; init; } = 1.0;

    /// <summary>Weight of the content loss in L = α·L_BCE − log D(I, Ŝ). The authors' code and preprint use 1/20 (§3.2);
    /// the seed article used 0.005 (<see cref="ArticleAlpha"/>).</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>The seed article's α.</summary>
    public const double ArticleAlpha = 0.005;

    /// <summary>AdaGrad learning rate (§4.1).</summary>
    public double LearningRate { get; init; } = 3e-4;

    /// <summary>
    /// L2 weight decay on both networks (§4.1). The authors' <c>model_salgan.py</c> writes each L2 term as a statement
    /// of its own, which Python evaluates and discards, so their released models trained without it; 0 reproduces that.
    /// </summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Batch size (§4.1).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Epochs of BCE-only pre-training of the generator before adversarial training starts (§4.1).</summary>
    public int PretrainEpochs { get; init; } = 15;

    /// <summary>Total epochs (§4.1: up to 120).</summary>
    public int Epochs { get; init; } = 120;

    /// <summary>The content loss compares maps after this average pooling (BCE/4, §3.1).</summary>
    public int ContentPooling { get; init; } = 4;

    /// <summary>
    /// How adversarial training interleaves the two networks after pre-training. The default follows the authors'
    /// training script (<see cref="SalGanSchedule.Alternating"/>), which the paper's "we alternate the training of the
    /// generator and discriminator after each iteration (batch)" (§4) describes; <see cref="SalGanSchedule.EveryBatch"/>
    /// is common GAN practice.
    /// </summary>
    public SalGanSchedule Schedule { get; init; } = SalGanSchedule.Alternating;

    /// <summary>
    /// Under <see cref="SalGanSchedule.Alternating"/>, how many discriminator batches come before each generator batch:
    /// 1 in the authors' script. Above 1 is the k of Goodfellow et al. (2014, Algorithm 1): the discriminator gets k
    /// updates per generator update, so that a generator that adapts quickly does not keep it at chance.
    /// <see cref="SalGanSchedule.EveryBatch"/> ignores it (one of each per batch).
    /// </summary>
    public int DiscriminatorSteps { get; init; } = 1;

    /// <summary>The discriminator's AdaGrad learning rate; null: <see cref="LearningRate"/>, as in the paper and the authors' code (both 3e-4).</summary>
    public double? DiscriminatorLearningRate { get; init; }

    /// <summary>The discriminator's channel multiplier; null: <see cref="ChannelScale"/>. The paper's discriminator is small
    /// (32 and 64 channels), so a reduced-width run can afford it at full width.</summary>
    public double? DiscriminatorChannelScale { get; init; }

    /// <summary>
    /// The factor the discriminator's saliency channel is multiplied by before it is stacked on the image: 1 in the
    /// paper, whose discriminator sees an RGBS image (§4). Real and predicted pairs differ only in that channel, and
    /// next to an ImageNet-normalised image (values of about ±2) a map in [0, 1] is a small input the discriminator
    /// is slow to single out; 4 puts it on the image's scale. (The authors' code stacks the map in [0, 1] on the raw
    /// image in [0, 255].)
    /// </summary>
    public double DiscriminatorMapScale { get; init; } = 1.0;

    /// <summary>
    /// The target of ground-truth pairs in the discriminator's loss: 1 in the paper; below 1 is one-sided label
    /// smoothing (Salimans et al., 2016), which keeps a confident discriminator's gradients from vanishing.
    /// </summary>
    public double RealLabel { get; init; } = 1.0;

    /// <summary>Width of one convolution of the paper's layout after <see cref="ChannelScale"/>.</summary>
    public int Channels(int paperChannels) => Scaled(paperChannels, ChannelScale);

    /// <summary>Width of one of the discriminator's convolutions after <see cref="DiscriminatorChannelScale"/>.</summary>
    public int DiscriminatorChannels(int paperChannels) => Scaled(paperChannels, DiscriminatorChannelScale ?? ChannelScale);

    static int Scaled(int channels, double scale) => Math.Max(1, (int)Math.Round(channels * scale));
}

/// <summary>How SalGAN's adversarial phase orders the discriminator's and the generator's updates.</summary>
public enum SalGanSchedule
{
    /// <summary>
    /// The authors' <c>scripts/02-train.py</c>: one network per batch, the discriminator on the first adversarial
    /// batch, the generator on the next, and so on (<c>n_updates % 2</c>, counting from 1), so each sees half the batches.
    /// With <see cref="SalGanConfig.DiscriminatorSteps"/> k above 1: k discriminator batches, then one generator batch.
    /// </summary>
    Alternating,

    /// <summary>Common GAN practice (DCGAN) and a "D then G" reading of the paper: on every batch one discriminator
    /// update, then one generator update.</summary>
    EveryBatch,
}

/// <summary>
/// SalGAN's generator (§3.1): the VGG16 encoder (conv1_1 to conv5_3, without the last pooling) and a decoder that
/// mirrors it, with nearest-neighbour 2× upsampling in place of pooling, ReLU after every 3×3 convolution, and a final
/// 1×1 convolution with a sigmoid that gives the saliency map at the input's resolution.
/// <para>
/// The encoder is a <c>features</c> sequence with torchvision's indices (<c>features.0.weight</c> is conv1_1,
/// <c>features.28.bias</c> conv5_3), so torchvision's <c>vgg16-397923af.pth</c> loads into it as it is. The first
/// three convolution groups are frozen, as the authors did: only conv4, conv5 and the decoder learn.
/// </para>
/// </summary>
public sealed class SalGanGenerator : Module<Tensor, Tensor>
{
    /// <summary>VGG16's convolution groups: (channels, convolutions).</summary>
    static readonly (int Channels, int Convs)[] Vgg16Groups = [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)];

    /// <summary>How many of the encoder's groups stay frozen (conv1 to conv3).</summary>
    public const int FrozenGroups = 3;

    readonly Sequential features;
    readonly Sequential decoder;

    public SalGanGenerator(SalGanConfig config) : base(nameof(SalGanGenerator))
    {
        Config = config;
        features = Sequential(EncoderLayers(config));
        decoder = Sequential(DecoderLayers(config));
        RegisterComponents();
        Init.HeConvolutions(this);
        foreach (var parameter in FrozenParameters()) parameter.requires_grad = false;
    }

    /// <summary>Image (N,3,H,W), ImageNet-normalised, H and W multiples of 16 → saliency map (N,1,H,W) in (0,1).</summary>
    public override Tensor forward(Tensor image) => decoder.call(features.call(image));

    public SalGanConfig Config { get; }

    /// <summary>The encoder's layers in conv1_1 … conv5_3 order (with torchvision's indices).</summary>
    public Sequential Encoder => features;

    /// <summary>The parameters of conv1_1 to conv3_3, which training leaves as they are.</summary>
    public IEnumerable<Parameter> FrozenParameters()
    {
        int convs = Vgg16Groups.Take(FrozenGroups).Sum(g => g.Convs);
        return features.children().OfType<Conv2d>().Take(convs).SelectMany(c => c.parameters());
    }

    /// <summary>Loads torchvision's ImageNet VGG16 (its <c>features.*</c>) into the encoder when the file is there;
    /// otherwise says once that the encoder starts from random weights. Only the paper's widths can take them.</summary>
    public bool TryLoadImageNetEncoder(TextWriter? log = null)
    {
        if (Config.ChannelScale != 1.0)
        {
            (log ?? Console.Out).WriteLine($"The encoder is {Config.ChannelScale:0.###} of VGG16's width in this profile: ImageNet weights do not fit, it starts from random weights.");
            return false;
        }
        return PretrainedWeights.TryLoadImageNet(features, BackboneKind.Vgg16, allowUnused: true, log: log, filePrefix: "features.");
    }

    static IEnumerable<(string, Module<Tensor, Tensor>)> EncoderLayers(SalGanConfig config)
    {
        int index = 0, inChannels = 3;
        for (int group = 0; group < Vgg16Groups.Length; group++)
        {
            var (channels, convs) = Vgg16Groups[group];
            int width = config.Channels(channels);
            for (int c = 0; c < convs; c++)
            {
                yield return ((index++).ToString(), Conv2d(inChannels, width, 3, padding: 1));
                yield return ((index++).ToString(), ReLU(inplace: true));
                inChannels = width;
            }
            // No pooling after conv5_3: the encoder ends at 1/16 of the input resolution.
            if (group < Vgg16Groups.Length - 1)
                yield return ((index++).ToString(), MaxPool2d(2, 2));
        }
    }

    static IEnumerable<(string, Module<Tensor, Tensor>)> DecoderLayers(SalGanConfig config)
    {
        int inChannels = config.Channels(Vgg16Groups[^1].Channels);
        for (int group = Vgg16Groups.Length - 1; group >= 0; group--)
        {
            var (channels, convs) = Vgg16Groups[group];
            int width = config.Channels(channels);
            for (int c = convs; c >= 1; c--)
            {
                yield return ($"conv{group + 1}_{c}", Conv2d(inChannels, width, 3, padding: 1));
                yield return ($"relu{group + 1}_{c}", ReLU(inplace: true));
                inChannels = width;
            }
            if (group > 0)
                yield return ($"upsample{group}", Upsample(scale_factor: [2.0, 2.0], mode: UpsampleMode.Nearest));
        }
        yield return ("output", Conv2d(inChannels, 1, 1));
        yield return ("sigmoid", Sigmoid());
    }
}

/// <summary>
/// SalGAN's discriminator (Table 1): on the image with a saliency map as a fourth channel, a 1×1 convolution to 3
/// channels, then conv 32, pool, conv 64 ×2, pool, conv 64 ×2, pool (3×3 convolutions with ReLU, 2×2 max pooling),
/// then fully connected layers of 100 (tanh), 2 (tanh) and 1 (sigmoid): the probability that the map is real.
/// </summary>
public sealed class SalGanDiscriminator : Module<Tensor, Tensor, Tensor>
{
    readonly Sequential convolutions;
    readonly Sequential classifier;
    readonly double mapScale;

    public SalGanDiscriminator(SalGanConfig config) : base(nameof(SalGanDiscriminator))
    {
        mapScale = config.DiscriminatorMapScale;
        int c32 = config.DiscriminatorChannels(32), c64 = config.DiscriminatorChannels(64);
        convolutions = Sequential(
            ("conv1_1", Conv2d(4, 3, 1)), ("relu1_1", ReLU(inplace: true)),
            ("conv1_2", Conv2d(3, c32, 3, padding: 1)), ("relu1_2", ReLU(inplace: true)),
            ("pool1", MaxPool2d(2, 2)),
            ("conv2_1", Conv2d(c32, c64, 3, padding: 1)), ("relu2_1", ReLU(inplace: true)),
            ("conv2_2", Conv2d(c64, c64, 3, padding: 1)), ("relu2_2", ReLU(inplace: true)),
            ("pool2", MaxPool2d(2, 2)),
            ("conv3_1", Conv2d(c64, c64, 3, padding: 1)), ("relu3_1", ReLU(inplace: true)),
            ("conv3_2", Conv2d(c64, c64, 3, padding: 1)), ("relu3_2", ReLU(inplace: true)),
            ("pool3", MaxPool2d(2, 2)));
        long flattened = (long)c64 * (config.Height / 8) * (config.Width / 8);
        classifier = Sequential(
            ("flatten", Flatten()),
            ("fc4", Linear(flattened, 100)), ("tanh4", Tanh()),
            ("fc5", Linear(100, 2)), ("tanh5", Tanh()),
            ("fc6", Linear(2, 1)), ("sigmoid", Sigmoid()));
        RegisterComponents();
        Init.HeConvolutions(this);
    }

    /// <summary>D(I, S): image (N,3,H,W) and saliency map (N,1,H,W) → probability (N,1) that S is the ground truth.</summary>
    public override Tensor forward(Tensor image, Tensor saliency) =>
        classifier.call(convolutions.call(cat([image, mapScale == 1.0 ? saliency : saliency * mapScale], 1)));
}
