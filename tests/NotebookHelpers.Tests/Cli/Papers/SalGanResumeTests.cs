using System.Diagnostics;
using NotebookHelpers.Papers.SalGan;
using NotebookHelpers.Training;

namespace NotebookHelpers.Tests.Cli;

/// <summary>A real <c>nbh train salgan</c> killed with SIGKILL after its first checkpoint, then resumed.</summary>
[Collection(NotebookProcesses.Name)]
public class SalGanResumeTests
{
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
