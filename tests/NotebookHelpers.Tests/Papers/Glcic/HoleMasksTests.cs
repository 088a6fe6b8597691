using NotebookHelpers.Papers.Glcic;
using NotebookHelpers.Tests.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.Glcic;

public class HoleMasksTests
{
    static readonly HoleMaskConfig Small = HoleMaskConfig.For(64);

    [Fact]
    public void At_256_the_holes_are_96_to_128_pixels_a_side_in_a_128_pixel_patch_as_in_the_paper()
    {
        var paper = HoleMaskConfig.For(256);
        Assert.Equal((256, 96, 128, 128, false), (paper.ImageSize, paper.MinHole, paper.MaxHole, paper.LocalSize, paper.FreeForm));
        Assert.Equal(new HoleMaskConfig(), paper); // the record's defaults are the paper's too
    }

    [Fact]
    public void Other_sizes_keep_the_papers_proportions_and_a_size_the_discriminators_cannot_halve_is_refused()
    {
        var small = HoleMaskConfig.For(64);
        Assert.Equal((64, 24, 32, 32), (small.ImageSize, small.MinHole, small.MaxHole, small.LocalSize)); // 3/8, 1/2, 1/2
        var medium = HoleMaskConfig.For(128);
        Assert.Equal((128, 48, 64, 64), (medium.ImageSize, medium.MinHole, medium.MaxHole, medium.LocalSize));
        foreach (int size in new[] { 65, 96, 32, 0 })
        {
            var error = Assert.Throws<ArgumentException>(() => HoleMaskConfig.For(size));
            Assert.Contains($"Image size {size}", error.Message);
        }
    }

    [Fact]
    public void A_sampled_mask_is_exactly_its_hole_rectangle_inside_a_patch_inside_the_image()
    {
        using var generator = new Generator(11);
        using var batch = HoleMasks.Sample(16, Small, generator);
        Assert.Equal([16L, 1, 64, 64], batch.Masks.shape);
        var image = new PixelBox(0, 0, 64, 64);
        for (int i = 0; i < 16; i++)
        {
            var (hole, patch) = (batch.Holes[i], batch.Patches[i]);
            Assert.InRange(hole.Height, 24, 32);
            Assert.InRange(hole.Width, 24, 32);
            Assert.Equal((32, 32), (patch.Height, patch.Width));
            Assert.True(patch.Contains(hole), $"hole {hole} outside its patch {patch}");
            Assert.True(image.Contains(patch), $"patch {patch} outside the image");
            using var mask = batch.Masks[i];
            Assert.Equal(hole.Height * hole.Width, mask.sum().item<float>());
            Assert.Equal(hole, HoleMasks.BoundingBox(mask));
            using var binary = (mask == 0) | (mask == 1);
            Assert.True(binary.all().item<bool>());
        }
        // Over 16 draws the sides are not all the same.
        Assert.True(batch.Holes.Select(h => h.Height).Distinct().Count() > 1);
        Assert.True(batch.Patches.Select(p => p.Top).Distinct().Count() > 1);
    }

    [Fact]
    public void The_same_generator_seed_draws_the_same_holes_and_another_seed_others()
    {
        HoleBatch Draw(ulong seed)
        {
            using var generator = new Generator(seed);
            return HoleMasks.Sample(6, Small, generator);
        }
        using var a = Draw(5);
        using var b = Draw(5);
        using var c = Draw(6);
        Assert.Equal(a.Holes, b.Holes);
        Assert.Equal(a.Patches, b.Patches);
        Assert.True(Tensors.Identical(a.Masks, b.Masks));
        Assert.NotEqual(a.Holes, c.Holes);
    }

    [Fact]
    public void Rectangle_and_BoundingBox_round_trip_and_an_empty_mask_has_no_box()
    {
        var hole = new PixelBox(Top: 3, Left: 5, Height: 4, Width: 7);
        using var mask = HoleMasks.Rectangle(16, hole);
        Assert.Equal([1L, 16, 16], mask.shape);
        Assert.Equal(28f, mask.sum().item<float>());
        Assert.Equal(1f, mask[0, 3, 5].item<float>());
        Assert.Equal(1f, mask[0, 6, 11].item<float>());
        Assert.Equal(0f, mask[0, 7, 11].item<float>());
        Assert.Equal(0f, mask[0, 6, 12].item<float>());
        Assert.Equal(hole, HoleMasks.BoundingBox(mask));
        Assert.Equal(hole, HoleMasks.BoundingBox(mask[0])); // (H,W) too
        Assert.Null(HoleMasks.BoundingBox(zeros(16, 16)));
        Assert.Throws<ArgumentException>(() => HoleMasks.Rectangle(16, hole with { Left = 10 })); // 10 + 7 > 16
        Assert.Throws<ArgumentException>(() => HoleMasks.Rectangle(16, hole with { Height = 0 }));
    }

    [Fact]
    public void Crop_takes_each_images_own_patch()
    {
        // Pixel value = 1000·image + 100·channel + 10·row + column, on a 2×3×8×8 batch: a crop says where it came from.
        using var images = (arange(2).view(2, 1, 1, 1) * 1000 + arange(3).view(1, 3, 1, 1) * 100 + arange(8).view(1, 1, 8, 1) * 10 + arange(8).view(1, 1, 1, 8)).to(ScalarType.Float32);
        PixelBox[] patches = [new(1, 2, 3, 3), new(5, 0, 3, 3)];
        using var crops = HoleMasks.Crop(images, patches);
        Assert.Equal([2L, 3, 3, 3], crops.shape);
        Assert.Equal(12f, crops[0, 0, 0, 0].item<float>()); // image 0, row 1, column 2
        Assert.Equal(1272f, crops[1, 2, 2, 2].item<float>()); // image 1, channel 2, row 5 + 2, column 0 + 2
        Assert.True(Tensors.Identical(crops[1], images[1, .., 5..8, 0..3]));
        Assert.Throws<ArgumentException>(() => HoleMasks.Crop(images, patches[..1]));
    }

    [Fact]
    public void PatchAround_centres_the_patch_on_the_hole_and_moves_it_inside_the_image()
    {
        Assert.Equal(new PixelBox(14, 10, 32, 32), HoleMasks.PatchAround(new PixelBox(20, 16, 20, 20), 64, 32)); // centre (30, 26)
        Assert.Equal(new PixelBox(0, 32, 32, 32), HoleMasks.PatchAround(new PixelBox(0, 50, 10, 14), 64, 32)); // clamped at top and right
    }

    [Fact]
    public void Free_form_strokes_are_non_empty_and_stay_inside_their_patch()
    {
        using var generator = new Generator(21);
        using var batch = HoleMasks.Sample(6, Small with { FreeForm = true }, generator);
        for (int i = 0; i < 6; i++)
        {
            var patch = batch.Patches[i];
            using var mask = batch.Masks[i, 0];
            var area = mask.sum().item<float>();
            Assert.True(area > 0, $"mask {i} is empty");
            Assert.True(area < patch.Height * patch.Width, $"mask {i} fills its whole patch");
            using var inside = HoleMasks.Rectangle(64, patch)[0];
            Assert.Equal(0f, (mask * (1 - inside)).sum().item<float>());
            Assert.Equal(HoleMasks.BoundingBox(mask), batch.Holes[i]);
            Assert.True(patch.Contains(batch.Holes[i]));
        }
    }
}
