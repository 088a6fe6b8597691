using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NotebookHelpers.Papers.SegNet;

/// <summary>
/// The small networks of the SegNet paper's decoder-variant study (Badrinarayanan et al., 2017, §3.1 and Table 1), with
/// the paper's values: 4 encoders of 64 channels with 7×7 convolutions, batch norm, ReLU and 2×2 max pooling, 11 CamVid
/// classes at 360×480. <para>Where the paper's text and the authors' Caffe model
/// (<c>segnet_basic_train.prototxt</c> in the SegNet tutorial) differ, we follow the model, which produced the table:
/// the paper says "no biases are used after convolutions", but every convolution of the prototxt has a bias (and a
/// batch norm after it), and the model normalises its input with a local response normalisation (size 5, α 1e-4,
/// β 0.75) that the text does not mention.</para>
/// </summary>
public sealed record SegNetBasicConfig
{
    /// <summary>Encoder (and decoder) depth: 4 (§3.1).</summary>
    public int Depth { get; init; } = 4;

    /// <summary>Channels of every layer: 64 (§3.1).</summary>
    public int Width { get; init; } = 64;

    /// <summary>Kernel size of every encoder and decoder convolution: 7, "to provide a wide context for smooth labelling" (§3.1).</summary>
    public int KernelSize { get; init; } = 7;

    /// <summary>CamVid's 11 classes.</summary>
    public int Classes { get; init; } = 11;

    /// <summary>The input's local response normalisation of the authors' model.</summary>
    public bool InputLrn { get; init; } = true;

    /// <summary>Multiple of 2^Depth the input's height and width must be; CamVid's 360 is not a multiple of 16 (see <see cref="SegNetBasic"/>).</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Depth, 1, nameof(Depth));
        ArgumentOutOfRangeException.ThrowIfLessThan(Width, 1, nameof(Width));
        ArgumentOutOfRangeException.ThrowIfLessThan(Classes, 1, nameof(Classes));
        if (KernelSize < 1 || KernelSize % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(KernelSize), KernelSize, "The kernel size must be odd, so that a convolution keeps the map's size.");
    }
}

/// <summary>
/// SegNet-Basic (§3.1): four encoders (convolution, batch norm, ReLU, 2×2 max pooling that keeps its indices) and four
/// decoders (max unpooling with those indices, convolution, batch norm, and no ReLU: "no ReLU non-linearity is
/// present in the decoder network"), then a 1×1 convolution to class scores. The unpooling is told each encoder map's
/// size, so odd sizes on the way down (CamVid's 360 rows become 45, then 22) come back exactly, as Caffe's
/// <c>pad_out_h</c> does for the authors.
/// </summary>
public sealed class SegNetBasic : Module<Tensor, Tensor>
{
    readonly Module<Tensor, Tensor> normalise;
    readonly ModuleList<Sequential> encoder = new();
    readonly ModuleList<Sequential> decoder = new();
    readonly Conv2d classifier;

    public SegNetBasic(SegNetBasicConfig config) : base(nameof(SegNetBasic))
    {
        config.Validate();
        Config = config;
        normalise = config.InputLrn ? LocalResponseNorm(5, 1e-4, 0.75) : Identity();
        for (int i = 0; i < config.Depth; i++)
            encoder.Add(SegNetBasicLayers.Encoder(i == 0 ? 3 : config.Width, config));
        for (int i = 0; i < config.Depth; i++)
            decoder.Add(SegNetBasicLayers.Decoder(config.Width, config.Width, config));
        classifier = Conv2d(config.Width, config.Classes, 1);
        RegisterComponents();
        Models.Init.HeConvolutions(this);
    }

    public SegNetBasicConfig Config { get; }

    /// <summary>Image (N,3,H,W) → class scores (N,classes,H,W).</summary>
    public override Tensor forward(Tensor image)
    {
        var skips = new Stack<(Tensor Indices, long Height, long Width)>();
        var x = normalise.call(image);
        foreach (var block in encoder)
        {
            x = block.call(x);
            var (pooled, indices) = PoolingIndices.Pool(x);
            skips.Push((indices, x.shape[2], x.shape[3]));
            x = pooled;
        }
        foreach (var block in decoder)
        {
            var (indices, height, width) = skips.Pop();
            x = block.call(PoolingIndices.Unpool(x, indices, height, width));
        }
        return classifier.call(x);
    }
}

/// <summary>
/// FCN-Basic (§3.1, Fig. 3): SegNet-Basic's encoder with FCN's decoding. Each encoder map is reduced by a 1×1
/// convolution to as many channels as there are classes; each decoder upsamples its input 2× with a trainable
/// deconvolution (initialised to bilinear interpolation, as FCN does) and adds the reduced map of the matching encoder.
/// Nothing about <em>where</em> the maxima were reaches the decoder, but the encoder's full-resolution feature maps do,
/// at the cost of storing them: the paper's point is that FCN-Basic needs 11 channels of every encoder map in memory at
/// inference, SegNet-Basic only its pooling indices. Details the paper leaves open, taken from FCN (Long et al., 2015):
/// 4×4 deconvolutions of stride 2 without bias; the sum is cropped to the encoder map's size when the upsampled map
/// is larger.
/// </summary>
public sealed class FcnBasic : Module<Tensor, Tensor>
{
    readonly Module<Tensor, Tensor> normalise;
    readonly ModuleList<Sequential> encoder = new();
    readonly ModuleList<Conv2d> reduce = new();
    readonly ModuleList<ConvTranspose2d> upsample = new();
    readonly Conv2d bottleneck;

    public FcnBasic(SegNetBasicConfig config) : base(nameof(FcnBasic))
    {
        config.Validate();
        Config = config;
        normalise = config.InputLrn ? LocalResponseNorm(5, 1e-4, 0.75) : Identity();
        for (int i = 0; i < config.Depth; i++)
        {
            encoder.Add(SegNetBasicLayers.Encoder(i == 0 ? 3 : config.Width, config));
            reduce.Add(Conv2d(config.Width, config.Classes, 1));
            upsample.Add(ConvTranspose2d(config.Classes, config.Classes, 4, stride: 2, padding: 1, bias: false));
        }
        bottleneck = Conv2d(config.Width, config.Classes, 1);
        RegisterComponents();
        Models.Init.HeConvolutions(this);
        foreach (var deconv in upsample) Bilinear(deconv);
    }

    public SegNetBasicConfig Config { get; }

    /// <summary>Image (N,3,H,W) → class scores (N,classes,H,W).</summary>
    public override Tensor forward(Tensor image)
    {
        var features = new List<Tensor>();
        var x = normalise.call(image);
        foreach (var block in encoder)
        {
            x = block.call(x);
            features.Add(x);
            x = functional.max_pool2d(x, 2, 2);
        }
        var scores = bottleneck.call(x);
        for (int i = Config.Depth - 1; i >= 0; i--)
        {
            var skip = reduce[i].call(features[i]);
            var up = upsample[i].call(scores);
            scores = Fit(up, skip.shape[2], skip.shape[3]) + skip;
        }
        return scores;
    }

    /// <summary>Crops (or zero-pads, for an odd size that pooling floored) the upsampled map to the encoder map's size.</summary>
    static Tensor Fit(Tensor map, long height, long width)
    {
        long dh = height - map.shape[2], dw = width - map.shape[3];
        if (dh == 0 && dw == 0) return map;
        return functional.pad(map, [0, dw, 0, dh]);
    }

    /// <summary>A deconvolution that upsamples each channel bilinearly (FCN's initialisation): channel c to c only.</summary>
    static void Bilinear(ConvTranspose2d deconv)
    {
        using var noGrad = no_grad();
        var weight = deconv.weight!;
        long k = weight.shape[2], channels = weight.shape[0];
        double factor = (k + 1) / 2, centre = k % 2 == 1 ? factor - 1 : factor - 0.5;
        var filter = new float[k * k];
        for (int r = 0; r < k; r++)
            for (int c = 0; c < k; c++)
                filter[r * k + c] = (float)((1 - Math.Abs(r - centre) / factor) * (1 - Math.Abs(c - centre) / factor));
        weight.zero_();
        using var kernel = tensor(filter, [k, k]);
        for (long ch = 0; ch < channels; ch++) weight[ch, ch].copy_(kernel);
    }
}

/// <summary>The layers SegNet-Basic and FCN-Basic share.</summary>
static class SegNetBasicLayers
{
    /// <summary>Convolution, batch norm, ReLU (the pooling is the network's, which decides whether to keep indices).</summary>
    public static Sequential Encoder(int input, SegNetBasicConfig config) => Sequential(
        ("conv", Conv2d(input, config.Width, config.KernelSize, padding: config.KernelSize / 2)),
        ("bn", BatchNorm2d(config.Width)),
        ("relu", ReLU(inplace: true)));

    /// <summary>Convolution and batch norm, without ReLU (§3.1).</summary>
    public static Sequential Decoder(int input, int output, SegNetBasicConfig config) => Sequential(
        ("conv", Conv2d(input, output, config.KernelSize, padding: config.KernelSize / 2)),
        ("bn", BatchNorm2d(output)));
}
