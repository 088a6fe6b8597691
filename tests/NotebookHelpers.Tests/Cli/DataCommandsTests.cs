using NotebookHelpers.Papers.SalGan;
namespace NotebookHelpers.Tests.Cli;

[Collection(NotebookProcesses.Name)]
public class DataCommandsTests
{
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
}
