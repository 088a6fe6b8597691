using System.Diagnostics;
using System.Text.Json;
using NotebookHelpers.Imaging;
using NotebookHelpers.Papers.SegNet;
using NotebookHelpers.Training;

namespace NotebookHelpers.Tests.Cli.Papers;

/// <summary>SegNet from the command line: <c>train segnet</c> (with a real kill and resume), <c>predict segnet</c>, and their scoring by <c>eval segmentation</c>.</summary>
[Collection(NotebookProcesses.Name)]
public class SegNetCommandsTests
{
    [Fact]
    public void Train_predict_and_eval_run_end_to_end_under_smoke()
    {
        using var folder = new TempFolder();
        var run = folder.File("run");
        var train = ProcessRun.Start(TestPaths.Nbh, ["train", "segnet", "--profile", "smoke", "--system", "baseline", "--epochs", "2", "--out", run]);
        Assert.True(train.ExitCode == 0, train.Output);
        Assert.Contains("synthetic scenes", train.Output);
        Assert.Contains("majority class", train.Output);
        Assert.Contains("val_mIoU", File.ReadAllText(Path.Combine(run, "metrics.csv")));
        using (var scores = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "scores.json"))))
        {
            Assert.Equal(["pixel_accuracy", "mean_accuracy", "mIoU", "fwIoU", "BF"], scores.RootElement.GetProperty("scores").EnumerateObject().Select(p => p.Name));
            Assert.Equal(SyntheticScenes.ClassCount, scores.RootElement.GetProperty("per_class_IoU").GetArrayLength());
        }

        // Scenes of another size than the network's input: predictions come back at each image's size, as class ids.
        var scenes = SyntheticScenes.Generate(3, 48, 80, seed: 7);
        var (images, labels, predicted) = (folder.File("images"), folder.File("labels"), folder.File("predicted"));
        Directory.CreateDirectory(images);
        Directory.CreateDirectory(labels);
        for (int i = 0; i < 3; i++)
        {
            ImageIO.SaveRgb(scenes.Images[i], Path.Combine(images, $"scene{i}.png"));
            ImageIO.SaveClassIds(scenes.Labels[i], Path.Combine(labels, $"scene{i}.png"));
        }
        var predict = ProcessRun.Start(TestPaths.Nbh, ["predict", "segnet", "--checkpoint", run, "--images", images, "--out", predicted]);
        Assert.True(predict.ExitCode == 0, predict.Output);
        var maps = Directory.GetFiles(predicted, "*.png");
        Assert.Equal(3, maps.Length);
        var ids = ImageIO.LoadClassIds(maps[0]);
        Assert.Equal([48L, 80], ids.shape);
        Assert.True(ids.max().item<long>() < SyntheticScenes.ClassCount);

        // A truncated image is named and skipped, never predicted from half a picture; the others are written.
        var withBad = folder.File("with-bad");
        Directory.CreateDirectory(withBad);
        File.Copy(Path.Combine(images, "scene0.png"), Path.Combine(withBad, "scene0.png"));
        var bytes = File.ReadAllBytes(Path.Combine(images, "scene1.png"));
        File.WriteAllBytes(Path.Combine(withBad, "cut.png"), bytes[..(bytes.Length / 2)]);
        var partial = ProcessRun.Start(TestPaths.Nbh, ["predict", "segnet", "--checkpoint", run, "--images", withBad, "--out", folder.File("partial")]);
        Assert.Equal(1, partial.ExitCode);
        Assert.Contains("cut.png", partial.Output);
        Assert.DoesNotContain("   at ", partial.Output);
        Assert.Equal(["scene0.png"], Directory.GetFiles(folder.File("partial"), "*.png").Select(Path.GetFileName));

        var eval = ProcessRun.Start(TestPaths.Nbh, ["eval", "segmentation", "--predictions", predicted, "--labels", labels,
            "--classes", SyntheticScenes.ClassCount.ToString(), "--ignore", "none", "--json"]);
        Assert.True(eval.ExitCode == 0, eval.Output);
        using var json = JsonDocument.Parse(eval.StandardOutput);
        Assert.Equal(3, json.RootElement.GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData("--system", "unet", "--system unet")]
    [InlineData("--epochs", "0", "--epochs 0")]
    [InlineData("--checkpoint-every", "0", "--checkpoint-every 0")]
    [InlineData("--profile", "huge", "Unknown profile 'huge'")]
    public void Train_refuses_a_bad_option_before_it_starts(string option, string value, string expected)
    {
        using var folder = new TempFolder();
        string[] profile = option == "--profile" ? [] : ["--profile", "smoke"];
        var run = ProcessRun.Start(TestPaths.Nbh, ["train", "segnet", .. profile, option, value, "--out", folder.File("run")]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Output);
        Assert.DoesNotContain("   at ", run.Output);
        Assert.False(Directory.Exists(folder.File("run")));
    }

    [Fact]
    public void Predict_without_a_checkpoint_says_how_to_make_one()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("empty"));
        Directory.CreateDirectory(folder.File("images"));
        var run = ProcessRun.Start(TestPaths.Nbh, ["predict", "segnet", "--checkpoint", folder.File("empty"), "--images", folder.File("images"), "--out", folder.File("out")]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("nbh train segnet", run.Output);
        Assert.DoesNotContain("   at ", run.Output);
    }

    [Fact]
    public void A_killed_run_with_dropout_resumes_to_the_weights_of_an_uninterrupted_one()
    {
        // The article's SegNet has dropout in its bottleneck: the resumed run must draw the same masks.
        using var folder = new TempFolder();
        string[] Args(string output) => ["train", "segnet", "--profile", "smoke", "--system", "segnet", "--epochs", "2", "--seed", "3", "--checkpoint-every", "1", "--out", output];

        var whole = folder.File("whole");
        var uninterrupted = ProcessRun.Start(TestPaths.Nbh, Args(whole));
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.Output);

        var killed = folder.File("killed");
        using (var child = Process.Start(new ProcessStartInfo(TestPaths.Nbh) { RedirectStandardOutput = true, RedirectStandardError = true }.WithArguments(Args(killed)))!)
        {
            child.BeginOutputReadLine();
            child.BeginErrorReadLine();
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while ((Checkpoint.FindLatest(killed)?.Step ?? 0) < 5 && !child.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(10);
            Assert.False(child.HasExited, "the run finished before it could be killed");
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
        }
        var atKill = Checkpoint.FindLatest(killed)!;
        Assert.True(atKill.Step < 48, $"killed at step {atKill.Step}, after the last step");

        var resumed = ProcessRun.Start(TestPaths.Nbh, [.. Args(killed), "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.StartsWith("resumed at step ", resumed.StandardOutput);

        var (a, b) = (Checkpoint.FindLatest(whole)!, Checkpoint.FindLatest(killed)!);
        Assert.Equal(a.Step, b.Step);
        foreach (var file in new[] { "network.model.bin", "network.optimizer.bin" })
            Assert.True(File.ReadAllBytes(Path.Combine(a.Folder, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b.Folder, file))), $"{file} differs");
        Assert.Equal(File.ReadAllText(Path.Combine(whole, "scores.json")), File.ReadAllText(Path.Combine(killed, "scores.json")));
    }

    [Fact]
    public void A_second_run_into_the_same_folder_is_refused_not_overwritten()
    {
        using var folder = new TempFolder();
        var run = folder.File("run");
        var first = ProcessRun.Start(TestPaths.Nbh, ["train", "segnet", "--profile", "smoke", "--system", "baseline", "--epochs", "1", "--out", run]);
        Assert.True(first.ExitCode == 0, first.Output);
        var before = File.ReadAllText(Path.Combine(run, "scores.json"));
        var second = ProcessRun.Start(TestPaths.Nbh, ["train", "segnet", "--profile", "smoke", "--system", "baseline", "--epochs", "1", "--out", run]);
        Assert.Equal(2, second.ExitCode);
        Assert.Contains("--resume", second.Output);
        Assert.DoesNotContain("   at ", second.Output);
        Assert.Equal(before, File.ReadAllText(Path.Combine(run, "scores.json")));
    }
}
