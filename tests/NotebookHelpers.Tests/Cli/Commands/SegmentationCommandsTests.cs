using System.Text.Json;
using NotebookHelpers.Imaging;
using NotebookHelpers.Metrics;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Cli.Commands;

/// <summary><c>nbh eval segmentation</c> on small folders of class-id PNGs the tests write.</summary>
[Collection(NotebookProcesses.Name)]
public sealed class SegmentationCommandsTests : IDisposable
{
    readonly TempFolder temp = new();

    string Predictions => temp.File("pred");
    string Labels => temp.File("labels");

    public SegmentationCommandsTests()
    {
        Directory.CreateDirectory(Predictions);
        Directory.CreateDirectory(Labels);
    }

    public void Dispose() => temp.Dispose();

    static ProcessRun Nbh(params string[] args) => ProcessRun.Start(TestPaths.Nbh, ["eval", "segmentation", .. args],
        environment: new Dictionary<string, string> { ["NBH_DEVICE"] = "cpu" });

    static void AssertNoTrace(ProcessRun run)
    {
        Assert.DoesNotContain("   at ", run.Output);
        Assert.DoesNotContain("(Parameter '", run.Output);
    }

    /// <summary>A 12×16 map: columns 0..<paramref name="split"/>−1 class 0, the rest class 1.</summary>
    static Tensor Halves(int split)
    {
        var map = zeros([12, 16], ScalarType.Int64);
        map[TensorIndex.Colon, TensorIndex.Slice(split, 16)] = tensor(1L);
        return map;
    }

    /// <summary>
    /// Two images of 3 classes (class 2 in neither): "a", labels split at column 8, predicted at column 9, so one
    /// column of class 1 (12 pixels) is called 0; "b", labels split at 8 with row 0 void (255), predicted right.
    /// Counts: n00 = 96 + 88 = 184, n10 = 12, n11 = 84 + 88 = 172; T = 368.
    /// global = 356/368; IoU0 = 184/(184 + 196 − 184) = 184/196; IoU1 = 172/(184 + 172 − 172) = 172/184; IoU2 undefined.
    /// </summary>
    void WriteTwoImages()
    {
        ImageIO.SaveClassIds(Halves(8), Path.Combine(Labels, "a.png"));
        ImageIO.SaveClassIds(Halves(9), Path.Combine(Predictions, "a.png"));
        var voidTop = Halves(8);
        voidTop[0] = tensor(255L);
        ImageIO.SaveClassIds(voidTop, Path.Combine(Labels, "b.png"));
        ImageIO.SaveClassIds(Halves(8), Path.Combine(Predictions, "b.png"));
    }

    [Fact]
    public void Json_prints_one_object_with_the_metric_keys_and_the_hand_computed_scores()
    {
        WriteTwoImages();
        var expected = SegmentationEvaluation.EvaluateFolders(Predictions, Labels, 3, device: CPU).Scores;

        var run = Nbh("--predictions", Predictions, "--labels", Labels, "--classes", "3", "--json");

        Assert.True(run.ExitCode == 0, run.Output);
        using var json = JsonDocument.Parse(run.Output); // throws if anything but one JSON value was printed
        var root = json.RootElement;
        Assert.Equal(["pixel_accuracy", "mean_accuracy", "mIoU", "fwIoU", "per_class_IoU", "BF", "count"],
            root.EnumerateObject().Select(property => property.Name));
        Assert.Equal(2, root.GetProperty("count").GetInt32());
        Assert.Equal(356.0 / 368, root.GetProperty("pixel_accuracy").GetDouble(), 1e-12);
        var perClass = root.GetProperty("per_class_IoU").EnumerateArray().ToList();
        Assert.Equal(3, perClass.Count);
        Assert.Equal(184.0 / 196, perClass[0].GetDouble(), 1e-12);
        Assert.Equal(172.0 / 184, perClass[1].GetDouble(), 1e-12);
        Assert.Equal(JsonValueKind.Null, perClass[2].ValueKind);
        Assert.Equal((184.0 / 196 + 172.0 / 184) / 2, root.GetProperty("mIoU").GetDouble(), 1e-12);
        foreach (var (name, value) in expected.Named())
            Assert.Equal(value!.Value, root.GetProperty(name).GetDouble(), 1e-12);
        Assert.InRange(root.GetProperty("BF").GetDouble(), 0.5, 1.0);
    }

    [Fact]
    public void The_tables_list_the_scores_and_each_class_and_no_boundary_leaves_bf_out()
    {
        WriteTwoImages();
        string[] folders = ["--predictions", Predictions, "--labels", Labels, "--classes", "3"];

        var table = Nbh(folders);
        var json = Nbh([.. folders, "--no-boundary", "--json", "--ignore", "255"]);

        Assert.True(table.ExitCode == 0, table.Output);
        foreach (var text in new[] { "pixel_accuracy (global)", "mean_accuracy (class avg.)", "mIoU", "fwIoU", "BF", "96.7 %", "Class", "absent" })
            Assert.Contains(text, table.Output);
        Assert.True(json.ExitCode == 0, json.Output);
        using var document = JsonDocument.Parse(json.StandardOutput);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("BF").ValueKind);
        Assert.Equal(JsonValueKind.Number, document.RootElement.GetProperty("mIoU").ValueKind);
    }

    [Fact]
    public void Every_file_left_out_is_named_the_scores_cover_the_rest_and_the_exit_code_is_1()
    {
        WriteTwoImages();
        ImageIO.SaveClassIds(Halves(4), Path.Combine(Labels, "lonely-label.png"));
        ImageIO.SaveClassIds(Halves(4), Path.Combine(Predictions, "lonely-prediction.png"));
        ImageIO.SaveClassIds(zeros([10, 10], ScalarType.Int64), Path.Combine(Predictions, "small.png"));
        ImageIO.SaveClassIds(Halves(8), Path.Combine(Labels, "small.png"));
        var whole = File.ReadAllBytes(Path.Combine(Labels, "a.png"));
        File.WriteAllBytes(Path.Combine(Predictions, "cut.png"), whole[..(whole.Length / 2)]);
        ImageIO.SaveClassIds(Halves(8), Path.Combine(Labels, "cut.png"));
        ImageIO.SaveClassIds(full([12, 16], 7L, ScalarType.Int64), Path.Combine(Predictions, "seven.png"));
        ImageIO.SaveClassIds(Halves(8), Path.Combine(Labels, "seven.png"));

        var run = Nbh("--predictions", Predictions, "--labels", Labels, "--classes", "3", "--json");

        Assert.Equal(1, run.ExitCode);
        AssertNoTrace(run);
        Assert.Contains("lonely-label.png: no prediction", run.Output);
        Assert.Contains("lonely-prediction.png: no label", run.Output);
        Assert.Contains("small.png: 10×10 pixels, but its label small.png is 16×12", run.Output);
        Assert.Contains("cut.png: unreadable:", run.Output);
        Assert.Contains("truncated", run.Output);
        Assert.Contains("seven.png: value 7 at (x=0, y=0) is not a class id 0..2", run.Output);
        Assert.Contains("5 problem(s): the scores cover 2 image(s)", run.Output);
        using var json = JsonDocument.Parse(run.StandardOutput); // the scores of the two good images, still one object
        Assert.Equal(2, json.RootElement.GetProperty("count").GetInt32());
        Assert.Equal(356.0 / 368, json.RootElement.GetProperty("pixel_accuracy").GetDouble(), 1e-12);
    }

    [Fact]
    public void Labels_outside_the_classes_are_noted_and_empty_folders_are_a_problem()
    {
        ImageIO.SaveClassIds(Halves(8), Path.Combine(Labels, "a.png"));
        ImageIO.SaveClassIds(Halves(8), Path.Combine(Predictions, "a.png"));

        var oneClass = Nbh("--predictions", Predictions, "--labels", Labels, "--classes", "1", "--json");
        Assert.True(oneClass.ExitCode == 0, oneClass.Output);
        Assert.Contains("note: 96 label pixel(s) are outside the class ids 0..0", oneClass.Output);
        Assert.Contains("first: a.png holds 1", oneClass.Output);

        var empty = temp.File("empty");
        Directory.CreateDirectory(empty);
        var none = Nbh("--predictions", empty, "--labels", empty, "--classes", "3");
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("no PNG files", none.Output);
        AssertNoTrace(none);
    }

    [Fact]
    public void Usage_errors_exit_2_with_one_line_naming_the_option()
    {
        string[] folders = ["--predictions", Predictions, "--labels", Labels];
        var cases = new (string[] Args, string Text)[]
        {
            ([.. folders, "--classes", "0"], "--classes 0: give the number of classes, a whole number from 1 to 256."),
            ([.. folders, "--classes", "257"], "--classes 257"),
            ([.. folders, "--classes", "eleven"], "--classes eleven"),
            ([.. folders, "--classes", "3", "--ignore", "256"], "--ignore 256: give a label value or none"),
            (["--predictions", Predictions, "--classes", "3"], "Give --labels DIR"),
            ([.. folders], "Give --classes N"),
            (["--predictions", Predictions, "--labels", temp.File("nowhere"), "--classes", "3"], "--labels: there is no folder " + temp.File("nowhere")),
            ([.. folders, "--classes", "3", "--bogus"], "Unknown argument(s): --bogus"),
        };
        foreach (var (args, text) in cases)
        {
            var run = Nbh(args);
            Assert.True(run.ExitCode == 2, $"{string.Join(' ', args)}: exit {run.ExitCode}\n{run.Output}");
            Assert.Contains(text, run.Output);
            AssertNoTrace(run);
            Assert.Single(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
    }
}
