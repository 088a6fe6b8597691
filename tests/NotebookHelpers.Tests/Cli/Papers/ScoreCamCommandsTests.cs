using System.Text.Json;
using NotebookHelpers.Papers.ScoreCam;
using NotebookHelpers.Tests.Papers.ScoreCam;

namespace NotebookHelpers.Tests.Cli.Papers;

/// <summary>The defect classifier from the command line: <c>nbh train defect-classifier</c> on synthetic data, on a tiny DAGM tree, and refusing what it cannot use.</summary>
[Collection(NotebookProcesses.Name)]
public class ScoreCamCommandsTests
{
    static ProcessRun Nbh(string[] args, string? dagm = null) =>
        ProcessRun.Start(TestPaths.Nbh, args, environment: dagm is null ? null : new Dictionary<string, string> { ["NBH_DATA_DAGM2007"] = dagm });

    static void AssertRefused(ProcessRun run, int exitCode, string text)
    {
        Assert.True(run.ExitCode == exitCode, $"exit {run.ExitCode}, expected {exitCode}:\n{run.Output}");
        Assert.Contains(text, run.Output);
        Assert.DoesNotContain("   at ", run.Output);
        Assert.Single(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void One_smoke_epoch_trains_and_scores_beside_the_majority_class()
    {
        using var folder = new TempFolder();
        var run = folder.File("run");
        var train = Nbh(["train", "defect-classifier", "--profile", "smoke", "--epochs", "1", "--out", run]);
        Assert.True(train.ExitCode == 0, train.Output);
        Assert.Contains("synthetic defects (six textures)", train.Output);
        Assert.Contains("majority class", train.Output);
        Assert.Contains("balanced_accuracy", train.Output);
        Assert.Contains("val_balanced_accuracy", File.ReadAllText(Path.Combine(run, "metrics.csv")));
        using var scores = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "scores.json")));
        Assert.Equal(["accuracy", "balanced_accuracy", "defect_recall"], scores.RootElement.GetProperty("scores").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void A_DAGM_class_trains_from_its_folders()
    {
        using var folder = new TempFolder();
        FakeDagm.Write(folder.File("dagm"), 2, clean: 20, defects: 5);
        var train = Nbh(["train", "defect-classifier", "--profile", "smoke", "--data", "dagm", "--class", "2", "--epochs", "1", "--out", folder.File("run")], folder.File("dagm"));
        Assert.True(train.ExitCode == 0, train.Output);
        Assert.Contains("DAGM 2007 class 2, 20 train / 5 test images, 1 of them with a defect, at 64×64", train.Output);
        Assert.Contains("the release has 1000 and 150", train.Output);
    }

    [Theory]
    [InlineData("--data", "kaggle", "--data kaggle: give synthetic or dagm.")]
    [InlineData("--class", "7", "--class 7: give a DAGM 2007 class from 1 to 6.")]
    [InlineData("--epochs", "0", "--epochs 0: give a whole number from 1 to 100000.")]
    [InlineData("--checkpoint-every", "0", "--checkpoint-every 0: give a number of steps of at least 1.")]
    [InlineData("--profile", "huge", "Unknown profile 'huge'")]
    public void A_bad_option_is_refused_in_one_line_before_anything_is_written(string option, string value, string expected)
    {
        using var folder = new TempFolder();
        string[] profile = option == "--profile" ? [] : ["--profile", "smoke"];
        var run = Nbh(["train", "defect-classifier", .. profile, option, value, "--out", folder.File("run")]);
        AssertRefused(run, 2, expected);
        Assert.False(Directory.Exists(folder.File("run")));
    }

    [Fact]
    public void DAGM_asked_for_but_not_installed_says_to_run_the_download_script()
    {
        using var folder = new TempFolder();
        var run = Nbh(["train", "defect-classifier", "--profile", "smoke", "--data", "dagm", "--out", folder.File("run")], folder.File("no-dagm"));
        AssertRefused(run, 2, "Run data-scripts/dagm.sh");
        Assert.Contains("DAGM 2007 class 1 is not installed", run.Output);
        Assert.False(Directory.Exists(folder.File("run")));
    }

    [Fact]
    public void A_broken_labels_line_is_named_by_file_and_line_and_the_data_are_left_as_they_were()
    {
        using var folder = new TempFolder();
        var labels = FakeDagm.Write(folder.File("dagm"), 1, clean: 4, defects: 2);
        File.WriteAllText(labels, "1\t5\t2\t0\t8\t7\n2\t5\tbroken\t0\t8\t7\n");
        var before = File.ReadAllBytes(labels);
        var run = Nbh(["train", "defect-classifier", "--profile", "smoke", "--data", "dagm", "--out", folder.File("run")], folder.File("dagm"));
        AssertRefused(run, 1, $"{labels}, line 2: expected six numbers");
        Assert.Equal(before, File.ReadAllBytes(labels));
        Assert.False(File.Exists(Path.Combine(folder.File("run"), "metrics.csv")), "a run that could not load its data leaves no log behind");
    }
}
