using NotebookHelpers.Notebooks;
using NotebookHelpers.Papers.Glcic;
using NotebookHelpers.Tests.Imaging;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.Glcic;

[Collection(nameof(GlobalRandomState))]
public class GlcicExperimentTests
{
    static readonly HoleMaskConfig Masks = HoleMaskConfig.For(64);

    /// <summary>A (N,1,S,S) batch of rectangular holes.</summary>
    static Tensor Holes(int size, params PixelBox[] holes) => stack(holes.Select(h => HoleMasks.Rectangle(size, h)));

    [Fact]
    public void The_CPU_profiles_train_width_16_networks_at_64_and_the_paper_profile_is_the_paper()
    {
        var smoke = GlcicPlan.For(RunProfile.Smoke, places2Installed: true);
        Assert.Equal((64, 16, 768, 64, false), (smoke.ImageSize, smoke.Network.Width, smoke.TrainImages, smoke.TestImages, smoke.UsePlaces2));
        Assert.Equal((200L, 20L, 240L, 16), (smoke.Training.CompletionIterations, smoke.Training.DiscriminatorIterations, smoke.Training.TotalIterations, smoke.Training.BatchSize));
        Assert.Equal((0.0004, GlcicOptimizer.Adadelta), (smoke.Training.Alpha, smoke.Training.Optimizer));
        Assert.Equal(HoleMaskConfig.For(64), smoke.Masks);

        var workshop = GlcicPlan.For(RunProfile.Workshop, places2Installed: true);
        Assert.Equal((64, 16, 2048, 128, false), (workshop.ImageSize, workshop.Network.Width, workshop.TrainImages, workshop.TestImages, workshop.UsePlaces2));
        Assert.Equal((1500L, 100L, 2000L, 16), (workshop.Training.CompletionIterations, workshop.Training.DiscriminatorIterations, workshop.Training.TotalIterations, workshop.Training.BatchSize));

        var paper = GlcicPlan.For(RunProfile.Paper, places2Installed: true);
        Assert.Equal((256, 64, true), (paper.ImageSize, paper.Network.Width, paper.UsePlaces2));
        Assert.Equal(new GlcicTrainingConfig(), paper.Training); // T_C 90,000, T_D 10,000, T_train 500,000, batch 96
        Assert.Equal(new GlcicNetworkConfig(), paper.Network);
        Assert.Equal(new HoleMaskConfig(), paper.Masks);
        var withoutPlaces2 = GlcicPlan.For(RunProfile.Paper, places2Installed: false);
        Assert.Equal((false, 20_000, 500), (withoutPlaces2.UsePlaces2, withoutPlaces2.TrainImages, withoutPlaces2.TestImages));
    }

    [Fact]
    public void The_article_variant_changes_the_non_linearities_and_the_optimiser_only()
    {
        var plan = GlcicPlan.For(RunProfile.Smoke, false);
        Assert.Equal((plan.Network, plan.Training), plan.For(GlcicVariant.Paper));
        var (network, training) = plan.For(GlcicVariant.Article);
        Assert.Equal(plan.Network with { Activation = GlcicActivation.LeakyRelu, Output = GlcicOutput.Tanh }, network);
        Assert.Equal(plan.Training with { Optimizer = GlcicOptimizer.Adam, LearningRate = 2e-4 }, training);
    }

    [Fact]
    public void Erosion_shrinks_a_10_by_10_hole_to_8_by_8_and_the_seam_is_what_it_removes()
    {
        using var masks = Holes(20, new PixelBox(5, 5, 10, 10));
        using var eroded = GlcicExperiment.Erode(masks, 1);
        Assert.Equal(64f, eroded.sum().item<float>());
        Assert.Equal(new PixelBox(6, 6, 8, 8), HoleMasks.BoundingBox(eroded[0]));
        using var twice = GlcicExperiment.Erode(masks, 2);
        Assert.Equal(new PixelBox(7, 7, 6, 6), HoleMasks.BoundingBox(twice[0]));
        using var none = GlcicExperiment.Erode(masks, 0);
        Assert.True(Tensors.Identical(none, masks));
        using var seam = GlcicExperiment.Seam(masks, width: 2);
        Assert.Equal(100f - 36f, seam.sum().item<float>()); // the 10×10 hole less its 6×6 core
        Assert.Equal(0f, (seam * (1 - masks)).sum().item<float>()); // inside the hole only
    }

    [Fact]
    public void The_seam_error_of_a_perfect_completion_is_0_and_of_a_flat_wrong_colour_its_distance()
    {
        // A grey 0.2 image (51 of 255) filled with 0.6 (153): every seam pixel is off by 102.
        using var image = full(2, 3, 32, 32, 0.2f);
        using var masks = Holes(32, new PixelBox(8, 8, 12, 12), new PixelBox(0, 14, 10, 18));
        Assert.Equal(0.0, GlcicExperiment.SeamL1(image, image.clone(), masks));
        using var wrong = GlcicTrainer.Composite(image, full_like(image, 0.6f), masks);
        Assert.Equal(102.0, GlcicExperiment.SeamL1(image, wrong, masks), 1e-9);
        // A wrong pixel deep inside the hole is no part of the seam.
        using var core = GlcicExperiment.Erode(masks, 2);
        using var deep = GlcicTrainer.Composite(image, full_like(image, 0.6f), core);
        Assert.Equal(0.0, GlcicExperiment.SeamL1(image, deep, masks));
    }

    [Fact]
    public void Post_processing_changes_no_pixel_outside_the_hole_stays_in_0_1_and_removes_a_colour_offset_at_the_seam()
    {
        // A smooth image completed with the right gradients but 0.3 too bright, and a hole of noise far outside [0,1]:
        // blending keeps the gradients and meets the surroundings at the edge.
        using var ramp = linspace(0.1, 0.6, 48).view(1, 1, 1, 48).expand(2, 3, 48, 48).contiguous();
        using var masks = Holes(48, new PixelBox(10, 12, 20, 16), new PixelBox(20, 20, 18, 18));
        using var offset = GlcicTrainer.Composite(ramp, ramp + 0.3f, masks);
        using var blended = GlcicExperiment.PostProcess(offset, masks);
        using var outside = (masks == 0).expand_as(ramp);
        Assert.True(Tensors.Identical(blended.masked_select(outside), ramp.masked_select(outside)));
        double before = GlcicExperiment.SeamL1(ramp, offset, masks), after = GlcicExperiment.SeamL1(ramp, blended, masks);
        Assert.Equal(76.5, before, 1.0); // 0.3 of 255
        Assert.True(after < 0.1 * before, $"seam L1 {before:F2} → {after:F2}");

        manual_seed(8);
        using var wild = GlcicTrainer.Composite(ramp, randn(2, 3, 48, 48) * 3, masks);
        using var tamed = GlcicExperiment.PostProcess(wild, masks);
        Assert.InRange(tamed.min().item<float>(), 0f, 1f);
        Assert.InRange(tamed.max().item<float>(), 0f, 1f);
        Assert.True(Tensors.Identical(tamed.masked_select(outside), ramp.masked_select(outside)));
        // One image (3,H,W) gives the same as in a batch.
        using var single = GlcicExperiment.PostProcess(offset[1], masks[1]);
        Assert.True(single.allclose(blended[1], atol: 1e-6));
    }

    [Fact]
    public void Scoring_a_completion_set_gives_the_four_fills_and_a_perfect_fill_scores_perfectly()
    {
        using var image = full(1, 3, 32, 32, 0.2f);
        using var masks = Holes(32, new PixelBox(8, 8, 12, 12));
        var meanFill = GlcicTrainer.Composite(image, full_like(image, 0.6f), masks);
        using var set = new CompletionSet(image.clone(), masks.clone(), meanFill, GlcicExperiment.PostProcess(meanFill, masks), image.clone(), image.clone());
        var scores = GlcicExperiment.Score(set);
        Assert.Equal(["mean colour", "fast marching + Poisson, no network", "GLCIC (raw)", "GLCIC (blended)"], scores.Keys);
        Assert.Equal(102.0, scores["mean colour"].HoleL1, 1e-9);
        Assert.Equal(102.0 * 144 / 1024, scores["mean colour"].L1, 1e-9); // the hole is 144 of 1024 pixels
        Assert.Equal(0.0, scores["GLCIC (raw)"].HoleL1);
        Assert.Equal(100.0, scores["GLCIC (raw)"].Psnr); // identical images: the cap
        // Fast marching from a flat surround fills the hole with the surround's colour.
        Assert.True(scores["fast marching + Poisson, no network"].HoleL1 < 1, $"{scores["fast marching + Poisson, no network"].HoleL1}");
        Assert.Equal(1, set.Count);
        using var masked = set.Masked();
        Assert.Equal(1f, masked[0, 0, 10, 10].item<float>()); // the hole painted white
    }

    [Fact]
    public void Completing_a_test_set_composites_every_fill_into_the_original()
    {
        manual_seed(9);
        var plan = GlcicPlan.For(RunProfile.Smoke, false) with { Network = new GlcicNetworkConfig { Width = 4 } };
        using var images = StructuredScenes.Generate(3, 64, seed: 2);
        var mean = GlcicExperiment.MeanColour(images);
        using var trainer = GlcicExperiment.CreateTrainer(plan, GlcicVariant.Paper, mean, CPU);
        using var holes = GlcicExperiment.TestHoles(3, plan.Masks, seed: 0);
        using var set = GlcicExperiment.Complete(trainer, images, holes.Masks, CPU, blend: true, batchSize: 2);
        using var outside = (holes.Masks == 0).expand_as(images);
        using var inside = (holes.Masks == 1).expand_as(images);
        foreach (var fill in new[] { set.MeanFilled, set.Classical, set.Raw, set.Blended })
            Assert.True(Tensors.Identical(fill.masked_select(outside), images.masked_select(outside)));
        using var meanColour = tensor(mean).view(1, 3, 1, 1).expand_as(images);
        Assert.True(Tensors.Identical(set.MeanFilled.masked_select(inside), meanColour.masked_select(inside)));
        Assert.False(Tensors.Identical(set.Raw, set.Blended));
    }

    [Fact]
    public void The_holes_of_an_iteration_depend_only_on_the_seed_the_step_and_the_stream()
    {
        using var a = GlcicExperiment.HolesAt(12, 0, 4, Masks, seed: 3);
        using var again = GlcicExperiment.HolesAt(12, 0, 4, Masks, seed: 3);
        using var nextStep = GlcicExperiment.HolesAt(13, 0, 4, Masks, seed: 3);
        using var otherStream = GlcicExperiment.HolesAt(12, 1, 4, Masks, seed: 3);
        using var otherSeed = GlcicExperiment.HolesAt(12, 0, 4, Masks, seed: 4);
        Assert.Equal(a.Holes, again.Holes);
        Assert.Equal(a.Patches, again.Patches);
        Assert.True(Tensors.Identical(a.Masks, again.Masks));
        Assert.NotEqual(a.Holes, nextStep.Holes);
        Assert.NotEqual(a.Patches, otherStream.Patches);
        Assert.NotEqual(a.Holes, otherSeed.Holes);
        // The global generator plays no part (a resumed run draws the same holes).
        manual_seed(123);
        using var afterReseed = GlcicExperiment.HolesAt(12, 0, 4, Masks, seed: 3);
        Assert.Equal(a.Holes, afterReseed.Holes);

        using var test = GlcicExperiment.TestHoles(4, Masks, seed: 3);
        using var testAgain = GlcicExperiment.TestHoles(4, Masks, seed: 3);
        Assert.Equal(test.Holes, testAgain.Holes);
        Assert.NotEqual(test.Holes, a.Holes);
    }
}
