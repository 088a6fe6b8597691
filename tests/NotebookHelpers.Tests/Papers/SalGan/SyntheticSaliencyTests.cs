using NotebookHelpers.Data;
using NotebookHelpers.Metrics;
using NotebookHelpers.Papers.SalGan;
using NotebookHelpers.Tests.Data;
using NotebookHelpers.Tests.Imaging;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace NotebookHelpers.Tests.Papers.SalGan;

public sealed class SyntheticSaliencyTests(ITestOutputHelper output)
{
    [Fact]
    public void Maps_have_the_documented_shapes_types_and_ranges()
    {
        var data = SyntheticSaliency.Generate(3, 24, 32, seed: 1);

        foreach (var (map, channels) in new[] { (data.Images, 3L), (data.Saliency, 1L), (data.Fixations, 1L), (data.Density, 1L) })
        {
            Assert.Equal([3L, channels, 24, 32], map.shape);
            Assert.Equal(ScalarType.Float32, map.dtype);
            Assert.True(map.min().item<float>() >= 0 && map.max().item<float>() <= 1);
        }
        Assert.True(Tensors.Identical(data.Images, data.Images.mul(255).round().div(255)), "pixels are multiples of 1/255");
        Assert.Equal([1f, 1, 1], data.Saliency.amax([1, 2, 3]).data<float>().ToArray());
        Assert.Equal([1f, 1, 1], data.Density.amax([1, 2, 3]).data<float>().ToArray());
        Assert.True(data.Saliency.min().item<float>() > 0, "the uniform floor leaves no pixel at zero");
        Assert.True(data.Fixations.eq(0).logical_or(data.Fixations.eq(1)).all().item<bool>(), "fixations are 0 or 1");
        Assert.Equal(3, data.Objects.Count);
        Assert.All(data.Objects, objects => Assert.InRange(objects.Count, 1, 3));
    }

    [Fact]
    public void Same_seed_gives_the_same_data_and_another_seed_other_data()
    {
        var first = SyntheticSaliency.Generate(4, 32, 40, seed: 7);
        var again = SyntheticSaliency.Generate(4, 32, 40, seed: 7);
        var other = SyntheticSaliency.Generate(4, 32, 40, seed: 8);

        Assert.True(Tensors.Identical(first.Images, again.Images));
        Assert.True(Tensors.Identical(first.Saliency, again.Saliency));
        Assert.True(Tensors.Identical(first.Fixations, again.Fixations));
        Assert.True(Tensors.Identical(first.Density, again.Density));
        Assert.Equal(first.Objects.SelectMany(o => o), again.Objects.SelectMany(o => o));
        Assert.False(Tensors.Identical(first.Images, other.Images));
        Assert.False(Tensors.Identical(first.Fixations, other.Fixations));
    }

    [Fact]
    public void Every_image_has_exactly_the_requested_number_of_distinct_fixations()
    {
        var options = new SyntheticSaliencyOptions { FixationsPerImage = 15 };
        var data = SyntheticSaliency.Generate(5, 24, 32, seed: 2, options);

        Assert.Equal(Enumerable.Repeat(15f, 5), data.Fixations.sum([1, 2, 3]).data<float>().ToArray());
        for (var n = 0; n < 5; n++)
        {
            Assert.Equal(15, data.FixationPoints[n].Distinct().Count());
            Assert.All(data.FixationPoints[n], p => Assert.Equal(1f, data.Fixations[n, 0, p.Y, p.X].item<float>()));
        }
    }

    [Fact]
    public void Fixations_concentrate_on_the_pop_out_objects()
    {
        // An object's fixations follow a Gaussian of σ = half its radii, so 98.9% of them fall within 1.5 radii
        // (3σ); 90% of all fixations follow the objects (UniformShare = 0.1). Expected share ≈ 0.9, on ~15% of the area.
        const int height = 96, width = 128;
        var data = SyntheticSaliency.Generate(32, height, width, seed: 3);

        var (onObjects, total, objectArea) = (0, 0, 0.0);
        for (var n = 0; n < 32; n++)
        {
            var objects = data.Objects[n];
            bool Near(double y, double x) => objects.Any(o =>
                Math.Pow((x - o.X) / (1.5 * o.RadiusX), 2) + Math.Pow((y - o.Y) / (1.5 * o.RadiusY), 2) <= 1);
            onObjects += data.FixationPoints[n].Count(p => Near(p.Y, p.X));
            total += data.FixationPoints[n].Count;
            objectArea += Enumerable.Range(0, height * width).Count(i => Near(i / width, i % width)) / (double)(height * width);
        }
        var share = onObjects / (double)total;
        var area = objectArea / 32;
        output.WriteLine($"{share:P1} of fixations near objects covering {area:P1} of the image");

        Assert.True(share >= 0.8, $"only {share:P1} of fixations fall near the objects");
        Assert.True(area <= 0.3, $"the objects' surroundings cover {area:P1} of the image");
    }

    [Fact]
    public void Objects_are_placed_all_over_the_image_not_only_in_the_centre()
    {
        var data = SyntheticSaliency.Generate(64, 96, 128, seed: 4);
        var centres = data.Objects.SelectMany(o => o).Select(o => (X: o.X / 128, Y: o.Y / 96)).ToList();

        var quadrants = centres.GroupBy(c => (c.X < 0.5, c.Y < 0.5)).Select(g => g.Count() / (double)centres.Count).ToList();
        var outer = centres.Count(c => Math.Abs(c.X - 0.5) > 0.25 || Math.Abs(c.Y - 0.5) > 0.25) / (double)centres.Count;

        Assert.Equal(4, quadrants.Count);
        Assert.All(quadrants, share => Assert.InRange(share, 0.15, 0.35));
        Assert.True(outer >= 0.4, $"only {outer:P0} of objects lie outside the central half of the image");
    }

    [Fact]
    public void Density_is_the_fixation_map_blurred_by_a_Gaussian_of_the_documented_sigma()
    {
        // σ = width / 32 = 2 px. A truncated kernel of radius 4σ loses under e^-8 ≈ 3e-4 of the peak.
        const int height = 40, width = 64;
        var data = SyntheticSaliency.Generate(3, height, width, seed: 5);
        var sigma = width / 32.0;
        var radius = (int)Math.Ceiling(4 * sigma);
        var offsets = torch.arange(-radius, radius + 1, dtype: ScalarType.Float64);
        var profile = offsets.square().div(-2 * sigma * sigma).exp();
        var kernel = profile.unsqueeze(1).mul(profile.unsqueeze(0)).view(1, 1, 2 * radius + 1, 2 * radius + 1);

        var blurred = F.conv2d(data.Fixations.to(ScalarType.Float64), kernel, padding: [radius, radius]);
        var expected = blurred.div(blurred.amax([1, 2, 3], keepdim: true));

        var difference = expected.sub(data.Density.to(ScalarType.Float64)).abs().max().item<double>();
        Assert.True(difference < 1e-3, $"density differs from the blurred fixations by {difference}");
    }

    [Fact]
    public void Ground_truth_saliency_clearly_beats_centre_bias_and_a_random_map_scores_chance()
    {
        const int count = 32, height = 192, width = 256;
        var data = SyntheticSaliency.Generate(count, height, width, seed: 11);
        var centre = SaliencyMetrics.CenterBias(height, width).unsqueeze(0).expand(count, height, width);
        using var generator = new Generator(42, torch.CPU);
        var random = torch.rand([count, height, width], generator: generator);

        var truth = Scores(data.Saliency, data);
        var centreBias = Scores(centre, data);
        var chance = Scores(random, data);
        output.WriteLine($"ground truth: {truth}");
        output.WriteLine($"centre bias:  {centreBias}");
        output.WriteLine($"random:       {chance}");

        Assert.True(truth.Nss >= centreBias.Nss + 1.0, $"NSS {truth.Nss:F2} vs centre bias {centreBias.Nss:F2}");
        Assert.True(truth.Cc >= centreBias.Cc + 0.3, $"CC {truth.Cc:F2} vs centre bias {centreBias.Cc:F2}");
        Assert.True(truth.AucJudd >= centreBias.AucJudd + 0.1, $"AUC-Judd {truth.AucJudd:F3} vs centre bias {centreBias.AucJudd:F3}");
        Assert.InRange(chance.Nss, -0.3, 0.3);
        Assert.InRange(chance.AucJudd, 0.45, 0.55);
    }

    [Fact]
    public void Options_out_of_range_are_rejected_with_the_option_named()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            SyntheticSaliency.Generate(1, 16, 16, seed: 0, new SyntheticSaliencyOptions { MinObjects = 3, MaxObjects = 2 }));
        Assert.Contains("MinObjects", error.Message);
        Assert.Throws<ArgumentException>(() =>
            SyntheticSaliency.Generate(1, 16, 16, seed: 0, new SyntheticSaliencyOptions { FixationsPerImage = 100 }));
        Assert.Throws<ArgumentException>(() =>
            SyntheticSaliency.Generate(1, 16, 16, seed: 0, new SyntheticSaliencyOptions { UniformShare = 1 }));
    }

    private sealed record MeanScores(double Nss, double Cc, double AucJudd)
    {
        public override string ToString() => $"NSS {Nss:F3}, CC {Cc:F3}, AUC-Judd {AucJudd:F3}";
    }

    private static MeanScores Scores(Tensor prediction, SyntheticSaliency data) => new(
        SaliencyMetrics.Mean(SaliencyMetrics.Nss(prediction, data.Fixations)),
        SaliencyMetrics.Mean(SaliencyMetrics.Cc(prediction, data.Density)),
        SaliencyMetrics.Mean(SaliencyMetrics.AucJudd(prediction, data.Fixations)));
}
