using System.Text.Json;
using NotebookHelpers.Core;
using NotebookHelpers.Imaging;
using NotebookHelpers.Notebooks;
using NotebookHelpers.Papers.Glcic;
using NotebookHelpers.Tests.Imaging;
using NotebookHelpers.Training;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.Glcic;

/// <summary>The run <c>nbh train glcic</c> makes and what <c>nbh complete</c> does with it, in process.</summary>
[Collection(nameof(GlobalRandomState))]
public class GlcicRunTests
{
    // 8 structured scenes in batches of 4, width 4: T_C 3, T_D 1, T_train 6, so the run passes through all three phases.
    static readonly GlcicPlan Tiny = new(64, new GlcicNetworkConfig { Width = 4 },
        new GlcicTrainingConfig { CompletionIterations = 3, DiscriminatorIterations = 1, TotalIterations = 6, BatchSize = 4 }, TrainImages: 8, TestImages: 2, UsePlaces2: false);

    static GlcicRunRequest Request(string folder, bool resume = false) => new(Tiny, RunProfile.Smoke, GlcicVariant.Paper, folder, Seed: 1, resume, CheckpointEvery: 2);

    [Fact]
    public void A_run_checkpoints_scores_and_loads_back_into_a_trainer_that_completes_as_the_trained_one()
    {
        using var folder = new TempFolder();
        var output = new StringWriter();
        var shown = new List<long>();
        var result = GlcicRun.Train(Request(folder.Path), output, (step, total, _) => shown.Add(step));

        Assert.Equal(6, result.Checkpoint.Step);
        Assert.Equal([1L, 2, 3, 4, 5, 6], shown);
        Assert.Contains("T_C 3, T_D 1, T_train 6, batch 4, Adadelta", output.ToString());
        using (var scores = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "scores.json"))))
        {
            Assert.Equal(["variant", "evaluated", "images", "scores", "seam_L1"], scores.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Equal(2, scores.RootElement.GetProperty("images").GetInt32());
            Assert.Equal(result.SeamRaw, scores.RootElement.GetProperty("seam_L1").GetProperty("raw").GetDouble());
        }
        var log = MetricsLog.LoadCsv(Path.Combine(folder.Path, "metrics.csv"));
        Assert.Equal([1L, 2, 3, 4, 5, 6], log.Series("hole_mse").Steps);
        Assert.Equal([4L, 5, 6], log.Series("d_loss").Steps); // phases 2 and 3
        Assert.Equal([5L, 6], log.Series("adversarial").Steps); // phase 3
        Assert.Equal([2L, 4, 6], log.Series(GlcicExperiment.ValidationMse).Steps); // every epoch of 2 batches

        var (trainer, saved, checkpoint) = GlcicRun.Load(folder.Path, TorchRuntime.Device);
        using (trainer)
        {
            Assert.Equal(6, checkpoint.Step);
            Assert.Equal((GlcicVariant.Paper, 64, 1), (saved.Variant, saved.ImageSize, saved.Seed));
            Assert.Equal(Tiny.Network, saved.Network);
            Assert.Equal(Tiny.Training, saved.Training);
            using var train = StructuredScenes.Generate(8, 64, seed: 1);
            Assert.Equal(GlcicExperiment.MeanColour(train), saved.MeanColour);
            Assert.Equal(saved.MeanColour, trainer.MeanColour);

            // The held-out images and holes the run scored, completed again by the loaded networks: the same scores.
            using var test = StructuredScenes.Generate(2, 64, seed: 2);
            using var holes = GlcicExperiment.TestHoles(2, Tiny.Masks, seed: 1);
            using var set = GlcicExperiment.Complete(trainer, test, holes.Masks, TorchRuntime.Device);
            foreach (var (name, scores) in GlcicExperiment.Score(set))
                Assert.Equal(result.Scores[name].Named().Select(s => s.Value), scores.Named().Select(s => s.Value));
            Assert.Equal(result.SeamBlended, GlcicExperiment.SeamL1(set.Originals, set.Blended, set.Masks));
        }

        var refused = Assert.Throws<RunFolderRefusedException>(() => GlcicRun.Train(Request(folder.Path), TextWriter.Null));
        Assert.Contains("--resume", refused.Message);
    }

    [Fact]
    public void Loading_a_folder_without_a_checkpoint_says_how_to_make_one()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<FileNotFoundException>(() => GlcicRun.Load(folder.Path, CPU));
        Assert.Contains("nbh train glcic", error.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_image_of_any_size_comes_back_at_its_size_with_every_pixel_outside_the_hole_unchanged(bool blend)
    {
        manual_seed(1);
        using var trainer = GlcicExperiment.CreateTrainer(Tiny, GlcicVariant.Paper, [0.4f, 0.5f, 0.6f], CPU);
        // 50×70 is no multiple of 4 in either direction; one hole touches the bottom-right corner, where the padding is.
        using var image = rand(3, 50, 70);
        using var mask = zeros(50, 70);
        mask[10..22, 8..30] = 1;
        mask[40..50, 58..70] = 1;
        using var completed = GlcicRun.CompleteImage(trainer, image, mask, blend, CPU);
        Assert.Equal([3L, 50, 70], completed.shape);
        using var outside = (mask == 0).expand_as(image);
        using var inside = (mask == 1).expand_as(image);
        Assert.True(Tensors.Identical(completed.masked_select(outside), image.masked_select(outside)));
        Assert.True((completed - image).abs().masked_select(inside).mean().item<float>() > 0.05, "the hole kept the input");
        Assert.InRange(completed.min().item<float>(), 0f, 1f);
        Assert.InRange(completed.max().item<float>(), 0f, 1f);
    }

    [Fact]
    public void A_mask_marks_the_pixels_of_grey_0_2_or_more()
    {
        using var folder = new TempFolder();
        // Grey levels 0, 48 (0.188), 50 (0.196), 51 (0.2), 54 (0.212) and 255 along one row, twice.
        byte[] levels = [0, 48, 50, 51, 54, 255];
        using var map = tensor(levels.Concat(levels).Select(l => l / 255f).ToArray(), [2, 6]);
        var path = folder.File("mask.png");
        ImageIO.SaveGray(map, path);
        using var hole = GlcicRun.ReadMask(path, 2, 6);
        Assert.Equal([2L, 6], hole.shape);
        Assert.Equal(new float[] { 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1 }, hole.data<float>().ToArray());
    }

    [Fact]
    public void A_mask_of_another_size_or_without_a_hole_or_all_hole_is_refused_naming_the_file()
    {
        using var folder = new TempFolder();
        var path = folder.File("mask.png");
        ImageIO.SaveGray(HoleMasks.Rectangle(40, new PixelBox(5, 5, 10, 10)), path);
        var size = Assert.Throws<InvalidDataException>(() => GlcicRun.ReadMask(path, 50, 70));
        Assert.Contains(path, size.Message);
        Assert.Contains("40×40 but the image is 70×50", size.Message);

        ImageIO.SaveGray(full(40, 40, 0.19f), path);
        var empty = Assert.Throws<InvalidDataException>(() => GlcicRun.ReadMask(path, 40, 40));
        Assert.Contains("marks no pixel", empty.Message);
        ImageIO.SaveGray(full(40, 40, 0.21f), path);
        var everything = Assert.Throws<InvalidDataException>(() => GlcicRun.ReadMask(path, 40, 40));
        Assert.Contains("marks every pixel", everything.Message);
        Assert.Contains(path, everything.Message);
    }
}
