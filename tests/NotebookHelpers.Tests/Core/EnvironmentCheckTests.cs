using NotebookHelpers.Core;
using NotebookHelpers.Data;
using NotebookHelpers.Models;
using NotebookHelpers.Tests.Data;

namespace NotebookHelpers.Tests.Core;

/// <summary>`nbh doctor`'s findings: what is there, what is missing and the action for each.</summary>
[Collection(nameof(EnvironmentVariables))]
public sealed class EnvironmentCheckTests : IDisposable
{
    readonly TempFolder folder = new();
    readonly string? savedData = Environment.GetEnvironmentVariable(DatasetLocation.DataDirVariable);
    readonly string? savedWeights = Environment.GetEnvironmentVariable(PretrainedWeights.FolderVariable);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(DatasetLocation.DataDirVariable, savedData);
        Environment.SetEnvironmentVariable(PretrainedWeights.FolderVariable, savedWeights);
        folder.Dispose();
    }

    [Fact]
    public void Doctor_finds_present_data_and_weights_and_says_what_to_do_about_missing_ones()
    {
        Directory.CreateDirectory(folder.File("data", "salicon"));
        Directory.CreateDirectory(folder.File("weights"));
        File.WriteAllBytes(folder.File("weights", "vgg16-397923af.pth"), [0]);
        Environment.SetEnvironmentVariable(DatasetLocation.DataDirVariable, folder.File("data"));
        Environment.SetEnvironmentVariable(PretrainedWeights.FolderVariable, folder.File("weights"));

        var results = EnvironmentCheck.Run();

        Assert.Equal(CheckState.Ok, results.Single(r => r.Item == "libtorch").State);
        Assert.Equal(CheckState.Ok, results.Single(r => r.Area == "datasets" && r.Item == "salicon").State);
        // A missing dataset with its download script says to run it; one whose paper has not landed yet points to the README.
        var camvid = results.Single(r => r.Area == "datasets" && r.Item == "camvid");
        Assert.Equal(CheckState.Missing, camvid.State);
        Assert.Contains("data-scripts/camvid.sh", camvid.Action);
        var synthia = results.Single(r => r.Area == "datasets" && r.Item == "synthia");
        Assert.Equal(CheckState.Missing, synthia.State);
        Assert.Contains("data-scripts/README.md", synthia.Action);
        Assert.Equal(CheckState.Ok, results.Single(r => r.Area == "weights" && r.Item == "vgg16").State);
        var resnet = results.Single(r => r.Area == "weights" && r.Item == "resnet50");
        Assert.Contains("resnet50-0676ba61.pth", resnet.Action);
        Assert.DoesNotContain(results, r => r.State == CheckState.Error);
        Assert.All(results.Where(r => r.State != CheckState.Ok), r => Assert.NotEmpty(r.Action));
    }

    [Fact]
    public void The_checks_list_the_registered_datasets_and_weights_after_the_machine_checks()
    {
        var areas = EnvironmentCheck.Run().Select(r => r.Area).Distinct().ToList();
        Assert.True(areas.IndexOf("datasets") > areas.IndexOf("dotnet"));
        Assert.Contains(EnvironmentCheck.Run(), r => r.Area == "datasets" && r.Item == "salicon");
        Assert.True(areas.IndexOf("weights") > areas.IndexOf("datasets"), string.Join(", ", areas));
    }
}
