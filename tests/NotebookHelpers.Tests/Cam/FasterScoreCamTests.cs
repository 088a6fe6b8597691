using NotebookHelpers.Cam;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Cam;

public class FasterScoreCamTests
{
    [Fact]
    public void FasterScoreCam_with_all_channels_equals_ScoreCam()
    {
        using var model = CamModels.ConvPoolLinear(channels: 5);
        using var input = rand(2, 3, 8, 8);
        var score = new ScoreCam(model, "features", batchSize: 3).Explain(input);
        var faster = new FasterScoreCam(model, "features", maxChannels: 5, batchSize: 3).Explain(input);
        Assert.True(faster.Weights.eq(score.Weights).all().item<bool>());
        Assert.True(faster.Maps.eq(score.Maps).all().item<bool>());
    }

    [Fact]
    public void FasterScoreCam_scores_only_the_highest_variance_channels()
    {
        using var model = CamModels.ConvPoolLinear(channels: 5);
        using var input = rand(1, 3, 8, 8);
        var a = ((nn.Module<Tensor, Tensor>)CamModels.Layer(model, "features")).call(input).detach()[0];
        var variances = Enumerable.Range(0, 5).Select(c => a[c].var(unbiased: false).item<float>()).ToArray();
        var topTwo = Enumerable.Range(0, 5).OrderByDescending(c => variances[c]).Take(2).Order().ToArray();

        var faster = new FasterScoreCam(model, "features", maxChannels: 2).Explain(input, CamTarget.Class(0)).Weights[0];
        var score = new ScoreCam(model, "features").Explain(input, CamTarget.Class(0)).Weights[0];
        for (var c = 0; c < 5; c++)
        {
            if (topTwo.Contains(c)) Assert.Equal(score[c].item<float>(), faster[c].item<float>(), 1e-5f);
            else Assert.Equal(0f, faster[c].item<float>());
        }
    }
}
