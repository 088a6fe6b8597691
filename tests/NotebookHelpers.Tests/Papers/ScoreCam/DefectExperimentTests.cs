using NotebookHelpers.Notebooks;
using NotebookHelpers.Papers.ScoreCam;
using NotebookHelpers.Tests.Imaging;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.ScoreCam;

public class DefectExperimentTests
{
    [Fact]
    public void Balanced_accuracy_is_the_mean_of_the_two_recalls()
    {
        // Three defects, two found (recall 2/3); five defect-free images, four passed (recall 4/5).
        using var labels = tensor(new long[] { 1, 1, 1, 0, 0, 0, 0, 0 });
        using var predicted = tensor(new long[] { 1, 1, 0, 0, 0, 0, 0, 1 });
        var scores = DefectScores.Of(predicted, labels);
        Assert.Equal(6.0 / 8, scores.Accuracy, 1e-12);
        Assert.Equal((2.0 / 3 + 4.0 / 5) / 2, scores.BalancedAccuracy, 1e-12);
        Assert.Equal(2.0 / 3, scores.DefectRecall, 1e-12);
        Assert.Equal((4L, 1L, 1L, 2L), (scores.TrueNegatives, scores.FalsePositives, scores.FalseNegatives, scores.TruePositives));
        Assert.Equal(["accuracy", "balanced_accuracy", "defect_recall"], scores.Named().Select(n => n.Spec.Name));

        // The majority class, "no defect", for every image: 5/8 right, balanced 1/2, no defect found.
        using var none = zeros_like(labels);
        var majority = DefectScores.Of(none, labels);
        Assert.Equal((5.0 / 8, 0.5, 0.0), (majority.Accuracy, majority.BalancedAccuracy, majority.DefectRecall));
    }

    [Fact]
    public void The_profiles_grow_from_a_narrow_CPU_run_to_the_articles_classifier_on_DAGM()
    {
        var smoke = DefectPlan.For(RunProfile.Smoke, dagmInstalled: true);
        var workshop = DefectPlan.For(RunProfile.Workshop, dagmInstalled: true);
        var paper = DefectPlan.For(RunProfile.Paper, dagmInstalled: true);
        Assert.False(smoke.UseDagm);
        Assert.False(workshop.UseDagm);
        Assert.True(paper.UseDagm);
        Assert.False(DefectPlan.For(RunProfile.Paper, dagmInstalled: false).UseDagm);
        Assert.Equal(new DefectTrainingConfig(), paper.Training);
        Assert.Equal(1.0, paper.Width);
        Assert.True(smoke.Width < workshop.Width && workshop.Width < paper.Width);
        Assert.True(smoke.Training.InputSize < workshop.Training.InputSize);
        Assert.Equal(DefectDataSource.Dagm(3), paper.DefaultData(3));
        Assert.Equal(DefectDataSource.Synthetic(), smoke.DefaultData());
        Assert.Equal(TextureKind.Grain, DefectDataSource.Synthetic(2).Texture);
        Assert.Equal("DAGM 2007 class 3", DefectDataSource.Dagm(3).ToString());
    }

    [Fact]
    public void Synthetic_data_come_in_the_plans_counts_the_held_out_part_from_the_next_seed()
    {
        var plan = new DefectPlan(new DefectTrainingConfig { InputSize = 32 }, 0.25, 10, 3, 6, 2, false);
        var (train, test, description) = DefectExperiment.LoadData(plan, DefectDataSource.Synthetic(), seed: 5);
        using (train)
        using (test)
        {
            Assert.Equal((13L, 3L), (train.Count, train.DefectCount));
            Assert.Equal((8L, 2L), (test.Count, test.DefectCount));
            Assert.Equal([8L, 3, 32, 32], test.Images.shape);
            using var next = SyntheticDefects.Generate(6, 2, 32, seed: 6);
            Assert.True(Tensors.Identical(test.Images, next.Images));
            Assert.Equal(0, DefectExperiment.MajorityClass(train));
            Assert.Contains("13 train / 8 test images, 2 of them with a defect, at 32×32", description);
        }
    }
}
