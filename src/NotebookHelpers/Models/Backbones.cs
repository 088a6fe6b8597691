using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Models;

/// <summary>The ImageNet backbones the papers build on, with torchvision's layouts and parameter names.</summary>
public enum BackboneKind { Vgg16, Vgg16Bn, Vgg19, ResNet50 }

/// <summary>
/// torchvision's VGG16, VGG16-BN, VGG19 and ResNet-50 from the TorchVision package, so their state-dict keys are
/// torchvision's (<c>features.0.weight</c> ... <c>classifier.6.bias</c>, <c>layer1.0.conv1.weight</c> ...) and
/// PyTorch checkpoints load as they are; plus named feature taps for the papers that read intermediate layers.
/// </summary>
public static class Backbones
{
    /// <summary>The name torchvision and the command line use: vgg16, vgg16_bn, vgg19, resnet50.</summary>
    public static string Name(this BackboneKind kind) => kind switch
    {
        BackboneKind.Vgg16 => "vgg16",
        BackboneKind.Vgg16Bn => "vgg16_bn",
        BackboneKind.Vgg19 => "vgg19",
        BackboneKind.ResNet50 => "resnet50",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static IReadOnlyList<BackboneKind> All { get; } = Enum.GetValues<BackboneKind>();

    /// <summary>Parses vgg16, vgg16_bn (or vgg16-bn), vgg19, resnet50; an unknown name lists the known ones.</summary>
    public static BackboneKind Parse(string name) =>
        All.Where(k => k.Name() == name.Trim().ToLowerInvariant().Replace('-', '_')).Select(k => (BackboneKind?)k).FirstOrDefault()
        ?? throw new ArgumentException($"Unknown model '{name}'. Use one of: {string.Join(", ", All.Select(k => k.Name()))}.", nameof(name));

    /// <summary>A randomly initialised network (torchvision's initialisation), in evaluation mode.</summary>
    public static nn.Module<Tensor, Tensor> Create(BackboneKind kind, int numClasses = 1000, Device? device = null)
    {
        nn.Module<Tensor, Tensor> model = kind switch
        {
            BackboneKind.Vgg16 => torchvision.models.vgg16(numClasses),
            BackboneKind.Vgg16Bn => torchvision.models.vgg16_bn(numClasses),
            BackboneKind.Vgg19 => torchvision.models.vgg19(numClasses),
            BackboneKind.ResNet50 => torchvision.models.resnet50(numClasses),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        if (device is not null) model.to(device);
        model.eval();
        return model;
    }

    /// <summary>
    /// The layers of a backbone in forward order, each with the tap name its output carries (null for none).
    /// VGG: <c>conv{b}_{k}</c> is the k-th convolution of block b after its ReLU (after its batch norm and ReLU for
    /// VGG16-BN), as perceptual losses and CAMs read them; <c>pool{b}</c> ends block b. ResNet: <c>stem</c> (after the
    /// max pool), <c>layer1</c> ... <c>layer4</c>.
    /// </summary>
    public static IReadOnlyList<(string? Tap, nn.Module<Tensor, Tensor> Layer)> Stages(nn.Module<Tensor, Tensor> model)
    {
        var children = model.named_children().ToDictionary(c => c.name, c => c.module);
        if (children.TryGetValue("features", out var features)) return VggStages(features);
        if (children.ContainsKey("layer1")) return ResNetStages(children);
        throw new ArgumentException($"{model.GetType().Name} is neither a torchvision VGG (features) nor a ResNet (layer1..layer4).", nameof(model));
    }

    /// <summary>The tap names a backbone offers, in forward order.</summary>
    public static IReadOnlyList<string> Taps(nn.Module<Tensor, Tensor> model) =>
        Stages(model).Where(s => s.Tap is not null).Select(s => s.Tap!).ToList();

    /// <summary>
    /// Runs <paramref name="input"/> through the backbone only as far as the deepest requested tap and returns each
    /// requested tap's activation. An unknown tap name is an error listing the valid ones.
    /// </summary>
    public static Dictionary<string, Tensor> Features(nn.Module<Tensor, Tensor> model, Tensor input, params string[] taps)
    {
        var stages = Stages(model);
        var known = stages.Where(s => s.Tap is not null).Select(s => s.Tap!).ToList();
        foreach (var tap in taps)
            if (!known.Contains(tap))
                throw new ArgumentException($"No tap '{tap}' in this backbone. Taps: {string.Join(", ", known)}.", nameof(taps));
        var wanted = new HashSet<string>(taps);
        var result = new Dictionary<string, Tensor>();
        var x = input;
        foreach (var (tap, layer) in stages)
        {
            x = layer.call(x);
            if (tap is not null && wanted.Contains(tap))
            {
                result[tap] = x;
                if (result.Count == wanted.Count) break;
            }
        }
        return result;
    }

    static List<(string?, nn.Module<Tensor, Tensor>)> VggStages(nn.Module features)
    {
        var stages = new List<(string?, nn.Module<Tensor, Tensor>)>();
        int block = 1, conv = 0;
        foreach (var (_, child) in features.named_children())
        {
            var layer = (nn.Module<Tensor, Tensor>)child;
            switch (child)
            {
                case TorchSharp.Modules.Conv2d:
                    conv++;
                    stages.Add((null, layer));
                    break;
                case TorchSharp.Modules.ReLU:
                    stages.Add(($"conv{block}_{conv}", layer));
                    break;
                case TorchSharp.Modules.MaxPool2d:
                    stages.Add(($"pool{block}", layer));
                    block++;
                    conv = 0;
                    break;
                default:
                    stages.Add((null, layer)); // batch norm
                    break;
            }
        }
        return stages;
    }

    static List<(string?, nn.Module<Tensor, Tensor>)> ResNetStages(Dictionary<string, nn.Module> children) =>
    [
        (null, (nn.Module<Tensor, Tensor>)children["conv1"]),
        (null, (nn.Module<Tensor, Tensor>)children["bn1"]),
        (null, (nn.Module<Tensor, Tensor>)children["relu"]),
        ("stem", (nn.Module<Tensor, Tensor>)children["maxpool"]),
        ("layer1", (nn.Module<Tensor, Tensor>)children["layer1"]),
        ("layer2", (nn.Module<Tensor, Tensor>)children["layer2"]),
        ("layer3", (nn.Module<Tensor, Tensor>)children["layer3"]),
        ("layer4", (nn.Module<Tensor, Tensor>)children["layer4"]),
    ];
}
