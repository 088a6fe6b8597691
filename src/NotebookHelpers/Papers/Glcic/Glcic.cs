using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NotebookHelpers.Papers.Glcic;

/// <summary>The non-linearity after every layer but the last.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<GlcicActivation>))]
public enum GlcicActivation
{
    /// <summary>ReLU, as the paper (§3.1: "ReLU layers after all convolutional layers except the last").</summary>
    Relu,

    /// <summary>LeakyReLU (slope 0.2), the seed article's choice.</summary>
    LeakyRelu,
}

/// <summary>What the completion network's last layer squashes its output with.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<GlcicOutput>))]
public enum GlcicOutput
{
    /// <summary>A sigmoid, colours in [0,1] (§3.1: "the output layer ... uses a sigmoid transfer function").</summary>
    Sigmoid,

    /// <summary>A tanh mapped to [0,1] by (1 + tanh)/2, the seed article's choice (its images in [−1,1]).</summary>
    Tanh,
}

/// <summary>
/// The networks' widths and non-linearities, with the paper's values as defaults (Iizuka, Simo-Serra and Ishikawa,
/// "Globally and Locally Consistent Image Completion", SIGGRAPH 2017, Tables 1 and 2).
/// </summary>
public sealed record GlcicNetworkConfig
{
    /// <summary>
    /// Channels of the first layer; every other layer keeps its ratio to it (Table 1: 64, so 128, 256, 512 and the
    /// 32 of the last hidden layer). Smaller values keep the architecture and shrink every layer, for CPU runs.
    /// </summary>
    public int Width { get; init; } = 64;

    /// <summary>The discriminators' first-layer channels (Table 2: 64); null: <see cref="Width"/>.</summary>
    public int? DiscriminatorWidth { get; init; }

    /// <summary>The hidden non-linearity of all three networks (§3.1: ReLU; the seed article: LeakyReLU).</summary>
    public GlcicActivation Activation { get; init; } = GlcicActivation.Relu;

    /// <summary>The completion network's output non-linearity (§3.1: sigmoid; the seed article: tanh).</summary>
    public GlcicOutput Output { get; init; } = GlcicOutput.Sigmoid;

    /// <summary>The channels of a layer that has <paramref name="paperChannels"/> in the paper's tables.</summary>
    public int Channels(int paperChannels) => Math.Max(1, paperChannels * Width / 64);

    /// <summary>The channels of a discriminator layer that has <paramref name="paperChannels"/> in Table 2.</summary>
    public int DiscriminatorChannels(int paperChannels) => Math.Max(1, paperChannels * (DiscriminatorWidth ?? Width) / 64);

    internal Module<Tensor, Tensor> Activate() => Activation == GlcicActivation.Relu ? ReLU(inplace: true) : LeakyReLU(0.2, inplace: true);
}

/// <summary>One row of Table 1: a convolution (or a 4×4 stride-2 deconvolution), its dilation and stride, its output channels.</summary>
/// <param name="Kernel">Kernel size.</param>
/// <param name="Dilation">Dilation η (§3.1, eq. 1).</param>
/// <param name="Stride">Stride; 2 halves the resolution, and for a deconvolution doubles it.</param>
/// <param name="Channels">Output channels at the paper's width.</param>
/// <param name="Deconvolution">A transposed convolution (Table 1's "deconv.", stride 1/2).</param>
public sealed record CompletionLayer(int Kernel, int Dilation, int Stride, int Channels, bool Deconvolution = false);

/// <summary>
/// The completion network of §3.1 and Table 1: 17 layers, an encoder that halves the resolution twice, four dilated
/// 3×3 convolutions (η = 2, 4, 8, 16) at a quarter of the resolution that give every output pixel a view of up to
/// 303×303 input pixels (<see cref="ReceptiveField"/>; the paper says 307), and a decoder of two 4×4 deconvolutions
/// back to the input's size. Batch normalisation and the activation follow every layer but the last, whose output is
/// squashed to colours in [0,1].
/// <para>Input (N,4,H,W): the image with the hole filled (the caller subtracts the training set's mean colour, so
/// the hole is zero, as in the authors' <c>inpaint.lua</c>) and the binary mask (1 in the hole). Output (N,3,H,W).
/// Fully convolutional: any H and W divisible by 4.</para>
/// </summary>
public sealed class CompletionNetwork : Module<Tensor, Tensor>
{
    /// <summary>Table 1, top to bottom.</summary>
    public static IReadOnlyList<CompletionLayer> Table1 { get; } =
    [
        new(5, 1, 1, 64),
        new(3, 1, 2, 128),
        new(3, 1, 1, 128),
        new(3, 1, 2, 256),
        new(3, 1, 1, 256),
        new(3, 1, 1, 256),
        new(3, 2, 1, 256),
        new(3, 4, 1, 256),
        new(3, 8, 1, 256),
        new(3, 16, 1, 256),
        new(3, 1, 1, 256),
        new(3, 1, 1, 256),
        new(4, 1, 2, 128, Deconvolution: true),
        new(3, 1, 1, 128),
        new(4, 1, 2, 64, Deconvolution: true),
        new(3, 1, 1, 32),
        new(3, 1, 1, 3),
    ];

    readonly Sequential body;
    readonly GlcicOutput output;

    /// <param name="config">Widths and non-linearities.</param>
    /// <param name="dilated">False replaces every dilation by 1 (the notebook's receptive-field comparison).</param>
    public CompletionNetwork(GlcicNetworkConfig config, bool dilated = true) : base(nameof(CompletionNetwork))
    {
        Config = config;
        output = config.Output;
        body = Sequential();
        int inputs = 4;
        for (int i = 0; i < Table1.Count; i++)
        {
            var row = Table1[i];
            bool last = i == Table1.Count - 1;
            int channels = last ? 3 : config.Channels(row.Channels);
            int dilation = dilated ? row.Dilation : 1;
            body.append($"conv{i + 1}", row.Deconvolution
                ? ConvTranspose2d(inputs, channels, row.Kernel, stride: row.Stride, padding: 1)
                : Conv2d(inputs, channels, row.Kernel, stride: row.Stride, padding: dilation * (row.Kernel - 1) / 2, dilation: dilation));
            if (!last)
            {
                body.append($"bn{i + 1}", BatchNorm2d(channels));
                body.append($"act{i + 1}", config.Activate());
            }
            inputs = channels;
        }
        RegisterComponents();
    }

    public GlcicNetworkConfig Config { get; }

    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4 || input.shape[1] != 4)
            throw new ArgumentException($"The completion network takes (N,4,H,W) (image and mask); got ({string.Join(",", input.shape)}).", nameof(input));
        if (input.shape[2] % 4 != 0 || input.shape[3] % 4 != 0)
            throw new ArgumentException($"The completion network needs a height and width divisible by 4 (it halves the resolution twice); got {input.shape[2]}×{input.shape[3]}.", nameof(input));
        var raw = body.call(input);
        return output == GlcicOutput.Sigmoid ? raw.sigmoid() : raw.tanh().add(1).mul(0.5);
    }

    /// <summary>
    /// The side of the square of input pixels that can influence an output pixel, from Table 1's kernels, strides,
    /// dilations and paddings: the widest <see cref="Support"/> over the four output positions a stride-4 network
    /// repeats (the two 4×4 deconvolutions give neighbouring output pixels supports of different widths).
    /// </summary>
    public static int ReceptiveField(bool dilated = true) =>
        Enumerable.Range(0, 4).Max(phase => Support(1024 + phase, dilated) is var (low, high) ? high - low + 1 : 0);

    /// <summary>
    /// The input positions, along one axis of an unbounded image, that output position <paramref name="position"/>
    /// depends on: the interval traced back through the layers. A convolution (kernel k, dilation η, stride s,
    /// padding p) maps outputs [lo, hi] to inputs [s·lo − p, s·hi − p + η(k − 1)]; a transposed convolution writes
    /// input i to outputs s·i − p … s·i − p + k − 1, so outputs [lo, hi] come from inputs ⌈(lo + p − k + 1)/s⌉ … ⌊(hi + p)/s⌋.
    /// </summary>
    public static (int Low, int High) Support(int position, bool dilated = true)
    {
        int low = position, high = position;
        for (int i = Table1.Count - 1; i >= 0; i--)
        {
            var row = Table1[i];
            if (row.Deconvolution)
            {
                const int padding = 1; // as the constructor builds it
                low = (int)Math.Ceiling((low + padding - row.Kernel + 1) / (double)row.Stride);
                high = (int)Math.Floor((high + padding) / (double)row.Stride);
            }
            else
            {
                int dilation = dilated ? row.Dilation : 1;
                int padding = dilation * (row.Kernel - 1) / 2;
                low = row.Stride * low - padding;
                high = row.Stride * high - padding + dilation * (row.Kernel - 1);
            }
        }
        return (low, high);
    }
}

/// <summary>
/// A stack of 5×5 stride-2 convolutions (Table 2), each followed by batch normalisation and the activation, then a
/// fully connected layer to a 1024-dimensional vector (§3.2). The global and local discriminators differ only in
/// the number of convolutions and the size of their input.
/// </summary>
public sealed class DiscriminatorBranch : Module<Tensor, Tensor>
{
    readonly Sequential features;
    readonly Linear fc;
    readonly Module<Tensor, Tensor> activation;

    /// <param name="name">The module's name ("global" or "local").</param>
    /// <param name="config">Widths and activation.</param>
    /// <param name="channels">The convolutions' output channels at the paper's width (Table 2).</param>
    /// <param name="inputSize">The side of the square input; after the convolutions it is inputSize/2^count.</param>
    public DiscriminatorBranch(string name, GlcicNetworkConfig config, IReadOnlyList<int> channels, int inputSize) : base(name)
    {
        int side = inputSize >> channels.Count;
        if (side < 1 || side << channels.Count != inputSize)
            throw new ArgumentException($"A {name} of {channels.Count} stride-2 convolutions needs an input side divisible by {1 << channels.Count}; got {inputSize}.", nameof(inputSize));
        InputSize = inputSize;
        features = Sequential();
        int inputs = 3;
        for (int i = 0; i < channels.Count; i++)
        {
            int c = config.DiscriminatorChannels(channels[i]);
            features.append($"conv{i + 1}", Conv2d(inputs, c, 5, stride: 2, padding: 2));
            features.append($"bn{i + 1}", BatchNorm2d(c));
            features.append($"act{i + 1}", config.Activate());
            inputs = c;
        }
        fc = Linear(inputs * side * side, 1024);
        activation = config.Activate();
        RegisterComponents();
    }

    /// <summary>The side of the square images this branch takes.</summary>
    public int InputSize { get; }

    public override Tensor forward(Tensor images)
    {
        if (images.dim() != 4 || images.shape[2] != InputSize || images.shape[3] != InputSize)
            throw new ArgumentException($"{GetName()} takes (N,3,{InputSize},{InputSize}); got ({string.Join(",", images.shape)}).", nameof(images));
        return activation.call(fc.call(features.call(images).flatten(1)));
    }
}

/// <summary>
/// The context discriminators of §3.2 and Table 2: a global one that sees the whole image (at the paper's size,
/// 256×256: six convolutions 64, 128, 256, 512, 512, 512) and a local one that sees the patch centred on the completed
/// region (128×128: five convolutions 64 … 512), each ending in a 1024-vector; the two are concatenated (2048) and a
/// fully connected layer gives one value, the logit of the probability that the image is real. The sigmoid of
/// Table 2's last layer is applied inside the loss (<see cref="GlcicLoss"/>), where it is numerically stable.
/// </summary>
public sealed class ContextDiscriminator : Module<Tensor, Tensor, Tensor>
{
    readonly DiscriminatorBranch global;
    readonly DiscriminatorBranch local;
    readonly Linear concatenation;

    /// <summary>Table 2(a), the global discriminator's convolutions at the paper's width.</summary>
    public static IReadOnlyList<int> GlobalChannels { get; } = [64, 128, 256, 512, 512, 512];

    /// <summary>Table 2(b), the local discriminator's.</summary>
    public static IReadOnlyList<int> LocalChannels { get; } = [64, 128, 256, 512, 512];

    /// <param name="config">Widths and activation.</param>
    /// <param name="imageSize">The side of the whole image (paper: 256).</param>
    /// <param name="localSize">The side of the local patch (paper: 128).</param>
    public ContextDiscriminator(GlcicNetworkConfig config, int imageSize, int localSize) : base(nameof(ContextDiscriminator))
    {
        global = new DiscriminatorBranch("global", config, GlobalChannels, imageSize);
        local = new DiscriminatorBranch("local", config, LocalChannels, localSize);
        concatenation = Linear(2048, 1);
        RegisterComponents();
    }

    /// <summary>The logits (N) that the images (N,3,S,S), with their local patches (N,3,s,s), are real.</summary>
    public override Tensor forward(Tensor images, Tensor patches) =>
        concatenation.call(cat([global.call(images), local.call(patches)], 1)).squeeze(1);
}
