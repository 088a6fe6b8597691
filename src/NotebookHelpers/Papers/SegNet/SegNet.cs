using NotebookHelpers.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NotebookHelpers.Papers.SegNet;

/// <summary>
/// The full SegNet (Badrinarayanan et al., 2017, §3, Fig. 2): the 13 convolutions of VGG16 with batch norm as the
/// encoder, five 2×2 max poolings that keep their indices, and a decoder that mirrors the encoder, 13 convolutions of
/// 3×3 with batch norm and ReLU after each unpooling, the last one giving class scores (as <c>conv1_1_D</c> of the
/// authors' <c>segnet_train.prototxt</c>, without batch norm or ReLU).
/// <para>
/// The encoder is a <c>features</c> sequence with torchvision's VGG16-BN indices (<c>features.0</c> is conv1_1,
/// <c>features.1</c> its batch norm, <c>features.6</c> the first pooling), so <c>vgg16_bn-6c64b313.pth</c> loads into
/// it as it is (<see cref="TryLoadImageNetEncoder"/>); the paper initialises the encoder from ImageNet VGG16.
/// </para>
/// </summary>
public sealed class SegNetVgg16 : Module<Tensor, Tensor>
{
    /// <summary>VGG16's convolution groups: (channels, convolutions).</summary>
    static readonly (int Channels, int Convs)[] Vgg16Groups = [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)];

    readonly Sequential features;
    readonly ModuleList<Sequential> decoder = new();

    /// <param name="classes">Output classes (CamVid's 11 in the paper's road-scene experiments).</param>
    /// <param name="widthScale">Channel multiplier; 1 is VGG16's widths, the only ones ImageNet weights fit.</param>
    public SegNetVgg16(int classes = 11, double widthScale = 1.0) : base(nameof(SegNetVgg16))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(widthScale);
        Classes = classes;
        WidthScale = widthScale;
        features = Sequential(EncoderLayers());
        for (int g = Vgg16Groups.Length - 1; g >= 0; g--)
            decoder.Add(DecoderGroup(g));
        RegisterComponents();
        Init.HeConvolutions(this);
    }

    public int Classes { get; }
    public double WidthScale { get; }

    /// <summary>The encoder, with torchvision's VGG16-BN indices.</summary>
    public Sequential Encoder => features;

    /// <summary>Image (N,3,H,W), ImageNet-normalised → class scores (N,classes,H,W).</summary>
    public override Tensor forward(Tensor image)
    {
        var skips = new Stack<(Tensor Indices, long Height, long Width)>();
        var x = image;
        foreach (var layer in features.children())
        {
            if (layer is MaxPool2d)
            {
                var (pooled, indices) = PoolingIndices.Pool(x);
                skips.Push((indices, x.shape[2], x.shape[3]));
                x = pooled;
            }
            else
            {
                x = ((Module<Tensor, Tensor>)layer).call(x);
            }
        }
        foreach (var group in decoder)
        {
            var (indices, height, width) = skips.Pop();
            x = group.call(PoolingIndices.Unpool(x, indices, height, width));
        }
        return x;
    }

    /// <summary>Loads torchvision's VGG16-BN (its <c>features.*</c>) into the encoder when the file is there and the widths are VGG16's.</summary>
    public bool TryLoadImageNetEncoder(TextWriter? log = null)
    {
        if (WidthScale != 1.0)
        {
            (log ?? Console.Out).WriteLine($"The encoder is {WidthScale:0.###} of VGG16's width: ImageNet weights do not fit, it starts from random weights.");
            return false;
        }
        return PretrainedWeights.TryLoadImageNet(features, BackboneKind.Vgg16Bn, allowUnused: true, log: log, filePrefix: "features.");
    }

    int Width(int channels) => Math.Max(1, (int)Math.Round(channels * WidthScale));

    IEnumerable<(string, Module<Tensor, Tensor>)> EncoderLayers()
    {
        int index = 0, input = 3;
        foreach (var (channels, convs) in Vgg16Groups)
        {
            int width = Width(channels);
            for (int c = 0; c < convs; c++)
            {
                yield return ((index++).ToString(), Conv2d(input, width, 3, padding: 1));
                yield return ((index++).ToString(), BatchNorm2d(width));
                yield return ((index++).ToString(), ReLU(inplace: true));
                input = width;
            }
            yield return ((index++).ToString(), MaxPool2d(2, 2));
        }
    }

    /// <summary>The decoder of group <paramref name="group"/>: its convolutions in reverse, the last narrowing to the group below (or to the classes).</summary>
    Sequential DecoderGroup(int group)
    {
        var (channels, convs) = Vgg16Groups[group];
        int width = Width(channels);
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        for (int c = convs; c >= 1; c--)
        {
            bool last = c == 1;
            bool scores = last && group == 0;
            int output = !last ? width : group == 0 ? Classes : Width(Vgg16Groups[group - 1].Channels);
            layers.Add(($"conv{group + 1}_{c}_D", Conv2d(width, output, 3, padding: 1)));
            if (scores) continue;
            layers.Add(($"conv{group + 1}_{c}_D_bn", BatchNorm2d(output)));
            layers.Add(($"relu{group + 1}_{c}_D", ReLU(inplace: true)));
        }
        return Sequential(layers);
    }
}
