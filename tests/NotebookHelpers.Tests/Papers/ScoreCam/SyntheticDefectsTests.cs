using NotebookHelpers.Papers.ScoreCam;
using NotebookHelpers.Tests.Imaging;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.ScoreCam;

public class SyntheticDefectsTests
{
    [Fact]
    public void The_same_seed_gives_the_same_images_and_every_texture_appears()
    {
        using var a = SyntheticDefects.Generate(50, 10, 32, seed: 4);
        using var b = SyntheticDefects.Generate(50, 10, 32, seed: 4);
        Assert.True(Tensors.Identical(a.Images, b.Images));
        Assert.True(Tensors.Identical(a.Labels, b.Labels));
        Assert.True(Tensors.Identical(a.Masks, b.Masks));
        Assert.Equal(a.Ellipses, b.Ellipses);
        using (var other = SyntheticDefects.Generate(50, 10, 32, seed: 5))
            Assert.False(Tensors.Identical(a.Images, other.Images));

        Assert.Equal([60L, 3, 32, 32], a.Images.shape);
        Assert.Equal(10, a.Labels.sum().item<long>());
        Assert.Equal(Enum.GetValues<TextureKind>(), a.Textures.Distinct().Order());
        Assert.True(Tensors.Identical(a.Images[.., 0], a.Images[.., 1]), "grey in every channel");
        // Every value is a multiple of 1/255, so a PNG round trip is exact.
        using var scaled = a.Images * 255;
        Assert.True((scaled - scaled.round()).abs().max().item<float>() < 1e-4);
        var labels = a.Labels.data<long>().ToArray();
        for (int i = 0; i < labels.Length; i++)
        {
            Assert.Equal(labels[i] == 1, a.Ellipses[i] is not null);
            Assert.Equal(labels[i] == 1, a.Defects[i] is not null);
        }

        using var weave = SyntheticDefects.Generate(6, 2, 32, seed: 4, TextureKind.Weave);
        Assert.All(weave.Textures, texture => Assert.Equal(TextureKind.Weave, texture));
    }

    [Fact]
    public void The_masks_are_the_rasterised_ellipses_and_empty_without_a_defect()
    {
        using var set = SyntheticDefects.Generate(20, 20, 48, seed: 1);
        for (int i = 0; i < 40; i++)
        {
            if (set.Ellipses[i] is { } ellipse)
            {
                using var expected = ellipse.Mask(48, 48, 48, 48);
                Assert.True(Tensors.Identical(set.Masks[i], expected), $"image {i}");
                Assert.True(expected.any().item<bool>());
            }
            else
                Assert.False(set.Masks[i].any().item<bool>(), $"image {i} has no defect but a mask");
        }
    }

    [Fact]
    public void A_defect_changes_the_surface_inside_its_ellipse_and_nowhere_else()
    {
        // With the same seed and count, image n has the same surface with or without its defect.
        using var defective = SyntheticDefects.Generate(0, 24, 64, seed: 2);
        using var clean = SyntheticDefects.Generate(24, 0, 64, seed: 2);
        Assert.Equal(clean.Textures, defective.Textures);
        Assert.Equal(Enum.GetValues<DefectKind>(), defective.Defects.Select(d => d!.Value).Distinct().Order());
        using var difference = (defective.Images[.., 0] - clean.Images[.., 0]).abs();
        Assert.Equal(0f, difference.masked_select(defective.Masks.logical_not()).max().item<float>());
        for (int i = 0; i < 24; i++)
        {
            var inside = difference[i].masked_select(defective.Masks[i]).mean().item<float>();
            Assert.True(inside > 0.05, $"image {i} ({defective.Textures[i]}, {defective.Defects[i]}): mean change {inside:F3} inside the ellipse");
        }
    }
}
