using NotebookHelpers.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Imaging;

public class TransformsTests
{
    private static float[] Values(Tensor t) => t.contiguous().flatten().data<float>().ToArray();

    [Fact]
    public void Resize_bilinear_2x2_to_4x4_matches_hand_computed_values()
    {
        // align_corners=False: output pixel i reads source coordinate (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25,
        // clamped to [0, 1], so along each axis out = [a, 0.75a + 0.25b, 0.25a + 0.75b, b].
        // Rows [0,1] and [2,3] become [0, .25, .75, 1] and [2, 2.25, 2.75, 3]; mixing those rows the same way gives:
        var expected = new[] {
            0.0f, 0.25f, 0.75f, 1.0f,
            0.5f, 0.75f, 1.25f, 1.5f,
            1.5f, 1.75f, 2.25f, 2.5f,
            2.0f, 2.25f, 2.75f, 3.0f,
        };
        var image = torch.tensor(new[] { 0f, 1f, 2f, 3f }, [1, 2, 2]);

        var resized = ImageTransforms.Resize(image, 4, 4);

        Assert.Equal([1L, 4, 4], resized.shape);
        Assert.Equal(expected, Values(resized), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void Resize_shrinking_is_antialiased_like_torchvision_unless_asked_not_to()
    {
        // Row [0,0,0,1] to 2 pixels. Plain bilinear: output 1 reads coordinate 2.5 → (0 + 1) / 2 = 0.5.
        // Antialiased (scale 2, triangle filter of support 2): output 1 is centred at 3 and weighs pixels 1, 2, 3 by
        // 0.25, 0.75, 0.75, so it is 0.75 / 1.75 = 3/7.
        var row = torch.tensor(new[] { 0f, 0f, 0f, 1f }, [1, 1, 4]);

        var smooth = ImageTransforms.Resize(row, 1, 2);
        var plain = ImageTransforms.Resize(row, 1, 2, antialias: false);

        Assert.Equal(new[] { 0f, 3f / 7 }, Values(smooth), new FloatTolerance(1e-6f));
        Assert.Equal(new[] { 0f, 0.5f }, Values(plain), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void ResizeLabels_keeps_exactly_the_input_ids()
    {
        var ids = torch.tensor(new long[] { 0, 3, 7, 255, 0, 3 }, [2, 3]);

        var up = ImageTransforms.ResizeLabels(ids, 4, 6);
        var down = ImageTransforms.ResizeLabels(ids.repeat(5, 5), 3, 4);

        Assert.Equal(ScalarType.Int64, up.dtype);
        // Doubling each side copies every id into a 2x2 block.
        Assert.True(Tensors.Identical(up, ids.repeat_interleave(2, 0).repeat_interleave(2, 1)));
        Assert.Equal([3L, 4], down.shape);
        Assert.Subset(new HashSet<long> { 0, 3, 7, 255 }, down.unique().output.data<long>().ToHashSet());
    }

    [Fact]
    public void ResizeLabels_on_a_batch_equals_each_map_resized()
    {
        var batch = torch.randint(0, 21, [2, 5, 7], generator: new Generator(7));

        var resized = ImageTransforms.ResizeLabels(batch, 9, 4);

        Assert.Equal([2L, 9, 4], resized.shape);
        Assert.True(Tensors.Identical(resized[1], ImageTransforms.ResizeLabels(batch[1], 9, 4)));
    }

    [Fact]
    public void ResizeShorterSide_follows_torchvision_size_rule()
    {
        Assert.Equal([3L, 10, 15], ImageTransforms.ResizeShorterSide(torch.zeros(3, 20, 30), 10).shape);
        Assert.Equal([3L, 15, 10], ImageTransforms.ResizeShorterSide(torch.zeros(3, 30, 20), 10).shape);
        // int(5 * 10 / 7) = int(7.14) = 7: the longer side is truncated, not rounded.
        Assert.Equal([2L, 3, 5, 7], ImageTransforms.ResizeShorterSide(torch.zeros(2, 3, 7, 10), 5).shape);
    }

    [Fact]
    public void Crop_returns_exactly_the_window()
    {
        // Element [c, y, x] of the arange is c*20 + y*5 + x.
        var image = torch.arange(40, dtype: ScalarType.Float32).reshape(2, 4, 5);

        var window = ImageTransforms.Crop(image, top: 1, left: 2, height: 2, width: 3);

        Assert.Equal(new[] { 7f, 8, 9, 12, 13, 14, 27, 28, 29, 32, 33, 34 }, Values(window));
    }

    [Fact]
    public void Crop_outside_the_image_says_so()
    {
        var error = Assert.Throws<ArgumentException>(() => ImageTransforms.Crop(torch.zeros(3, 4, 5), 3, 0, 2, 2));

        Assert.Contains("4x5", error.Message);
    }

    [Fact]
    public void CenterCrop_rounds_half_offsets_to_even_like_torchvision()
    {
        // Offsets are int(round((size - crop) / 2)) with Python's round: (3 - 2) / 2 = 0.5 → 0, (5 - 2) / 2 = 1.5 → 2.
        // Element [0, y, x] of the arange is y*6 + x.
        var image = torch.arange(36, dtype: ScalarType.Float32).reshape(1, 6, 6);
        Tensor TopLeft(int size) => image.narrow(1, 0, size).narrow(2, 0, size);

        Assert.Equal(new[] { 0f, 1, 6, 7 }, Values(ImageTransforms.CenterCrop(TopLeft(3), 2, 2)));
        Assert.Equal(new[] { 14f, 15, 20, 21 }, Values(ImageTransforms.CenterCrop(TopLeft(5), 2, 2)));
        Assert.Equal(new[] { 7f, 8, 13, 14 }, Values(ImageTransforms.CenterCrop(TopLeft(4), 2, 2)));
    }

    [Fact]
    public void RandomCrop_with_a_seeded_generator_is_reproducible_and_crops_like_Crop_at_the_drawn_origin()
    {
        var image = torch.arange(3 * 10 * 12, dtype: ScalarType.Float32).reshape(3, 10, 12);

        var first = ImageTransforms.RandomCrop(image, 4, 5, new Generator(11));
        var again = ImageTransforms.RandomCrop(image, 4, 5, new Generator(11));
        var (top, left) = ImageTransforms.RandomCropOrigin(10, 12, 4, 5, new Generator(11));

        Assert.True(Tensors.Identical(first, again));
        Assert.True(Tensors.Identical(first, ImageTransforms.Crop(image, top, left, 4, 5)));
    }

    [Fact]
    public void RandomCropOrigin_reaches_every_position_and_no_other()
    {
        var generator = new Generator(3);
        var origins = Enumerable.Range(0, 200).Select(_ => ImageTransforms.RandomCropOrigin(5, 4, 3, 3, generator)).ToHashSet();

        Assert.Equal([(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)], origins.Order());
    }

    [Fact]
    public void HorizontalFlip_mirrors_columns_of_images_batches_and_label_maps()
    {
        var map = torch.tensor(new long[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);

        Assert.Equal(new long[] { 3, 2, 1, 6, 5, 4 }, ImageTransforms.HorizontalFlip(map).flatten().data<long>().ToArray());
        Assert.True(Tensors.Identical(ImageTransforms.HorizontalFlip(map.reshape(1, 1, 2, 3))[0, 0], ImageTransforms.HorizontalFlip(map)));
    }

    [Fact]
    public void NormalizeImageNet_gives_known_values_and_Denormalize_undoes_it()
    {
        // A pixel equal to the mean becomes 0; white becomes (1 - mean) / std = 2.2489, 2.4286, 2.6400.
        var image = torch.stack([
            torch.tensor(new[] { 0.485f, 1f }), torch.tensor(new[] { 0.456f, 1f }), torch.tensor(new[] { 0.406f, 1f })
        ]).reshape(3, 1, 2);

        var normalized = ImageTransforms.NormalizeImageNet(image);

        Assert.Equal(new[] { 0f, 2.24891f, 0f, 2.42857f, 0f, 2.64000f }, Values(normalized), new FloatTolerance(1e-4f));
        Assert.True(ImageTransforms.DenormalizeImageNet(normalized).allclose(image, atol: 1e-6));
    }

    [Fact]
    public void Batched_and_unbatched_inputs_give_the_same_results()
    {
        var batch = torch.rand([2, 3, 6, 8], generator: new Generator(5));
        Func<Tensor, Tensor>[] transforms = [
            x => ImageTransforms.Resize(x, 4, 5),
            x => ImageTransforms.Resize(x, 9, 11, InterpolationMode.Nearest),
            x => ImageTransforms.ResizeShorterSide(x, 3),
            x => ImageTransforms.CenterCrop(x, 3, 3),
            x => ImageTransforms.Crop(x, 1, 2, 3, 4),
            ImageTransforms.HorizontalFlip,
            ImageTransforms.NormalizeImageNet,
            ImageTransforms.DenormalizeImageNet,
        ];

        foreach (var transform in transforms)
        {
            var together = transform(batch);
            for (var n = 0; n < 2; n++)
                Assert.True(together[n].allclose(transform(batch[n]), atol: 1e-6));
        }
    }

    [Fact]
    public void Wrong_rank_fails_with_the_shape_received_and_the_shapes_expected()
    {
        var error = Assert.Throws<ArgumentException>(() => ImageTransforms.Resize(torch.zeros(4, 4), 2, 2));
        Assert.Contains("(4,4)", error.Message);
        Assert.Contains("(C,H,W)", error.Message);
        Assert.Contains("(N,C,H,W)", error.Message);

        Assert.Contains("(1,1,1,2,2)",
            Assert.Throws<ArgumentException>(() => ImageTransforms.HorizontalFlip(torch.zeros([1, 1, 1, 2, 2]))).Message);
        Assert.Contains("(5)", Assert.Throws<ArgumentException>(() => ImageTransforms.NormalizeImageNet(torch.zeros(5))).Message);
    }

    [Fact]
    public void Normalize_with_the_wrong_channel_count_names_both_counts()
    {
        var error = Assert.Throws<ArgumentException>(() => ImageTransforms.NormalizeImageNet(torch.zeros(1, 4, 4)));

        Assert.Contains("1 channels", error.Message);
        Assert.Contains("3", error.Message);
    }

    [Fact]
    public void Bilinear_resize_of_an_integer_tensor_points_to_ResizeLabels()
    {
        var error = Assert.Throws<ArgumentException>(
            () => ImageTransforms.Resize(torch.zeros([1, 4, 4], ScalarType.Int64), 2, 2));

        Assert.Contains("ResizeLabels", error.Message);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
