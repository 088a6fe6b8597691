using NotebookHelpers.Data;
using NotebookHelpers.Tests.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Data;

public sealed class SyntheticShapesTests
{
    [Fact]
    public void Same_seed_gives_the_same_data_and_another_seed_other_data()
    {
        var first = SyntheticShapes.Generate(4, 24, 32, seed: 7);
        var again = SyntheticShapes.Generate(4, 24, 32, seed: 7);
        var other = SyntheticShapes.Generate(4, 24, 32, seed: 8);

        Assert.True(Tensors.Identical(first.Images, again.Images));
        Assert.True(Tensors.Identical(first.Masks, again.Masks));
        Assert.Equal(first.Shapes.SelectMany(s => s), again.Shapes.SelectMany(s => s));
        Assert.False(Tensors.Identical(first.Images, other.Images));
    }

    [Fact]
    public void Images_and_masks_have_the_documented_shapes_types_and_ranges()
    {
        var data = SyntheticShapes.Generate(3, 20, 28, seed: 1);

        Assert.Equal([3L, 3, 20, 28], data.Images.shape);
        Assert.Equal(ScalarType.Float32, data.Images.dtype);
        Assert.True(data.Images.min().item<float>() >= 0 && data.Images.max().item<float>() <= 1);
        Assert.Equal([3L, 20, 28], data.Masks.shape);
        Assert.Equal(ScalarType.Int64, data.Masks.dtype);
        Assert.Equal(3, data.Shapes.Count);
    }

    [Fact]
    public void Masks_agree_with_the_drawn_colours()
    {
        // A shape pixel has its shape's flat, saturated colour; a background pixel keeps every channel in [64,191].
        const int height = 32, width = 40;
        var data = SyntheticShapes.Generate(6, height, width, seed: 3);
        var bytes = data.Images.mul(255).round().to(ScalarType.Int32).data<int>().ToArray();
        var ids = data.Masks.data<long>().ToArray();

        for (var n = 0; n < 6; n++)
        {
            var colours = data.Shapes[n].ToLookup(shape => (long)shape.Class, shape => (shape.Red, shape.Green, shape.Blue));
            for (var at = 0; at < height * width; at++)
            {
                var pixel = Enumerable.Range(0, 3).Select(c => bytes[(n * 3 + c) * height * width + at]).ToArray();
                var id = ids[n * height * width + at];
                if (id == 0)
                    Assert.All(pixel, value => Assert.InRange(value, 64, 191));
                else
                    Assert.Contains(((byte)pixel[0], (byte)pixel[1], (byte)pixel[2]), colours[id]);
            }
        }
    }

    [Fact]
    public void Every_image_shows_both_a_circle_and_a_rectangle()
    {
        var data = SyntheticShapes.Generate(8, 32, 32, seed: 0);

        for (var n = 0; n < 8; n++)
            Assert.Equal([0L, 1, 2], data.Masks[n].unique().output.data<long>().ToArray());
    }

    [Fact]
    public void Written_folder_loads_back_exactly_through_ImageFolderDataset()
    {
        using var folder = new TempFolder();
        var data = SyntheticShapes.Generate(3, 16, 20, seed: 5);

        data.WriteTo(folder.Path);
        using var dataset = ImageFolderDataset.FromFolders(SyntheticShapes.FolderRoles(folder.Path), log: TextWriter.Null);

        Assert.Equal(3, dataset.Count);
        for (var n = 0; n < 3; n++)
        {
            var sample = dataset.GetTensor(n);
            Assert.True(Tensors.Identical(data.Images[n], sample["image"]));
            Assert.True(Tensors.Identical(data.Masks[n], sample["mask"]));
        }
    }
}
