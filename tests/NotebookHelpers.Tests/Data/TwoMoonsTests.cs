using NotebookHelpers.Data;

namespace NotebookHelpers.Tests.Data;

public class TwoMoonsTests
{
    [Fact]
    public void Without_noise_every_point_lies_on_its_moon()
    {
        var (points, labels) = TwoMoons.Generate(200, noise: 0, seed: 3);
        Assert.Equal([200L, 2], points.shape);
        Assert.Equal(100, labels.sum().item<long>());
        var x = points[.., 0];
        var y = points[.., 1];
        // Upper moon: x^2 + y^2 = 1; lower moon: (x-1)^2 + (y-0.5)^2 = 1.
        var upperRadius = (x.square() + y.square()).sqrt()[labels == 0];
        var lowerRadius = ((x - 1).square() + (y - 0.5).square()).sqrt()[labels == 1];
        Assert.True((upperRadius - 1).abs().max().item<float>() < 1e-5f);
        Assert.True((lowerRadius - 1).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void The_same_seed_gives_the_same_points_and_another_seed_other_points()
    {
        var a = TwoMoons.Generate(64, seed: 1).Points;
        var b = TwoMoons.Generate(64, seed: 1).Points;
        var c = TwoMoons.Generate(64, seed: 2).Points;
        Assert.True(a.eq(b).all().item<bool>());
        Assert.False(a.eq(c).all().item<bool>());
    }
}
