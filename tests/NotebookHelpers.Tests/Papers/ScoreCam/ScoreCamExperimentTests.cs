using NotebookHelpers.Papers.ScoreCam;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.ScoreCam;

public class ScoreCamExperimentTests
{
    [Fact]
    public void Centred_gaussian_peaks_in_the_middle_and_is_min_max_normalised()
    {
        var map = ScoreCamExperiment.CentredGaussian(2, 8, 8);
        Assert.Equal([2L, 8, 8], map.shape);
        Assert.Equal(1f, map[0, 3, 3].item<float>(), 5); // the four middle pixels are the nearest to the centre
        Assert.Equal(1f, map[1, 4, 4].item<float>(), 5);
        Assert.Equal(0f, map[0, 0, 0].item<float>(), 6); // the corners are the farthest
        // σ = 8/4 = 2 pixels; pixel (2, 3) has its centre 1.5 rows and 0.5 columns from the image's centre (4, 4).
        double Raw(double dy, double dx) => Math.Exp(-(dy * dy + dx * dx) / (2 * 2.0 * 2.0));
        var expected = (Raw(1.5, 0.5) - Raw(3.5, 3.5)) / (Raw(0.5, 0.5) - Raw(3.5, 3.5));
        Assert.Equal(expected, map[0, 2, 3].item<float>(), 5);
    }

    [Fact]
    public void Energy_inside_defects_averages_over_images_with_a_defect_only()
    {
        var masks = zeros(3, 4, 4, dtype: ScalarType.Bool);
        masks[0, 0, 0] = tensor(true);
        masks[1, 2.., 2..] = tensor(true);
        // Image 0: all energy on the defect pixel → 1; image 1: a uniform map → 4/16; image 2 has no defect and is skipped.
        var map = zeros(3, 4, 4);
        map[0, 0, 0] = tensor(1f);
        map[1] = ones(4, 4);
        map[2] = ones(4, 4);
        var energy = ScoreCamExperiment.EnergyInsideDefects(new Dictionary<string, Tensor> { ["probe"] = map }, masks);
        Assert.Equal((1 + 0.25) / 2, energy["probe"], 6);
        Assert.True(energy.ContainsKey(ScoreCamExperiment.CentredGaussianName));
        Assert.Throws<ArgumentException>(() => ScoreCamExperiment.EnergyInsideDefects(new Dictionary<string, Tensor> { ["probe"] = map }, zeros(3, 4, 4, dtype: ScalarType.Bool)));
    }
}
