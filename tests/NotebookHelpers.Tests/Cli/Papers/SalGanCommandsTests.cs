using System.Text.Json;
using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using NotebookHelpers.Papers.SalGan;

namespace NotebookHelpers.Tests.Cli;

/// <summary>The SalGAN experiment from the command line: train, predict a folder, evaluate it.</summary>
[Collection(NotebookProcesses.Name)]
public class SalGanCommandsTests
{
    [Fact]
    public void Train_predict_and_eval_run_end_to_end_under_smoke()
    {
        using var folder = new TempFolder();
        var run = folder.File("run");
        var train = ProcessRun.Start(TestPaths.Nbh, ["train", "salgan", "--profile", "smoke", "--out", run]);
        Assert.True(train.ExitCode == 0, train.Output);
        Assert.Contains("synthetic pop-out scenes", train.Output);
        Assert.True(File.Exists(Path.Combine(run, "metrics.csv")));
        using (var scores = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "scores.json"))))
            Assert.Equal(["AUC_Judd", "AUC_Borji", "sAUC", "NSS", "CC", "KLD", "SIM", "IG"], scores.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Contains("discriminator", File.ReadAllText(Path.Combine(run, "metrics.csv")));

        // A small SALICON-layout folder of another size than the network's input: maps come back at each image's size.
        var scenes = SyntheticSaliency.Generate(3, 60, 80, seed: 5);
        scenes.WriteTo(folder.File("salicon"), "val");
        var images = folder.File("salicon", "images", "val");
        var predicted = folder.File("predicted");
        var predict = ProcessRun.Start(TestPaths.Nbh, ["predict", "salgan", "--checkpoint", run, "--images", images, "--out", predicted]);
        Assert.True(predict.ExitCode == 0, predict.Output);
        var maps = Directory.GetFiles(predicted, "*.png");
        Assert.Equal(3, maps.Length);
        Assert.Equal([1L, 60, 80], ImageIO.LoadGray(maps[0]).shape);

        var eval = ProcessRun.Start(TestPaths.Nbh, ["eval", "saliency", "--predictions", predicted,
            "--fixations", folder.File("salicon", "fixations", "val"), "--maps", folder.File("salicon", "maps", "val"), "--json"]);
        Assert.True(eval.ExitCode == 0, eval.Output);
        using var json = JsonDocument.Parse(eval.StandardOutput);
        Assert.Equal(3, json.RootElement.GetProperty("count").GetInt32());
    }

    [Fact]
    public void Predict_without_a_checkpoint_says_how_to_make_one()
    {
        using var folder = new TempFolder();
        var run = ProcessRun.Start(TestPaths.Nbh, ["predict", "salgan", "--checkpoint", folder.Path, "--images", folder.Path, "--out", folder.File("out")]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("nbh train salgan", run.Output);
    }
}
