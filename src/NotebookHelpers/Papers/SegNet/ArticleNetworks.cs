using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NotebookHelpers.Papers.SegNet;

/// <summary>How a decoder block of the seed article's networks doubles its input's resolution.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<Decoding>))]
public enum Decoding
{
    /// <summary>SegNet: max unpooling with the encoder's pooling indices (<see cref="PoolingIndices"/>).</summary>
    PoolingIndices,

    /// <summary>The article's FCN-style baseline: nearest-neighbour 2× upsampling, no information from the encoder.</summary>
    Upsampling,
}

/// <summary>
/// The seed article's pair of networks, with its values as defaults: a VGG16-shaped encoder (five blocks of 2, 2, 3, 3
/// and 3 convolutions of 3×3 with batch norm and ReLU, each followed by 2×2 max pooling) of base width 32 (32, 64, 128,
/// 256, 256 channels, half of VGG16's), a mirrored decoder, and 22 outputs (VOC's 21 classes and the object boundary),
/// on 64×64 inputs. The two networks differ only in <see cref="Decoding"/> and in the dropout of 0.5 the article puts
/// in SegNet's bottleneck.
/// </summary>
public sealed record ArticleNetConfig
{
    /// <summary>Channels of the first block; block b has <c>BaseWidth × 2^b</c>, capped at <c>8 × BaseWidth</c> as VGG16 caps at 512.</summary>
    public int BaseWidth { get; init; } = 32;

    /// <summary>Convolutions per encoder block (VGG16's 2, 2, 3, 3, 3); the decoder mirrors them.</summary>
    public IReadOnlyList<int> Blocks { get; init; } = [2, 2, 3, 3, 3];

    /// <summary>Output classes: the article's 22 (VOC's 21 and the boundary as a class of its own).</summary>
    public int Classes { get; init; } = 22;

    /// <summary>Input height; a multiple of 2^<see cref="Blocks"/>.Count (the article trains at 64×64).</summary>
    public int Height { get; init; } = 64;

    /// <summary>Input width.</summary>
    public int Width { get; init; } = 64;

    /// <summary>How the decoder upsamples.</summary>
    public Decoding Decoding { get; init; } = Decoding.PoolingIndices;

    /// <summary>Dropout on the encoder's output, before the decoder; the article used 0.5 in SegNet and none in the baseline.</summary>
    public double BottleneckDropout { get; init; } = 0.5;

    /// <summary>The article's SegNet.</summary>
    public static ArticleNetConfig SegNet { get; } = new();

    /// <summary>The article's baseline: the same layers with plain upsampling and no dropout.</summary>
    public static ArticleNetConfig Baseline { get; } = new() { Decoding = Decoding.Upsampling, BottleneckDropout = 0 };

    /// <summary>Prints <see cref="Blocks"/> as its numbers, not as the list's type.</summary>
    bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"BaseWidth = {BaseWidth}, Blocks = [{string.Join(", ", Blocks)}], Classes = {Classes}, Height = {Height}, Width = {Width}, ");
        builder.Append($"Decoding = {Decoding}, BottleneckDropout = {BottleneckDropout}");
        return true;
    }

    /// <summary>Channels of encoder block <paramref name="block"/> (0-based).</summary>
    public int BlockWidth(int block) => BaseWidth * (1 << Math.Min(block, 3));

    /// <summary>Throws when the sizes cannot go through the network (every pooling must halve an even size).</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BaseWidth, 1, nameof(BaseWidth));
        ArgumentOutOfRangeException.ThrowIfLessThan(Classes, 1, nameof(Classes));
        if (Blocks.Count == 0 || Blocks.Any(b => b < 1))
            throw new ArgumentException($"Blocks needs at least one block of at least one convolution; got [{string.Join(", ", Blocks)}].", nameof(Blocks));
        int factor = 1 << Blocks.Count;
        if (Height < factor || Width < factor || Height % factor != 0 || Width % factor != 0)
            throw new ArgumentException($"{Width}×{Height} cannot pass {Blocks.Count} poolings: height and width must be multiples of {factor}.");
    }
}

/// <summary>
/// The seed article's encoder–decoder (<see cref="ArticleNetConfig"/>): SegNet when it decodes with pooling indices,
/// the FCN-style baseline when it upsamples. Each decoder block doubles the resolution, then applies as many 3×3
/// convolutions (batch norm, ReLU) as its encoder block had, the last one narrowing to the next block's width; a
/// final 1×1 convolution gives per-pixel class scores (logits) at the input's resolution.
/// </summary>
public sealed class ArticleEncoderDecoder : Module<Tensor, Tensor>
{
    readonly ModuleList<Sequential> encoder = new();
    readonly ModuleList<Sequential> decoder = new();
    readonly Module<Tensor, Tensor> dropout;
    readonly Conv2d classifier;

    public ArticleEncoderDecoder(ArticleNetConfig config) : base(config.Decoding == Decoding.PoolingIndices ? "SegNet" : "UpsamplingBaseline")
    {
        config.Validate();
        Config = config;
        int inChannels = 3;
        for (int b = 0; b < config.Blocks.Count; b++)
        {
            encoder.Add(ConvBlock(inChannels, config.BlockWidth(b), config.BlockWidth(b), config.Blocks[b]));
            inChannels = config.BlockWidth(b);
        }
        for (int b = config.Blocks.Count - 1; b >= 0; b--)
        {
            int output = b == 0 ? config.BlockWidth(0) : config.BlockWidth(b - 1);
            decoder.Add(ConvBlock(config.BlockWidth(b), config.BlockWidth(b), output, config.Blocks[b]));
        }
        dropout = config.BottleneckDropout > 0 ? Dropout(config.BottleneckDropout) : Identity();
        classifier = Conv2d(config.BlockWidth(0), config.Classes, 1);
        RegisterComponents();
        Models.Init.HeConvolutions(this);
    }

    public ArticleNetConfig Config { get; }

    /// <summary>Image (N,3,H,W) → class scores (N,classes,H,W).</summary>
    public override Tensor forward(Tensor image)
    {
        var skips = new Stack<(Tensor Indices, long Height, long Width)>();
        var x = image;
        foreach (var block in encoder)
        {
            x = block.call(x);
            var (pooled, indices) = PoolingIndices.Pool(x);
            skips.Push((indices, x.shape[2], x.shape[3]));
            x = pooled;
        }
        x = dropout.call(x);
        foreach (var block in decoder)
        {
            var (indices, height, width) = skips.Pop();
            x = Config.Decoding == Decoding.PoolingIndices
                ? PoolingIndices.Unpool(x, indices, height, width)
                : functional.interpolate(x, size: [height, width], mode: InterpolationMode.Nearest);
            x = block.call(x);
        }
        return classifier.call(x);
    }

    /// <summary><paramref name="convolutions"/> 3×3 convolutions with batch norm and ReLU, the last one to <paramref name="output"/> channels.</summary>
    internal static Sequential ConvBlock(int input, int width, int output, int convolutions)
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        for (int c = 0; c < convolutions; c++)
        {
            int from = c == 0 ? input : width, to = c == convolutions - 1 ? output : width;
            layers.Add(($"conv{c}", Conv2d(from, to, 3, padding: 1, bias: false)));
            layers.Add(($"bn{c}", BatchNorm2d(to)));
            layers.Add(($"relu{c}", ReLU(inplace: true)));
        }
        return Sequential(layers);
    }
}
