using NotebookHelpers.Cam;
using NotebookHelpers.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Cam;

public class CamBaseTests
{
    public static TheoryData<string> Methods => ["grad-cam", "grad-cam++", "score-cam", "faster-score-cam"];

    private static CamBase Create(string method, nn.Module<Tensor, Tensor> model, string layer) => method switch
    {
        "grad-cam" => new GradCam(model, layer),
        "grad-cam++" => new GradCamPlusPlus(model, layer),
        "score-cam" => new ScoreCam(model, layer),
        "faster-score-cam" => new FasterScoreCam(model, layer, maxChannels: 3),
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void No_hook_stays_registered_after_use(string method)
    {
        using var model = CamModels.ConvPoolLinear();
        var layer = CamModels.Layer(model, "features");
        Create(method, model, "features").Explain(rand(1, 3, 8, 8));
        Assert.Equal(0, CamModels.ForwardHookCount(layer));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void No_hook_stays_registered_after_the_model_throws(string method)
    {
        using var model = nn.Sequential(("features", nn.Conv2d(3, 4, 3, padding: 1)), ("boom", new Throwing()));
        var layer = CamModels.Layer(model, "features");
        var error = Assert.Throws<InvalidOperationException>(() => Create(method, model, "features").Explain(rand(1, 3, 8, 8)));
        Assert.Equal("boom", error.Message);
        Assert.Equal(0, CamModels.ForwardHookCount(layer));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Maps_are_in_0_1_without_NaN_when_the_layer_is_constant(string method)
    {
        // A zero convolution with a positive bias: every channel of the target layer is constant, so every Score-CAM
        // mask is 0/0 before the guard and every map is constant before its min-max.
        using var model = CamModels.ConvPoolLinear();
        var conv = (TorchSharp.Modules.Conv2d)CamModels.Layer(model, "features.conv");
        using (no_grad())
        {
            conv.weight!.zero_();
            conv.bias!.fill_(0.5);
        }
        var maps = Create(method, model, "features").Maps(rand(2, 3, 8, 8));
        Assert.False(maps.isnan().any().item<bool>());
        Assert.True(maps.eq(0).all().item<bool>());
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Maps_are_min_max_normalised_per_image(string method)
    {
        using var model = CamModels.ConvPoolLinear();
        var maps = Create(method, model, "features").Maps(rand(2, 3, 8, 8));
        Assert.Equal([2L, 8, 8], maps.shape);
        Assert.False(maps.isnan().any().item<bool>());
        for (var n = 0; n < 2; n++)
        {
            var (low, high) = (maps[n].min().item<float>(), maps[n].max().item<float>());
            Assert.True(low == 0 && (high == 1 || high == 0), $"image {n}: [{low}, {high}]");
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Batched_maps_equal_one_at_a_time_maps(string method)
    {
        using var model = CamModels.ConvPoolLinear();
        using var input = rand(3, 3, 8, 8);
        var cam = Create(method, model, "features");
        var batched = cam.Explain(input);
        for (var n = 0; n < 3; n++)
        {
            var single = cam.Explain(input.narrow(0, n, 1));
            Assert.True(batched.Maps[n].allclose(single.Maps[0], rtol: 1e-4, atol: 1e-5), $"image {n}");
            Assert.True(batched.Weights[n].allclose(single.Weights[0], rtol: 1e-4, atol: 1e-6), $"image {n}");
        }
    }

    [Fact]
    public void An_unknown_layer_path_lists_the_models_layers()
    {
        using var model = CamModels.ConvPoolLinear();
        var error = Assert.Throws<ArgumentException>(() => new GradCam(model, "features.7"));
        Assert.Contains("features.7", error.Message);
        // TorchSharp's named_modules() lists children before grandchildren.
        Assert.Contains("Layers: features, pool, flatten, fc, features.conv, features.relu.", error.Message);
    }

    [Fact]
    public void A_long_layer_list_is_shortened()
    {
        using var model = Backbones.Create(BackboneKind.ResNet50);
        var error = Assert.Throws<ArgumentException>(() => new GradCam(model, "layer9"));
        Assert.Contains("more)", error.Message);
        Assert.True(error.Message.Length < 2000, $"{error.Message.Length} characters");
    }

    [Fact]
    public void Every_method_gives_input_sized_maps_on_torchvision_vgg16()
    {
        // features.29 is the ReLU after conv5_3 (512 channels, 4x4 at a 64x64 input). Full Score-CAM would score 512
        // masked inputs through VGG16, too slow for a unit test; Faster Score-CAM runs the same code on 3 of them.
        using var model = Backbones.Create(BackboneKind.Vgg16);
        using var input = rand(1, 3, 64, 64);
        CamBase[] methods = [new GradCam(model, "features.29"), new GradCamPlusPlus(model, "features.29"),
            new FasterScoreCam(model, "features.29", maxChannels: 3)];
        foreach (var cam in methods)
        {
            var result = cam.Explain(input);
            Assert.Equal([1L, 64, 64], result.Maps.shape);
            Assert.Equal([1L, 512], result.Weights.shape);
            Assert.False(result.Maps.isnan().any().item<bool>());
            Assert.Equal(0, CamModels.ForwardHookCount(CamModels.Layer(model, "features.29")));
        }
    }
}
