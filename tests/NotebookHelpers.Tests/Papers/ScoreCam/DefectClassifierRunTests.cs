using System.Text.Json;
using NotebookHelpers.Notebooks;
using NotebookHelpers.Papers.ScoreCam;
using NotebookHelpers.Training;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.ScoreCam;

/// <summary>The run <c>nbh train defect-classifier</c> makes, in process, on tiny synthetic data.</summary>
[Collection(nameof(GlobalRandomState))]
public class DefectClassifierRunTests
{
    // 24 training images in batches of 8: 3 steps an epoch, 6 in all; a checkpoint every 2 steps and at each epoch's end.
    static readonly DefectPlan Tiny = new(new DefectTrainingConfig { InputSize = 32, BatchSize = 8, Epochs = 2 }, 0.25, 20, 4, 8, 4, false);

    static DefectRunRequest Request(string folder, bool resume = false) =>
        new(Tiny, RunProfile.Smoke, DefectDataSource.Synthetic(), folder, Seed: 1, resume, CheckpointEvery: 2);

    [Fact]
    public void A_run_logs_checkpoints_and_scores_and_its_network_loads_back_to_the_same_predictions()
    {
        using var folder = new TempFolder();
        var output = new StringWriter();
        var shown = new List<long>();
        var result = DefectClassifierRun.Train(Request(folder.Path), output, (step, total, _) => { shown.Add(step); Assert.Equal(6, total); });

        Assert.Equal(6, result.Checkpoint.Step);
        Assert.Equal([1L, 2, 3, 4, 5, 6], shown);
        Assert.Contains("width 0.25", output.ToString());
        Assert.Contains("class weights 1:6", output.ToString());
        Assert.Contains("ImageNet weights do not fit", output.ToString());
        var log = MetricsLog.LoadCsv(Path.Combine(folder.Path, "metrics.csv"));
        Assert.Equal([1L, 2, 3, 4, 5, 6], log.Series("loss").Steps);
        Assert.Equal([3L, 6], log.Series(DefectExperiment.ValidationBalancedAccuracy).Steps);
        using (var scores = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "scores.json"))))
        {
            var root = scores.RootElement;
            Assert.Equal(["classifier", "evaluated", "images", "defects", "scores", "confusion", "majority_class"], root.EnumerateObject().Select(p => p.Name));
            Assert.Equal((12, 4), (root.GetProperty("images").GetInt32(), root.GetProperty("defects").GetInt32()));
            Assert.Equal(result.Scores.BalancedAccuracy, root.GetProperty("scores").GetProperty("balanced_accuracy").GetDouble());
            Assert.Equal(0.5, root.GetProperty("majority_class").GetProperty("balanced_accuracy").GetDouble());
        }

        var (network, saved, checkpoint) = DefectClassifierRun.LoadNetwork(folder.Path, CPU);
        using (network)
        {
            Assert.Equal(6, checkpoint.Step);
            Assert.Equal((0.25, Tiny.Training, 1), (saved.Width, saved.Training, saved.Seed));
            using var test = SyntheticDefects.Generate(8, 4, 32, seed: 2);
            using var predicted = DefectExperiment.Predict(network, test.Images, 8, CPU);
            Assert.Equal(result.Scores, DefectScores.Of(predicted, test.Labels));
        }

        var refused = Assert.Throws<RunFolderRefusedException>(() => DefectClassifierRun.Train(Request(folder.Path), TextWriter.Null));
        Assert.Contains("--resume", refused.Message);
    }

    [Fact]
    public void A_run_resumed_mid_epoch_ends_with_the_weights_and_scores_of_an_uninterrupted_one()
    {
        using var folder = new TempFolder();
        var whole = folder.File("whole");
        DefectClassifierRun.Train(Request(whole), TextWriter.Null);

        // The run as a kill after the step-4 checkpoint (step 1 of epoch 1) leaves it: no step 6, no scores, the later log rows still there.
        var cut = folder.File("cut");
        foreach (var file in Directory.GetFiles(whole, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(cut, Path.GetRelativePath(whole, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        Directory.Delete(Path.Combine(cut, "step-000000006"), recursive: true);
        File.Delete(Path.Combine(cut, "scores.json"));
        Assert.Equal(4, Checkpoint.FindLatest(cut)!.Step);

        var output = new StringWriter();
        DefectClassifierRun.Train(Request(cut, resume: true), output);
        Assert.StartsWith($"resumed at step 4, epoch 1, from {Path.Combine(cut, "step-000000004")}", output.ToString());
        foreach (var file in new[] { "network.model.bin", "network.optimizer.bin" })
            Assert.True(File.ReadAllBytes(Path.Combine(whole, "step-000000006", file)).AsSpan()
                .SequenceEqual(File.ReadAllBytes(Path.Combine(cut, "step-000000006", file))), $"{file} differs");
        Assert.Equal(File.ReadAllText(Path.Combine(whole, "scores.json")), File.ReadAllText(Path.Combine(cut, "scores.json")));
        Assert.Equal([1L, 2, 3, 4, 5, 6], MetricsLog.LoadCsv(Path.Combine(cut, "metrics.csv")).Series("loss").Steps);
    }

    [Fact]
    public void Loading_a_folder_without_a_checkpoint_says_how_to_make_one()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<FileNotFoundException>(() => DefectClassifierRun.LoadNetwork(folder.Path, CPU));
        Assert.Contains("nbh train defect-classifier", error.Message);
    }
}
