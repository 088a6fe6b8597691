using NotebookHelpers.Imaging;
using NotebookHelpers.Notebooks;
using NotebookHelpers.Papers.SalGan;
using NotebookHelpers.Training;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.SalGan;

/// <summary>The run <c>nbh train salgan</c> makes, in process (the command's own tests run the binary).</summary>
[Collection(nameof(GlobalRandomState))]
public class SalGanRunTests
{
    // 16 train images in batches of 8, 3 epochs (1 of BCE pre-training): 6 steps.
    static readonly SalGanPlan Tiny = new(new SalGanConfig { Height = 32, Width = 48, ChannelScale = 0.125, BatchSize = 8, PretrainEpochs = 1, Epochs = 3 }, 16, 8, UseSalicon: false);

    static SalGanRunRequest Request(string folder, bool resume = false) => new(Tiny, RunProfile.Smoke, BceOnly: false, folder, Seed: 1, resume, CheckpointEvery: 4);

    [Fact]
    public void A_run_checkpoints_validates_every_epoch_and_writes_its_scores()
    {
        using var folder = new TempFolder();
        var output = new StringWriter();
        var shown = new List<(long Step, long Total, string[] Names)>();
        var result = SalGanRun.Train(Request(folder.Path), output, (step, total, values) => shown.Add((step, total, values.Select(v => v.Name).ToArray())));

        Assert.Equal(6, result.Checkpoint.Step);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), shown.Select(s => s.Step));
        Assert.All(shown, s => Assert.Equal(6, s.Total));
        // The first step has no validation yet; from the second epoch on the latest one is shown beside the losses.
        Assert.DoesNotContain(SalGanExperiment.ValidationCc, shown[0].Names);
        Assert.Contains(SalGanExperiment.ValidationCc, shown[^1].Names);
        Assert.Contains("discriminator", shown[^1].Names);

        var log = MetricsLog.LoadCsv(Path.Combine(folder.Path, "metrics.csv"));
        Assert.Equal([2L, 4, 6], log.Series(SalGanExperiment.ValidationCc).Steps);
        Assert.Equal(3, log.Series(SalGanExperiment.ValidationKld).Steps.Length);
        Assert.Equal(result.Scores["CC"], log.Last(SalGanExperiment.ValidationCc), 5);
        Assert.True(File.Exists(Path.Combine(folder.Path, "scores.json")));
        Assert.StartsWith("TorchSharp ", output.ToString());
    }

    [Fact]
    public void A_resumed_run_says_so_first_and_a_refused_one_stops_before_loading_anything()
    {
        using var folder = new TempFolder();
        SalGanRun.Train(Request(folder.Path), TextWriter.Null);
        var scores = File.ReadAllText(Path.Combine(folder.Path, "scores.json"));

        var refused = new StringWriter();
        var error = Assert.Throws<RunFolderRefusedException>(() => SalGanRun.Train(Request(folder.Path), refused));
        Assert.Contains("--resume", error.Message);
        Assert.Equal("", refused.ToString());
        Assert.Equal(scores, File.ReadAllText(Path.Combine(folder.Path, "scores.json")));

        var resumed = new StringWriter();
        SalGanRun.Train(Request(folder.Path, resume: true), resumed);
        Assert.StartsWith($"resumed at step 6, epoch 3, from {Path.Combine(folder.Path, "step-000000006")}", resumed.ToString());
    }

    [Fact]
    public void The_saved_generator_loads_from_its_folder_and_predicts_a_map_per_readable_image_at_its_size()
    {
        using var folder = new TempFolder();
        var run = folder.File("run");
        var result = SalGanRun.Train(Request(run), TextWriter.Null);
        var (generator, used) = SalGanRun.LoadGenerator(run, CPU);
        using var _ = generator;
        Assert.Equal(Tiny.Config, generator.Config);
        Assert.Equal(result.Checkpoint.Folder, used.Folder);
        // The step folder the run printed loads too.
        Assert.Equal(used.Folder, SalGanRun.LoadGenerator(result.Checkpoint.Folder, CPU).Checkpoint.Folder);

        var images = folder.File("images");
        Directory.CreateDirectory(images);
        ImageIO.SaveRgb(rand(3, 30, 50), Path.Combine(images, "a.png"));
        ImageIO.SaveRgb(rand(3, 64, 40), Path.Combine(images, "b.png"));
        File.WriteAllBytes(Path.Combine(images, "c.png"), [0x89, 0x50, 0x4E, 0x47]); // a PNG cut after its signature
        File.WriteAllText(Path.Combine(images, "notes.txt"), "not an image");
        var maps = folder.File("maps");
        Directory.CreateDirectory(maps);
        var problems = new StringWriter();

        var (written, skipped) = SalGanRun.PredictFolder(generator, images, maps, CPU, problems);
        Assert.Equal((2, 1), (written, skipped));
        Assert.Equal([1L, 30, 50], ImageIO.LoadGray(Path.Combine(maps, "a.png")).shape);
        Assert.Equal([1L, 64, 40], ImageIO.LoadGray(Path.Combine(maps, "b.png")).shape);
        Assert.Contains("c.png", problems.ToString());
        Assert.False(File.Exists(Path.Combine(maps, "c.png")));
    }

    [Fact]
    public void A_folder_without_a_checkpoint_names_the_command_that_makes_one()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<FileNotFoundException>(() => SalGanRun.LoadGenerator(folder.Path, CPU));
        Assert.Contains("nbh train salgan", error.Message);
    }
}
