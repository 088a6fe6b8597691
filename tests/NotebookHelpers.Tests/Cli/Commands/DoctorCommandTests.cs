namespace NotebookHelpers.Tests.Cli.Commands;

/// <summary><c>nbh doctor</c> as a user runs it on this machine.</summary>
[Collection(NotebookProcesses.Name)]
public class DoctorCommandTests
{
    [Fact]
    public void Doctor_lists_the_machine_the_papers_datasets_and_weights_with_a_verdict()
    {
        var run = ProcessRun.Start(TestPaths.Nbh, ["doctor"], workingDirectory: TestPaths.RepoRoot);
        Assert.True(run.ExitCode == 0, run.Output); // this machine runs the notebooks, so no error rows
        Assert.Contains("salicon", run.StandardOutput);
        Assert.Contains("datasets", run.StandardOutput);
        Assert.Contains("weights", run.StandardOutput);
        Assert.Contains("Ready: the notebooks can run here.", run.StandardOutput);
    }
}
