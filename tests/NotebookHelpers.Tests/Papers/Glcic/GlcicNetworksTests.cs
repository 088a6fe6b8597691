using NotebookHelpers.Papers.Glcic;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.Glcic;

[Collection(nameof(GlobalRandomState))]
public class GlcicNetworksTests
{
    static readonly GlcicNetworkConfig Narrow = new() { Width = 4 };

    [Theory]
    [InlineData(64, 64)]
    [InlineData(64, 96)]
    public void The_completion_network_gives_three_colours_at_the_inputs_size(int height, int width)
    {
        manual_seed(1);
        using var network = new CompletionNetwork(Narrow);
        using var input = randn(2, 4, height, width);
        using var output = network.call(input);
        Assert.Equal([2L, 3, height, width], output.shape);
    }

    [Fact]
    public void Both_output_squashings_give_colours_in_0_1_and_tanh_is_the_sigmoid_of_twice_the_logit()
    {
        // The same weights under both outputs: (1 + tanh r)/2 = σ(2r), so the tanh output is σ(2·logit(sigmoid output)).
        manual_seed(2);
        using var sigmoid = new CompletionNetwork(Narrow);
        manual_seed(2);
        using var tanh = new CompletionNetwork(Narrow with { Output = GlcicOutput.Tanh });
        sigmoid.eval();
        tanh.eval();
        using var noGrad = no_grad();
        using var input = randn(2, 4, 32, 32) * 3;
        using var s = sigmoid.call(input).to(ScalarType.Float64);
        using var t = tanh.call(input).to(ScalarType.Float64);
        foreach (var output in new[] { s, t })
        {
            Assert.True(output.min().item<double>() >= 0 && output.max().item<double>() <= 1, $"outside [0,1]: {output.min().item<double>()} … {output.max().item<double>()}");
            Assert.True(output.std().item<double>() > 1e-3, "a constant output tells nothing about the range");
        }
        using var expected = (2 * s.logit()).sigmoid();
        Assert.True(t.allclose(expected, rtol: 0, atol: 1e-4), $"largest difference {(t - expected).abs().max().item<double>()}");
    }

    [Fact]
    public void A_size_not_divisible_by_4_or_an_input_without_the_mask_is_refused_clearly()
    {
        using var network = new CompletionNetwork(Narrow);
        var size = Assert.Throws<ArgumentException>(() => network.call(zeros(1, 4, 62, 64)));
        Assert.Contains("divisible by 4", size.Message);
        Assert.Contains("62×64", size.Message);
        var channels = Assert.Throws<ArgumentException>(() => network.call(zeros(1, 3, 64, 64)));
        Assert.Contains("(N,4,H,W)", channels.Message);
        Assert.Contains("(1,3,64,64)", channels.Message);
    }

    [Fact]
    public void Table_1_has_17_layers_with_the_four_dilated_convolutions_in_rows_7_to_10()
    {
        var table = CompletionNetwork.Table1;
        Assert.Equal(17, table.Count);
        Assert.Equal([1, 1, 1, 1, 1, 1, 2, 4, 8, 16, 1, 1, 1, 1, 1, 1, 1], table.Select(r => r.Dilation));
        Assert.Equal([1, 2, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 2, 1, 1], table.Select(r => r.Stride));
        Assert.Equal([13, 15], table.Select((r, i) => (r, i + 1)).Where(p => p.r.Deconvolution).Select(p => p.Item2));
        Assert.Equal([64, 128, 128, 256, 256, 256, 256, 256, 256, 256, 256, 256, 128, 128, 64, 32, 3], table.Select(r => r.Channels));
    }

    [Fact]
    public void The_receptive_field_from_the_table_is_303_dilated_and_95_without()
    {
        Assert.Equal(303, CompletionNetwork.ReceptiveField());
        Assert.Equal(95, CompletionNetwork.ReceptiveField(dilated: false));
    }

    [Theory]
    [InlineData(true, 303)]
    [InlineData(false, 95)]
    public void The_support_traced_through_the_table_is_the_one_the_gradient_measures(bool dilated, int side)
    {
        // The gradient of the centre output pixel (194, 194) of a 388×388 input: every input pixel it reaches is
        // non-zero, and they are exactly the square the table traces, in both axes.
        const int size = 388;
        var (low, high) = CompletionNetwork.Support(size / 2, dilated);
        Assert.Equal(side, high - low + 1);
        Assert.True(low > 0 && high < size - 1, $"support [{low}, {high}] touches the border of the probe");

        // LeakyReLU: with ReLU a narrow untrained network can zero the centre pixel's every path (seed 3 does, at
        // width 4, whose last hidden layer has 2 channels), and the measured support would say nothing of the layers.
        manual_seed(3);
        using var network = new CompletionNetwork(Narrow with { Activation = GlcicActivation.LeakyRelu }, dilated);
        using var sensitivity = GlcicFigures.Sensitivity(network, size);
        Assert.Equal(side, GlcicFigures.SupportSide(sensitivity));
        using var reached = sensitivity > 0;
        foreach (int axis in new[] { 0, 1 })
        {
            using var lines = reached.any(1 - axis).nonzero();
            Assert.Equal(low, lines[0, 0].item<long>());
            Assert.Equal(high, lines[-1, 0].item<long>());
        }
    }

    [Fact]
    public void The_paper_width_network_has_the_parameters_of_Table_1()
    {
        // (kernel, input channels, output channels, batch norm after it): Table 1 read at width 64, the input being
        // the image and its mask (4 channels). Each convolution has k²·in·out weights and out biases; each batch
        // normalisation a weight and a bias per channel (its running statistics are buffers, not parameters).
        (int K, int In, int Out, bool Norm)[] layers =
        [
            (5, 4, 64, true),
            (3, 64, 128, true),
            (3, 128, 128, true),
            (3, 128, 256, true),
            (3, 256, 256, true), (3, 256, 256, true),
            (3, 256, 256, true), (3, 256, 256, true), (3, 256, 256, true), (3, 256, 256, true), // dilated 2, 4, 8, 16
            (3, 256, 256, true), (3, 256, 256, true),
            (4, 256, 128, true), // deconvolution
            (3, 128, 128, true),
            (4, 128, 64, true), // deconvolution
            (3, 64, 32, true),
            (3, 32, 3, false), // the output layer
        ];
        long expected = layers.Sum(l => (long)l.K * l.K * l.In * l.Out + l.Out + (l.Norm ? 2 * l.Out : 0));
        Assert.Equal(6_072_131, expected); // the sum worked out by hand, to catch a slip in the list above

        using var network = new CompletionNetwork(new GlcicNetworkConfig());
        Assert.Equal(expected, network.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void The_context_discriminator_gives_one_logit_per_image_and_both_branches_get_gradients()
    {
        manual_seed(4);
        using var discriminator = new ContextDiscriminator(Narrow, imageSize: 64, localSize: 32);
        using var images = rand(3, 3, 64, 64);
        using var patches = rand(3, 3, 32, 32);
        using var logits = discriminator.call(images, patches);
        Assert.Equal([3L], logits.shape);

        logits.sum().backward();
        var named = discriminator.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var branch in new[] { "global", "local" })
        {
            var weights = named.Where(p => p.Key.StartsWith(branch + ".") && p.Value.dim() > 1).ToArray();
            Assert.Equal(branch == "global" ? 7 : 6, weights.Length); // its convolutions and its fully connected layer
            Assert.All(weights, p => Assert.True(p.Value.grad is { } g && g.abs().sum().item<float>() > 0, $"{p.Key} has no gradient"));
        }
    }

    [Fact]
    public void A_discriminator_branch_needs_a_side_divisible_by_two_to_the_number_of_convolutions()
    {
        var error = Assert.Throws<ArgumentException>(() => new DiscriminatorBranch("local", Narrow, ContextDiscriminator.LocalChannels, 48));
        Assert.Contains("divisible by 32", error.Message);
        Assert.Contains("48", error.Message);
        Assert.Throws<ArgumentException>(() => new DiscriminatorBranch("local", Narrow, ContextDiscriminator.LocalChannels, 16));
        Assert.Throws<ArgumentException>(() => new ContextDiscriminator(Narrow, imageSize: 96, localSize: 48));

        using var branch = new DiscriminatorBranch("local", Narrow, ContextDiscriminator.LocalChannels, 32);
        Assert.Equal(32, branch.InputSize);
        Assert.Throws<ArgumentException>(() => branch.call(zeros(2, 3, 64, 64)));
    }

    [Fact]
    public void LeakyReLU_lets_negative_values_through_with_slope_0_2_where_ReLU_zeroes_them()
    {
        manual_seed(5);
        using var relu = new DiscriminatorBranch("local", Narrow, ContextDiscriminator.LocalChannels, 32);
        manual_seed(5);
        using var leaky = new DiscriminatorBranch("local", Narrow with { Activation = GlcicActivation.LeakyRelu }, ContextDiscriminator.LocalChannels, 32);
        Assert.Equal(6, relu.modules().OfType<TorchSharp.Modules.ReLU>().Count()); // after 5 convolutions and the fc layer
        Assert.Empty(relu.modules().OfType<TorchSharp.Modules.LeakyReLU>());
        Assert.Equal(6, leaky.modules().OfType<TorchSharp.Modules.LeakyReLU>().Count());

        using var noGrad = no_grad();
        using var slope = leaky.modules().OfType<TorchSharp.Modules.LeakyReLU>().First().call(tensor(new[] { -1f, 0f, 2f }));
        Assert.Equal(new[] { -0.2f, 0f, 2f }, slope.data<float>().ToArray());

        using var images = rand(4, 3, 32, 32);
        using var a = relu.call(images);
        using var b = leaky.call(images);
        Assert.Equal(0f, a.min().item<float>()); // ReLU: negative pre-activations become exactly 0
        Assert.True(b.min().item<float>() < 0, "LeakyReLU keeps a negative part");
        Assert.False(a.allclose(b));
    }
}
