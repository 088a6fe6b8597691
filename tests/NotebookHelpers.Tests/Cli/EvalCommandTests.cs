using System.Text.Json;
using NotebookHelpers.Metrics;
using NotebookHelpers.Papers.SalGan;
using NotebookHelpers.Tests.Papers.SalGan;

namespace NotebookHelpers.Tests.Cli;

/// <summary>`nbh eval saliency` as a user runs it: the built program on folders of PNG files.</summary>
[Collection(NotebookProcesses.Name)]
public class EvalCommandTests
{
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
        Assert.Contains("The fixations folder does not exist: " + temp.File("nowhere"), missingFolder.Output);
        Assert.Equal(2, missingOption.ExitCode);
        Assert.Contains("--fixations", missingOption.Output);
    }
}
