using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using NotebookHelpers.Tests.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Data;

public sealed class FileDatasetTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>One RGB file per sample; a sample's "value" is its image's constant grey level.</summary>
    private sealed class GreyFiles(IEnumerable<string> paths, TextWriter log, Func<string, Tensor>? load = null)
        : FileDataset<string>(paths, log)
    {
        protected override IEnumerable<string> FilesOf(string sample) => [sample];

        protected override Dictionary<string, Tensor> Load(string sample) =>
            new() { ["image"] = (load ?? ImageIO.LoadRgb)(sample) };
    }

    private string[] WriteGreys(params int[] levels) => levels.Select(level =>
    {
        var path = folder.File($"{level}.png");
        ImageIO.SaveRgb(torch.full([3, 2, 2], level / 255f), path);
        return path;
    }).ToArray();

    private static int Level(Dictionary<string, Tensor> sample) => (int)MathF.Round(sample["image"].mean().item<float>() * 255);

    [Fact]
    public void Validate_drops_samples_with_missing_or_unreadable_files_and_reports_each()
    {
        var paths = WriteGreys(10, 20).Append(folder.File("gone.png")).Append(folder.File("junk.png")).ToArray();
        File.WriteAllText(paths[3], "not an image");
        var log = new StringWriter();
        var dataset = new GreyFiles(paths, log);

        var dropped = dataset.Validate();

        Assert.Equal(2, dropped);
        Assert.Equal(2, dataset.Count);
        Assert.Equal([folder.File("gone.png"), folder.File("junk.png")], dataset.Skipped.Select(skip => skip.Path));
        Assert.Contains("missing", dataset.Skipped[0].Reason);
        Assert.Contains(folder.File("gone.png"), log.ToString());
        Assert.Contains(folder.File("junk.png"), log.ToString());
    }

    [Fact]
    public void Validate_drops_a_truncated_image_and_one_above_the_pixel_limit_before_any_is_decoded()
    {
        var paths = WriteGreys(10, 20, 30);
        File.WriteAllBytes(paths[1], File.ReadAllBytes(paths[1])[..^20]);
        TestPng.WriteBlankGrey(paths[2], width: 20000, height: 20000);
        var dataset = new GreyFiles(paths, TextWriter.Null);

        Assert.Equal(2, dataset.Validate());

        Assert.Equal([paths[1], paths[2]], dataset.Skipped.Select(skip => skip.Path));
        Assert.Contains("is truncated", dataset.Skipped[0].Reason);
        Assert.Contains("above the limit", dataset.Skipped[1].Reason);
        Assert.Equal(10, Level(dataset.GetTensor(0)));
    }

    [Fact]
    public void A_file_that_fails_while_loading_is_replaced_by_the_next_sample_and_reported_once()
    {
        var paths = WriteGreys(10, 20, 30);
        var log = new StringWriter();
        var dataset = new GreyFiles(paths, log);
        dataset.Validate();
        File.Delete(paths[1]);

        Assert.Equal(30, Level(dataset.GetTensor(1)));
        Assert.Equal(30, Level(dataset.GetTensor(1)));
        Assert.Equal(10, Level(dataset.GetTensor(0)));

        var skip = Assert.Single(dataset.Skipped);
        Assert.Equal(paths[1], skip.Path);
        Assert.Equal(1, dataset.SkippedCount);
        Assert.Single(log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_sample_that_failed_to_load_is_not_decoded_again()
    {
        var paths = WriteGreys(10, 20);
        var attempts = new Dictionary<string, int>();
        var dataset = new GreyFiles(paths, TextWriter.Null, load: path =>
        {
            attempts[path] = attempts.GetValueOrDefault(path) + 1;
            return ImageIO.LoadRgb(path);
        });
        File.Delete(paths[0]);

        dataset.GetTensor(0);
        dataset.GetTensor(0);

        Assert.Equal(1, attempts[paths[0]]);
        Assert.Equal(2, attempts[paths[1]]);
    }

    [Fact]
    public void The_last_sample_failing_wraps_round_to_the_first()
    {
        var paths = WriteGreys(10, 20);
        var dataset = new GreyFiles(paths, TextWriter.Null);
        File.WriteAllText(paths[1], "corrupted after validation");

        Assert.Equal(10, Level(dataset.GetTensor(1)));
        Assert.Contains(paths[1], dataset.Skipped.Single().Path);
        Assert.Contains("not a readable PNG/JPEG", dataset.Skipped.Single().Reason);
    }

    [Fact]
    public void Validate_after_a_load_failure_removes_that_sample_for_good()
    {
        var paths = WriteGreys(10, 20, 30);
        var dataset = new GreyFiles(paths, TextWriter.Null);
        File.Delete(paths[0]);
        dataset.GetTensor(0);

        dataset.Validate();

        Assert.Equal([paths[1], paths[2]], dataset.Samples);
        Assert.Equal(1, dataset.SkippedCount);
    }

    [Fact]
    public void When_no_sample_loads_the_error_points_to_Skipped()
    {
        var paths = WriteGreys(10);
        var dataset = new GreyFiles(paths, TextWriter.Null);
        File.Delete(paths[0]);

        var error = Assert.Throws<InvalidDataException>(() => dataset.GetTensor(0));

        Assert.Contains("Skipped", error.Message);
    }

    [Fact]
    public void Errors_that_are_not_file_problems_are_not_hidden()
    {
        var paths = WriteGreys(10, 20);
        var dataset = new GreyFiles(paths, TextWriter.Null, load: _ => throw new ArgumentException("a bug in a transform"));

        Assert.Throws<ArgumentException>(() => dataset.GetTensor(0));
        Assert.Equal(0, dataset.SkippedCount);
    }
}
