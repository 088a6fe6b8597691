using NotebookHelpers.Papers.SegNet;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NotebookHelpers.Tests.Papers.SegNet;

[Collection(nameof(GlobalRandomState))]
public class PoolingIndicesTests
{
    [Fact]
    public void Unpooling_the_pooled_map_keeps_every_maximum_at_its_place_and_zeros_the_rest()
    {
        // One 4×4 plane; the maxima of the four 2×2 windows are 9 (row 0, col 1), 8 (1, 3), 7 (2, 0) and 6 (3, 3).
        var x = tensor(new float[]
        {
            1, 9, 2, 3,
            4, 0, 5, 8,
            7, 1, 2, 2,
            3, 2, 1, 6,
        }, [1, 1, 4, 4]);
        var (values, indices) = PoolingIndices.Pool(x);
        Assert.Equal(new float[] { 9, 8, 7, 6 }, values.flatten().data<float>().ToArray());
        Assert.Equal(new long[] { 1, 7, 8, 15 }, indices.flatten().data<long>().ToArray()); // row × 4 + column
        var restored = PoolingIndices.Unpool(values, indices, 4, 4);
        Assert.Equal(new float[]
        {
            0, 9, 0, 0,
            0, 0, 0, 8,
            7, 0, 0, 0,
            0, 0, 0, 6,
        }, restored.flatten().data<float>().ToArray());
    }

    [Fact]
    public void The_round_trip_holds_for_random_maps_and_an_odd_size_comes_back_exactly()
    {
        manual_seed(1);
        var x = randn(2, 3, 7, 9);
        var (values, indices) = PoolingIndices.Pool(x);
        Assert.Equal([2L, 3, 3, 4], values.shape);
        var restored = PoolingIndices.Unpool(values, indices, 7, 9);
        Assert.Equal(x.shape, restored.shape);
        // Every non-zero of the restored map is the input's value there, and they are exactly the pooled maxima.
        var nonzero = restored != 0;
        Assert.True(restored.masked_select(nonzero).eq(x.masked_select(nonzero)).all().item<bool>());
        Assert.Equal(values.numel(), nonzero.sum().item<long>());
    }

    [Fact]
    public void Gradients_flow_through_unpooling_to_the_maxima_only()
    {
        var x = tensor(new float[] { 1, 9, 4, 0 }, [1, 1, 2, 2]).requires_grad_();
        var (values, indices) = PoolingIndices.Pool(x);
        var restored = PoolingIndices.Unpool(values * 2, indices, 2, 2);
        restored.sum().backward();
        Assert.Equal(new float[] { 0, 2, 0, 0 }, x.grad!.flatten().data<float>().ToArray());
    }

    [Fact]
    public void Mismatched_values_and_indices_are_refused()
    {
        var (values, indices) = PoolingIndices.Pool(randn(1, 1, 4, 4));
        Assert.Throws<ArgumentException>(() => PoolingIndices.Unpool(values, indices[.., .., 0..1], 4, 4));
        Assert.Throws<ArgumentException>(() => PoolingIndices.Pool(randn(4, 4)));
    }
}

[Collection(nameof(GlobalRandomState))]
public class SegNetNetworksTests
{
    [Fact]
    public void The_article_networks_give_a_score_per_class_and_pixel_and_differ_only_in_decoding_and_dropout()
    {
        manual_seed(2);
        var small = new ArticleNetConfig { BaseWidth = 4 };
        using var segnet = new ArticleEncoderDecoder(small);
        using var baseline = new ArticleEncoderDecoder(small with { Decoding = Decoding.Upsampling, BottleneckDropout = 0 });
        var image = randn(2, 3, 64, 64);
        Assert.Equal([2L, 22, 64, 64], segnet.call(image).shape);
        Assert.Equal([2L, 22, 64, 64], baseline.call(image).shape);
        // Same layers, same parameter count: the comparison isolates the upsampling.
        Assert.Equal(segnet.parameters().Sum(p => p.numel()), baseline.parameters().Sum(p => p.numel()));
        Assert.Equal((32, 64, 128, 256, 256), (ArticleNetConfig.SegNet.BlockWidth(0), ArticleNetConfig.SegNet.BlockWidth(1),
            ArticleNetConfig.SegNet.BlockWidth(2), ArticleNetConfig.SegNet.BlockWidth(3), ArticleNetConfig.SegNet.BlockWidth(4)));
        Assert.Equal((0.5, 0.0), (ArticleNetConfig.SegNet.BottleneckDropout, ArticleNetConfig.Baseline.BottleneckDropout));
    }

    [Fact]
    public void The_loss_reaches_every_parameter_of_each_network()
    {
        manual_seed(3);
        var config = new ArticleNetConfig { BaseWidth = 4, Height = 32, Width = 32, Classes = 3 };
        Module<Tensor, Tensor>[] networks =
        [
            new ArticleEncoderDecoder(config), new ArticleEncoderDecoder(config with { Decoding = Decoding.Upsampling }),
            new SegNetBasic(new SegNetBasicConfig { Width = 4, Classes = 3 }), new FcnBasic(new SegNetBasicConfig { Width = 4, Classes = 3 }),
            new SegNetVgg16(classes: 3, widthScale: 0.0625),
        ];
        var (image, labels) = (randn(2, 3, 32, 32), randint(0, 3, [2, 32, 32]));
        foreach (var network in networks)
        {
            SegNetLoss.CrossEntropy(network.call(image), labels).backward();
            // Every parameter takes part; every weight gets a gradient. (A convolution's bias just before a batch norm
            // gets none that is not rounding: the norm subtracts it again.)
            Assert.All(network.parameters(), p => Assert.NotNull(p.grad));
            Assert.All(network.parameters().Where(p => p.dim() > 1), p => Assert.True(p.grad!.abs().sum().item<float>() > 0, $"{network.GetName()}: a weight without gradient"));
            network.Dispose();
        }
    }

    [Fact]
    public void SegNet_Basic_and_FCN_Basic_have_the_papers_shape_and_come_back_to_an_odd_input_size()
    {
        manual_seed(4);
        var config = new SegNetBasicConfig { Width = 8 };
        using var segnet = new SegNetBasic(config);
        using var fcn = new FcnBasic(config);
        // 45×60 (CamVid's 360×480 at 1/8) halves to 22×30, 11×15, 5×7, 2×3: the decoders must return 45×60.
        var image = randn(1, 3, 45, 60);
        Assert.Equal([1L, 11, 45, 60], segnet.call(image).shape);
        Assert.Equal([1L, 11, 45, 60], fcn.call(image).shape);
        // At the paper's width: 4 encoders and 4 decoders of 64 channels with 7×7 kernels.
        using var paper = new SegNetBasic(new SegNetBasicConfig());
        var convs = paper.modules().OfType<TorchSharp.Modules.Conv2d>().ToArray();
        Assert.Equal(9, convs.Length); // 4 + 4 and the 1×1 classifier
        var sevens = convs.Where(c => c.weight!.shape[^1] == 7).ToArray();
        Assert.Equal(8, sevens.Length);
        Assert.All(sevens, c => Assert.Equal(64L, c.weight!.shape[0]));
        Assert.Equal([11L, 64, 1, 1], convs.Single(c => c.weight!.shape[^1] == 1).weight!.shape);
        Assert.Empty(paper.modules().OfType<TorchSharp.Modules.ReLU>().Skip(4)); // ReLU in the encoder only
    }

    [Fact]
    public void FCN_Basic_starts_with_bilinear_deconvolutions()
    {
        using var fcn = new FcnBasic(new SegNetBasicConfig { Width = 4, Classes = 2 });
        var deconv = fcn.modules().OfType<TorchSharp.Modules.ConvTranspose2d>().First();
        // FCN's 4×4 bilinear kernel: the outer product of (1, 3, 3, 1) / 4 with itself; no cross-channel weight.
        var expected = tensor(new float[] { 0.25f, 0.75f, 0.75f, 0.25f });
        Assert.True(deconv.weight![0, 0].allclose(expected.outer(expected)));
        Assert.Equal(0f, deconv.weight[0, 1].abs().sum().item<float>());
        // On a constant map it interpolates the constant (inside the border).
        using var noGrad = no_grad();
        var up = deconv.call(ones(1, 2, 4, 4));
        Assert.True(up[.., .., 1..7, 1..7].allclose(ones(1, 2, 6, 6)));
    }

    [Fact]
    public void The_full_SegNet_has_torchvisions_VGG16_BN_encoder_keys_and_a_mirrored_decoder()
    {
        manual_seed(5);
        using var segnet = new SegNetVgg16(classes: 11, widthScale: 0.0625);
        var keys = segnet.state_dict().Keys.ToHashSet();
        // torchvision vgg16_bn: features.0 conv1_1, .1 its batch norm, .40 conv5_3, .41 its batch norm.
        Assert.Contains("features.0.weight", keys);
        Assert.Contains("features.1.running_mean", keys);
        Assert.Contains("features.40.weight", keys);
        Assert.Contains("features.41.running_var", keys);
        Assert.Equal(26, segnet.modules().OfType<TorchSharp.Modules.Conv2d>().Count()); // 13 + 13
        Assert.Equal([2L, 11, 64, 96], segnet.call(randn(2, 3, 64, 96)).shape);
    }

    [Fact]
    public void The_full_SegNets_encoder_has_every_key_and_shape_of_torchvisions_vgg16_bn_features()
    {
        // So vgg16_bn-6c64b313.pth loads as it is (TryLoadImageNetEncoder reads its features.* entries).
        using var vgg = NotebookHelpers.Models.Backbones.Create(NotebookHelpers.Models.BackboneKind.Vgg16Bn);
        using var segnet = new SegNetVgg16(classes: 11);
        var expected = vgg.state_dict().Where(kv => kv.Key.StartsWith("features.")).ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        var actual = segnet.state_dict().Where(kv => kv.Key.StartsWith("features.")).ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        Assert.All(expected, kv => Assert.Equal(kv.Value, actual[kv.Key]));
    }

    [Fact]
    public void Sizes_that_cannot_pass_the_poolings_are_refused_with_the_needed_multiple()
    {
        var e = Assert.Throws<ArgumentException>(() => new ArticleEncoderDecoder(new ArticleNetConfig { Height = 48, Width = 64 }));
        Assert.Contains("multiples of 32", e.Message);
    }
}
