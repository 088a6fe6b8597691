using NotebookHelpers.Imaging;
using NotebookHelpers.Metrics;
using NotebookHelpers.Papers.SalGan;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.SalGan;

public class SaliencyEvaluationTests
{
    /// <summary>Writes a 12x16 prediction, fixation map and density map named <paramref name="stem"/> from a seed.</summary>
    internal static void WriteImage(string root, string stem, int seed, string densityExtension = ".png")
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed, torch.CPU);
        Directory.CreateDirectory(Path.Combine(root, "pred"));
        Directory.CreateDirectory(Path.Combine(root, "fix"));
        Directory.CreateDirectory(Path.Combine(root, "maps"));
        ImageIO.SaveGray(torch.rand([12, 16], generator: generator), Path.Combine(root, "pred", stem + ".png"));
        var fixated = torch.rand([12, 16], generator: generator).lt(0.1);
        fixated[seed % 12, seed % 16] = torch.tensor(true);
        ImageIO.SaveClassIds(fixated.to(ScalarType.Int64), Path.Combine(root, "fix", stem + ".png"));
        ImageIO.SaveGray(torch.rand([12, 16], generator: generator), Path.Combine(root, "maps", stem + densityExtension));
    }

    /// <summary>A map as the evaluation reads it: its 8-bit values.</summary>
    private static Tensor EightBit(string file) => ImageIO.LoadGray(file).mul(255).round();

    [Fact]
    public void Folder_means_are_the_means_of_the_metric_functions_on_the_files()
    {
        using var temp = new TempFolder();
        string[] stems = ["a", "b", "c"];
        for (var i = 0; i < stems.Length; i++)
            WriteImage(temp.Path, stems[i], seed: i + 1, densityExtension: i == 1 ? ".jpg" : ".png");

        var result = SaliencyEvaluation.EvaluateFolders(temp.File("pred"), temp.File("fix"), temp.File("maps"), device: torch.CPU);

        Assert.Empty(result.Problems);
        Assert.Equal(stems, result.Images.Select(image => image.Name));
        var s = stems.Select(stem => EightBit(temp.File("pred", stem + ".png"))).ToArray();
        var f = stems.Select(stem => EightBit(temp.File("fix", stem + ".png"))).ToArray();
        var d = stems.Select((stem, i) => EightBit(temp.File("maps", stem + (i == 1 ? ".jpg" : ".png")))).ToArray();
        var (batchS, batchF, batchD) = (torch.cat(s), torch.cat(f), torch.cat(d));
        var expected = new SaliencyScores(
            SaliencyMetrics.Mean(SaliencyMetrics.AucJudd(batchS, batchF)),
            SaliencyMetrics.Mean(SaliencyMetrics.AucBorji(batchS, batchF)),
            SaliencyMetrics.Mean(SaliencyMetrics.ShuffledAuc(batchS, batchF)),
            SaliencyMetrics.Mean(SaliencyMetrics.Nss(batchS, batchF)),
            SaliencyMetrics.Mean(SaliencyMetrics.Cc(batchS, batchD)),
            SaliencyMetrics.Mean(SaliencyMetrics.Kld(batchS, batchD)),
            SaliencyMetrics.Mean(SaliencyMetrics.Sim(batchS, batchD)));
        Assert.Equal(3, result.Count);
        foreach (var ((name, want), (_, got)) in expected.Named().Zip(result.Mean.Named()))
            Assert.True(Math.Abs(want!.Value - got!.Value) < 1e-12, $"{name}: expected {want}, got {got}");
    }

    [Fact]
    public void Without_density_maps_CC_KLD_and_SIM_are_null()
    {
        using var temp = new TempFolder();
        WriteImage(temp.Path, "a", seed: 1);
        WriteImage(temp.Path, "b", seed: 2);

        var result = SaliencyEvaluation.EvaluateFolders(temp.File("pred"), temp.File("fix"), device: torch.CPU);

        Assert.Empty(result.Problems);
        Assert.Equal(2, result.Count);
        Assert.Null(result.Mean.Cc);
        Assert.Null(result.Mean.Kld);
        Assert.Null(result.Mean.Sim);
        Assert.False(double.IsNaN(result.Mean.ShuffledAuc));
    }

    [Fact]
    public void Every_file_left_out_is_named_and_sAUC_draws_from_every_fixation_map_of_the_folder()
    {
        using var temp = new TempFolder();
        WriteImage(temp.Path, "a", seed: 1);
        WriteImage(temp.Path, "onlyprediction", seed: 2);
        File.Delete(temp.File("fix", "onlyprediction.png"));
        WriteImage(temp.Path, "onlyfixations", seed: 3);
        File.Delete(temp.File("pred", "onlyfixations.png"));
        WriteImage(temp.Path, "empty", seed: 4);
        ImageIO.SaveClassIds(torch.zeros([12, 16], dtype: ScalarType.Int64), temp.File("fix", "empty.png"));
        WriteImage(temp.Path, "broken", seed: 5);
        File.WriteAllText(temp.File("pred", "broken.png"), "not a png");
        WriteImage(temp.Path, "nodensity", seed: 6);
        File.Delete(temp.File("maps", "nodensity.png"));
        WriteImage(temp.Path, "twice", seed: 7);
        File.Copy(temp.File("pred", "twice.png"), temp.File("pred", "twice.jpg"));

        var result = SaliencyEvaluation.EvaluateFolders(temp.File("pred"), temp.File("fix"), temp.File("maps"), device: torch.CPU);

        Assert.Equal(["a"], result.Images.Select(image => image.Name));
        Assert.False(result.IsComplete);
        var problems = string.Join("\n", result.Problems);
        Assert.Contains("onlyprediction.png: no fixation map", problems);
        Assert.Contains("onlyfixations.png: no prediction", problems);
        Assert.Contains("empty.png: the fixation map has no fixations", problems);
        Assert.Contains("broken.png: unreadable", problems);
        Assert.Contains("nodensity.png: no density map", problems);
        Assert.Contains("twice.jpg and twice.png in the predictions folder share one name", problems);
        Assert.Equal(6, result.Problems.Count);
        // a's negatives: every other readable fixation map, with or without a prediction of its own.
        var others = new[] { "onlyfixations", "broken", "nodensity", "twice" }
            .Select(stem => EightBit(temp.File("fix", stem + ".png")).ne(0))
            .Aggregate((union, map) => union.logical_or(map));
        var s = EightBit(temp.File("pred", "a.png"));
        var f = EightBit(temp.File("fix", "a.png"));
        Assert.Equal(SaliencyMetrics.Mean(SaliencyMetrics.ShuffledAuc(s, f, others)), result.Images[0].Scores.ShuffledAuc, 1e-12);
    }

    [Fact]
    public void A_NaN_score_stays_in_the_mean_and_is_reported()
    {
        using var temp = new TempFolder();
        WriteImage(temp.Path, "a", seed: 1);
        WriteImage(temp.Path, "flat", seed: 2);
        ImageIO.SaveGray(torch.full(12, 16, 0.5f), temp.File("pred", "flat.png"));

        var result = SaliencyEvaluation.EvaluateFolders(temp.File("pred"), temp.File("fix"), temp.File("maps"), device: torch.CPU);

        Assert.Equal(2, result.Count);
        Assert.True(double.IsNaN(result.Mean.Nss));
        Assert.False(double.IsNaN(result.Mean.Kld!.Value)); // a constant prediction is a fine distribution for KLD
        var problem = Assert.Single(result.Problems);
        Assert.Equal("flat.png", problem.Name);
        Assert.Contains("AUC_Judd, AUC_Borji, sAUC, NSS, CC, SIM undefined (NaN)", problem.Message);
        Assert.Contains("the prediction is constant", problem.Message);
    }

    [Fact]
    public void A_missing_folder_is_named()
    {
        using var temp = new TempFolder();
        WriteImage(temp.Path, "a", seed: 1);

        var error = Assert.Throws<DirectoryNotFoundException>(() =>
            SaliencyEvaluation.EvaluateFolders(temp.File("pred"), temp.File("nowhere"), device: torch.CPU));
        Assert.Contains("fixations folder does not exist: " + temp.File("nowhere"), error.Message);
    }
}
