using System.Diagnostics;
using System.Text.Json;
using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using NotebookHelpers.Metrics;
using NotebookHelpers.Papers.SalGan;
using NotebookHelpers.Tests.Papers.SalGan;
using NotebookHelpers.Training;

namespace NotebookHelpers.Tests.Cli.Papers;

/// <summary>SalGAN from the command line: <c>train</c> (with a real kill and resume), <c>predict</c>, <c>eval saliency</c> and <c>data salicon-fixations</c>.</summary>
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
        var metrics = File.ReadAllText(Path.Combine(run, "metrics.csv"));
        Assert.Contains("discriminator", metrics);
        Assert.Contains("d_acc_real", metrics); // the held-out accuracy, once an epoch

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

    [Theory]
    [InlineData("--schedule", "sometimes", "alternating or every-batch")]
    [InlineData("--weight-decay", "-1", "--weight-decay -1")]
    [InlineData("--discriminator-steps", "0", "--discriminator-steps 0")]
    [InlineData("--alpha", "NaN", "--alpha NaN")]
    public void Train_refuses_a_bad_schedule_weight_decay_or_alpha_before_it_starts(string option, string value, string expected)
    {
        using var folder = new TempFolder();
        var run = ProcessRun.Start(TestPaths.Nbh, ["train", "salgan", "--profile", "smoke", option, value, "--out", folder.File("run")]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Output);
        Assert.DoesNotContain("   at ", run.Output);
        Assert.False(Directory.Exists(folder.File("run")));
    }

    [Fact]
    public void Predict_without_a_checkpoint_says_how_to_make_one()
    {
        using var folder = new TempFolder();
        var run = ProcessRun.Start(TestPaths.Nbh, ["predict", "salgan", "--checkpoint", folder.Path, "--images", folder.Path, "--out", folder.File("out")]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("nbh train salgan", run.Output);
    }

    [Fact]
    public void Salicon_fixations_converts_a_folder_and_names_a_missing_one()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("mat"));
        File.Copy(TestPaths.Fixture("Data", "salicon-like.mat"), folder.File("mat", "COCO_val2014_000000000042.mat"));

        var run = ProcessRun.Start(TestPaths.Nbh, ["data", "salicon-fixations", "--mat", folder.File("mat"), "--out", folder.File("png")]);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("1 fixation maps written", run.Output);
        Assert.True(File.Exists(folder.File("png", "COCO_val2014_000000000042.png")));

        var missing = ProcessRun.Start(TestPaths.Nbh, ["data", "salicon-fixations", "--mat", folder.File("absent"), "--out", folder.File("png")]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains(folder.File("absent"), missing.Output);
    }

    [Fact]
    public void Json_prints_one_object_with_the_benchmark_keys_and_the_library_means()
    {
        using var temp = new TempFolder();
        SaliencyEvaluationTests.WriteImage(temp.Path, "a", seed: 1);
        SaliencyEvaluationTests.WriteImage(temp.Path, "b", seed: 2);
        var expected = SaliencyEvaluation.EvaluateFolders(temp.File("pred"), temp.File("fix"), temp.File("maps"),
            device: TorchSharp.torch.CPU).Mean;

        var run = ProcessRun.Start(TestPaths.Nbh,
            ["eval", "saliency", "--predictions", temp.File("pred"), "--fixations", temp.File("fix"), "--maps", temp.File("maps"), "--json"],
            environment: new Dictionary<string, string> { ["NBH_DEVICE"] = "cpu" });

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output); // throws if anything but one JSON value was printed
        var keys = json.RootElement.EnumerateObject().Select(property => property.Name);
        Assert.Equal(["AUC_Judd", "AUC_Borji", "sAUC", "NSS", "CC", "KLD", "SIM", "count"], keys);
        Assert.Equal(2, json.RootElement.GetProperty("count").GetInt32());
        foreach (var (name, value) in expected.Named())
            Assert.Equal(value!.Value, json.RootElement.GetProperty(name).GetDouble(), 1e-12);
    }

    [Fact]
    public void Without_maps_the_density_metrics_are_null_and_the_table_lists_the_means()
    {
        using var temp = new TempFolder();
        SaliencyEvaluationTests.WriteImage(temp.Path, "a", seed: 1);
        SaliencyEvaluationTests.WriteImage(temp.Path, "b", seed: 2);
        string[] folders = ["--predictions", temp.File("pred"), "--fixations", temp.File("fix")];

        var json = ProcessRun.Start(TestPaths.Nbh, ["eval", "saliency", .. folders, "--json"]);
        var table = ProcessRun.Start(TestPaths.Nbh, ["eval", "saliency", .. folders]);

        Assert.Equal(0, json.ExitCode);
        using var document = JsonDocument.Parse(json.Output);
        foreach (var name in new[] { "CC", "KLD", "SIM" })
            Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty(name).ValueKind);
        Assert.Equal(JsonValueKind.Number, document.RootElement.GetProperty("sAUC").ValueKind);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("AUC_Judd", table.Output);
        Assert.Contains("needs --maps", table.Output);
    }

    [Fact]
    public void Left_out_files_are_named_and_make_the_exit_code_non_zero()
    {
        using var temp = new TempFolder();
        SaliencyEvaluationTests.WriteImage(temp.Path, "a", seed: 1);
        SaliencyEvaluationTests.WriteImage(temp.Path, "lonely", seed: 2);
        File.Delete(temp.File("fix", "lonely.png"));
        SaliencyEvaluationTests.WriteImage(temp.Path, "broken", seed: 3);
        File.WriteAllText(temp.File("pred", "broken.png"), "not a png");
        SaliencyEvaluationTests.WriteImage(temp.Path, "empty", seed: 4);
        File.Copy(temp.File("fix", "empty.png"), temp.File("fix", "keep.png"));
        NotebookHelpers.Imaging.ImageIO.SaveClassIds(
            TorchSharp.torch.zeros([12, 16], dtype: TorchSharp.torch.ScalarType.Int64), temp.File("fix", "empty.png"));

        var run = ProcessRun.Start(TestPaths.Nbh,
            ["eval", "saliency", "--predictions", temp.File("pred"), "--fixations", temp.File("fix"), "--json"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("lonely.png: no fixation map", run.Output);
        Assert.Contains("keep.png: no prediction", run.Output);
        Assert.Contains("broken.png: unreadable", run.Output);
        Assert.Contains("empty.png: the fixation map has no fixations", run.Output);
        Assert.Contains("\"count\":1", run.Output);
    }

    [Fact]
    public void Usage_errors_exit_with_2_and_say_what_is_wrong()
    {
        using var temp = new TempFolder();

        var missingFolder = ProcessRun.Start(TestPaths.Nbh,
            ["eval", "saliency", "--predictions", temp.Path, "--fixations", temp.File("nowhere")]);
        var missingOption = ProcessRun.Start(TestPaths.Nbh, ["eval", "saliency", "--predictions", temp.Path]);

        Assert.Equal(2, missingFolder.ExitCode);
        Assert.Contains("--fixations: there is no folder " + temp.File("nowhere"), missingFolder.Output);
        Assert.Equal(2, missingOption.ExitCode);
        Assert.Contains("--fixations", missingOption.Output);
    }

    [Fact]
    public void A_killed_run_resumes_to_the_weights_of_an_uninterrupted_one()
    {
        using var folder = new TempFolder();
        string[] Args(string output) => ["train", "salgan", "--profile", "smoke", "--seed", "2", "--checkpoint-every", "1", "--out", output];

        var whole = folder.File("whole");
        var uninterrupted = ProcessRun.Start(TestPaths.Nbh, Args(whole));
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.Output);

        var killed = folder.File("killed");
        using (var child = Process.Start(new ProcessStartInfo(TestPaths.Nbh) { ArgumentList = { }, RedirectStandardOutput = true, RedirectStandardError = true }
                   .WithArguments(Args(killed)))!)
        {
            child.BeginOutputReadLine();
            child.BeginErrorReadLine();
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (Checkpoint.FindLatest(killed) is null && !child.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(10);
            Assert.False(child.HasExited, "the run finished before it could be killed");
            child.Kill(entireProcessTree: true); // SIGKILL on Linux
            child.WaitForExit();
        }
        var atKill = Checkpoint.FindLatest(killed)!;
        Assert.True(atKill.Step < 24, $"killed at step {atKill.Step}, after the last step");
        AssertEveryCheckpointLoads(killed);

        var resumed = ProcessRun.Start(TestPaths.Nbh, [.. Args(killed), "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.StartsWith("resumed at step ", resumed.StandardOutput);
        AssertEveryCheckpointLoads(killed);

        var a = Checkpoint.FindLatest(whole)!;
        var b = Checkpoint.FindLatest(killed)!;
        Assert.Equal(a.Step, b.Step);
        foreach (var file in new[] { "generator.model.bin", "discriminator.model.bin", "generator.optimizer.bin" })
            Assert.True(File.ReadAllBytes(Path.Combine(a.Folder, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b.Folder, file))), $"{file} differs");
        Assert.Equal(File.ReadAllText(Path.Combine(whole, "scores.json")), File.ReadAllText(Path.Combine(killed, "scores.json")));
        // The log holds each step once, as the uninterrupted run's does.
        var steps = MetricsLog.LoadCsv(Path.Combine(killed, "metrics.csv")).Series("content").Steps;
        Assert.Equal(MetricsLog.LoadCsv(Path.Combine(whole, "metrics.csv")).Series("content").Steps, steps);
    }

    [Fact]
    public void A_second_run_into_the_same_folder_is_refused_not_overwritten()
    {
        using var folder = new TempFolder();
        var run = folder.File("run");
        var first = ProcessRun.Start(TestPaths.Nbh, ["train", "salgan", "--profile", "smoke", "--out", run]);
        Assert.True(first.ExitCode == 0, first.Output);
        var before = File.ReadAllText(Path.Combine(run, "scores.json"));
        var second = ProcessRun.Start(TestPaths.Nbh, ["train", "salgan", "--profile", "smoke", "--out", run, "--seed", "5"]);
        Assert.Equal(2, second.ExitCode);
        Assert.Contains("--resume", second.Output);
        Assert.DoesNotContain("   at ", second.Output);
        Assert.Equal(before, File.ReadAllText(Path.Combine(run, "scores.json")));
    }

    static void AssertEveryCheckpointLoads(string directory)
    {
        foreach (var step in Directory.GetDirectories(directory, "step-*"))
        {
            if (!File.Exists(Path.Combine(step, "checkpoint.json"))) continue; // an unfinished save, which loaders ignore
            var info = Checkpoint.Load(step, new TrainingState());
            var config = TrainingRun.ReadConfig<SalGanRun.SavedConfig>(info).Config;
            using var generator = new SalGanGenerator(config);
            Checkpoint.Load(step, new TrainingState().Add("generator", generator));
        }
    }
}

static class ProcessStartInfoExtensions
{
    public static ProcessStartInfo WithArguments(this ProcessStartInfo info, IEnumerable<string> arguments)
    {
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        return info;
    }
}
