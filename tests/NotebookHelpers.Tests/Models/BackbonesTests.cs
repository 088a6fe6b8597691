using NotebookHelpers.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Models;

public class BackbonesTests
{
    [Theory]
    // torchvision's state dicts: VGG16 13 convs + 3 linear layers (weight, bias each) = 32 keys; VGG16-BN adds
    // 13 batch norms of 5 entries (weight, bias, running_mean, running_var, num_batches_tracked) = 97; VGG19 has
    // 16 convs = 38; ResNet-50 has 320.
    [InlineData(BackboneKind.Vgg16, 32, "features.0.weight", "classifier.6.bias")]
    [InlineData(BackboneKind.Vgg16Bn, 97, "features.1.running_var", "classifier.6.bias")]
    [InlineData(BackboneKind.Vgg19, 38, "features.34.weight", "classifier.6.bias")]
    [InlineData(BackboneKind.ResNet50, 320, "layer4.2.bn3.num_batches_tracked", "fc.bias")]
    public void Parameter_names_are_torchvisions(BackboneKind kind, int keys, string inside, string last)
    {
        using var model = Backbones.Create(kind);
        var names = model.state_dict().Keys.ToList();
        Assert.Equal(keys, names.Count);
        Assert.Contains(inside, names);
        Assert.Contains(last, names);
    }

    [Fact]
    public void Vgg16_taps_are_named_after_the_paper_layers_in_forward_order()
    {
        using var model = Backbones.Create(BackboneKind.Vgg16);
        Assert.Equal(
            ["conv1_1", "conv1_2", "pool1", "conv2_1", "conv2_2", "pool2", "conv3_1", "conv3_2", "conv3_3", "pool3",
             "conv4_1", "conv4_2", "conv4_3", "pool4", "conv5_1", "conv5_2", "conv5_3", "pool5"],
            Backbones.Taps(model));
        Assert.Equal(16 + 5, Backbones.Taps(Backbones.Create(BackboneKind.Vgg19)).Count);
        Assert.Equal(Backbones.Taps(model), Backbones.Taps(Backbones.Create(BackboneKind.Vgg16Bn)));
    }

    [Fact]
    public void Features_have_the_shapes_of_each_stage_and_pool5_equals_the_features_module()
    {
        using var model = Backbones.Create(BackboneKind.Vgg16);
        using var input = rand(1, 3, 64, 96);
        var features = Backbones.Features(model, input, "conv1_2", "conv5_3", "pool5");
        Assert.Equal([1L, 64, 64, 96], features["conv1_2"].shape);
        Assert.Equal([1L, 512, 4, 6], features["conv5_3"].shape);   // four poolings: 64/16, 96/16
        var whole = ((nn.Module<Tensor, Tensor>)model.named_children().First(c => c.name == "features").module).call(input);
        Assert.True(whole.allclose(features["pool5"]));
        Assert.True(features["conv1_2"].min().item<float>() >= 0); // taken after the ReLU
    }

    [Fact]
    public void ResNet50_stages_halve_the_resolution_and_widen_the_channels()
    {
        using var model = Backbones.Create(BackboneKind.ResNet50);
        var features = Backbones.Features(model, rand(1, 3, 64, 64), "stem", "layer1", "layer4");
        Assert.Equal([1L, 64, 16, 16], features["stem"].shape);
        Assert.Equal([1L, 256, 16, 16], features["layer1"].shape);
        Assert.Equal([1L, 2048, 2, 2], features["layer4"].shape);
    }

    [Fact]
    public void Unknown_names_are_errors_listing_the_valid_ones()
    {
        Assert.Contains("vgg16, vgg16_bn, vgg19, resnet50", Assert.Throws<ArgumentException>(() => Backbones.Parse("alexnet")).Message);
        Assert.Equal(BackboneKind.Vgg16Bn, Backbones.Parse("VGG16-BN"));
        using var model = Backbones.Create(BackboneKind.ResNet50);
        var error = Assert.Throws<ArgumentException>(() => Backbones.Features(model, rand(1, 3, 32, 32), "conv5_3"));
        Assert.Contains("stem, layer1, layer2, layer3, layer4", error.Message);
    }
}
