using NotebookHelpers.Models;
using NotebookHelpers.Papers.SalGan;
using NotebookHelpers.Tests.Models;
using NotebookHelpers.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.SalGan;

public class SalGanTests
{
    static long Count(nn.Module module) => module.parameters().Sum(p => p.numel());

    [Fact]
    public void The_generator_maps_a_256x192_image_to_a_map_of_the_same_size_in_0_1()
    {
        using var generator = new SalGanGenerator(new SalGanConfig());
        using var image = randn(2, 3, 192, 256);
        using var map = generator.call(image);
        Assert.Equal([2L, 1, 192, 256], map.shape);
        Assert.True(map.min().item<float>() > 0 && map.max().item<float>() < 1);
    }

    [Fact]
    public void Parameter_counts_are_those_of_the_paper_layout()
    {
        // Encoder, VGG16's 13 convolutions: 14,714,688. Decoder, mirrored: conv5 and conv4 3 × (512·512·9 + 512) each
        // = 14,158,848; conv3_3 512→256: 1,179,904; conv3_2, conv3_1: 2 × 590,080; conv2_2 256→128: 295,040;
        // conv2_1: 147,584; conv1_2 128→64: 73,792; conv1_1: 36,928; output 1×1 64→1: 65. Total 31,787,009.
        using var generator = new SalGanGenerator(new SalGanConfig());
        Assert.Equal(31_787_009, Count(generator));
        Assert.Equal(14_714_688, Count(generator.Encoder));
        // Discriminator at 256×192: conv1_1 4→3 1×1: 15; conv1_2 3→32: 896; conv2_1 32→64: 18,496; conv2_2, conv3_1,
        // conv3_2 64→64: 3 × 36,928; fc4 64·24·32 = 49,152 → 100: 4,915,300; fc5: 202; fc6: 3. Total 5,045,696.
        using var discriminator = new SalGanDiscriminator(new SalGanConfig());
        Assert.Equal(5_045_696, Count(discriminator));
    }

    [Fact]
    public void The_discriminator_gives_one_probability_per_image_and_map_pair()
    {
        using var discriminator = new SalGanDiscriminator(new SalGanConfig());
        using var score = discriminator.call(randn(3, 3, 192, 256), rand(3, 1, 192, 256));
        Assert.Equal([3L, 1], score.shape);
        Assert.True(score.min().item<float>() > 0 && score.max().item<float>() < 1);
    }

    [Fact]
    public void Torchvision_vgg16_weights_load_into_the_encoder_by_their_own_names()
    {
        using var folder = new TempFolder();
        manual_seed(2);
        using var vgg16 = Backbones.Create(BackboneKind.Vgg16);
        var path = folder.File("vgg16.safetensors");
        Safetensors.SaveStateDict(path, vgg16.state_dict());
        using var generator = new SalGanGenerator(new SalGanConfig());

        var report = PretrainedWeights.Load(generator.Encoder, path, BackboneKind.Vgg16, allowUnused: true, filePrefix: "features.");

        Assert.True(report.Fits);
        Assert.True(generator.state_dict()["features.28.weight"].equal(vgg16.state_dict()["features.28.weight"]).all().item<bool>());
        Assert.Equal(26, generator.state_dict().Keys.Count(k => k.StartsWith("features.")));
    }
}
