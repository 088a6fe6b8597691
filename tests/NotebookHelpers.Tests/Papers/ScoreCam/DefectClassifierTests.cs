using NotebookHelpers.Cam;
using NotebookHelpers.Models;
using NotebookHelpers.Papers.ScoreCam;
using NotebookHelpers.Tests.Imaging;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.ScoreCam;

[Collection(nameof(GlobalRandomState))]
public class DefectClassifierTests
{
    [Fact]
    public void Two_logits_per_image_and_layer2_a_hookable_path_of_512_channels_at_an_eighth_of_the_input()
    {
        manual_seed(0);
        using var classifier = new DefectClassifier();
        classifier.eval();
        Tensor? activations = null;
        var layer = (nn.Module<Tensor, Tensor>)classifier.named_modules().Single(m => m.name == DefectClassifier.TargetLayer).module;
        var hook = layer.register_forward_hook((_, _, output) =>
        {
            activations = output.detach().clone();
            return output;
        });
        using var noGrad = no_grad();
        using var logits = classifier.call(randn(2, 3, 32, 32));
        hook.remove();
        Assert.Equal([2L, 2], logits.shape);
        Assert.NotNull(activations);
        Assert.Equal([2L, 512, 4, 4], activations.shape);
        Assert.Equal(512, classifier.Features);
        Assert.True(activations.min().item<float>() >= 0, "the article's ReLU after conv3_block4_add");
    }

    [Fact]
    public void Its_stem_and_stages_have_torchvisions_ResNet50_keys_and_shapes()
    {
        using var classifier = new DefectClassifier();
        using var resnet = torchvision.models.resnet50();
        var ours = classifier.state_dict();
        var theirs = resnet.state_dict();
        var kept = theirs.Keys.Where(k => k.Split('.')[0] is "conv1" or "bn1" or "layer1" or "layer2").ToList();
        Assert.Equal(kept.Order(StringComparer.Ordinal), ours.Keys.Where(k => !k.StartsWith("fc.", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.All(kept, key => Assert.Equal(theirs[key].shape, ours[key].shape));
        Assert.Equal([2L, 512], ours["fc.weight"].shape);
    }

    [Fact]
    public void ImageNet_weights_fill_the_stem_and_stages_and_leave_fc_as_it_was()
    {
        using var folder = new TempFolder();
        manual_seed(1);
        using var source = new DefectClassifier();
        var path = folder.File("resnet50-stages.safetensors");
        // A checkpoint as torchvision's holds them, less the stages and classifier the article cuts off.
        Safetensors.SaveStateDict(path, source.state_dict().Where(kv => !kv.Key.StartsWith("fc.", StringComparison.Ordinal)).ToDictionary());
        manual_seed(2);
        using var classifier = new DefectClassifier();
        using var fcBefore = classifier.state_dict()["fc.weight"].clone();
        var report = classifier.LoadImageNet(path);
        Assert.True(report.Fits);
        var (loaded, original) = (classifier.state_dict(), source.state_dict());
        Assert.True(Tensors.Identical(loaded["layer2.3.conv3.weight"], original["layer2.3.conv3.weight"]));
        Assert.True(Tensors.Identical(loaded["bn1.running_var"], original["bn1.running_var"]));
        Assert.True(Tensors.Identical(loaded["fc.weight"], fcBefore));

        using var narrow = new DefectClassifier(0.25);
        Assert.Throws<WeightsLoadException>(() => narrow.LoadImageNet(path));
        var said = new StringWriter();
        Assert.False(narrow.TryLoadImageNet(said));
        Assert.Contains("0.25 of ResNet-50's width", said.ToString());
    }

    [Fact]
    public void Score_CAM_explains_layer2_with_a_map_per_image()
    {
        manual_seed(3);
        using var classifier = new DefectClassifier(0.25);
        classifier.eval();
        using var images = rand(2, 3, 32, 32);
        var maps = new NotebookHelpers.Cam.ScoreCam(classifier, DefectClassifier.TargetLayer, batchSize: 16).Maps(images, CamTarget.Class(1));
        Assert.Equal([2L, 32, 32], maps.shape);
    }
}
