using NotebookHelpers.Visualization;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Visualization;

public class ImageGridTests
{
    const int Cell = 40, Gap = 6, Caption = 20;

    static Tensor Solid(float r, float g, float b, int height = 8, int width = 8) =>
        stack([full(height, width, r), full(height, width, g), full(height, width, b)]);

    [Fact]
    public void Create_lays_out_rows_of_cells_with_captions_and_matches_the_png_size()
    {
        var grid = ImageGrid.Create([Solid(1, 0, 0), Solid(0, 1, 0), Solid(0, 0, 1)], columns: 2, captions: ["red", "green", "blue"], cellSize: Cell);

        // 2 columns, 2 rows: a gap, then (cell + gap) per column; (cell + caption + gap) per row.
        Assert.Equal((Gap + 2 * (Cell + Gap), Gap + 2 * (Cell + Caption + Gap)), (grid.Width, grid.Height));
        Assert.Equal((grid.Width, grid.Height), Figure.ReadPngSize(grid.Png));
        using var image = Png.Decode(grid.Png);
        Assert.Equal(new Rgba32(255, 0, 0), image[Gap + Cell / 2, Gap + Cell / 2]);
        Assert.Equal(new Rgba32(0, 255, 0), image[2 * Gap + Cell + Cell / 2, Gap + Cell / 2]);
        Assert.Equal(new Rgba32(0, 0, 255), image[Gap + Cell / 2, 2 * Gap + Cell + Caption + Cell / 2]);
        Assert.Equal(new Rgba32(255, 255, 255), image[2 * Gap + Cell + Cell / 2, 2 * Gap + Cell + Caption + Cell / 2]);   // no 4th image
    }

    [Fact]
    public void Cells_take_the_aspect_of_the_images_so_wide_images_leave_no_white_bands()
    {
        var grid = ImageGrid.Create([Solid(0, 0, 0, height: 10, width: 40)], columns: 1, cellSize: Cell);   // cell Cell x Cell/4

        Assert.Equal(Gap + Cell / 4 + Gap, grid.Height);
        using var image = Png.Decode(grid.Png);
        Assert.Equal(new Rgba32(0, 0, 0), image[Gap + Cell / 2, Gap + Cell / 8]);
        Assert.Equal(new Rgba32(0, 0, 0), image[Gap + 1, Gap + 1]);
    }

    [Fact]
    public void A_wide_image_beside_a_square_one_is_fitted_keeping_its_aspect_ratio()
    {
        var grid = ImageGrid.Create([Solid(0, 0, 0, height: 10, width: 40), Solid(255, 0, 0, height: 8, width: 8)], columns: 2, cellSize: Cell);

        Assert.Equal(Gap + Cell + Gap, grid.Height);   // as tall as the square image needs
        using var image = Png.Decode(grid.Png);
        Assert.Equal(new Rgba32(0, 0, 0), image[Gap + Cell / 2, Gap + Cell / 2]);          // drawn Cell x Cell/4, centred
        Assert.Equal(new Rgba32(255, 255, 255), image[Gap + Cell / 2, Gap + 5]);           // white above it
        Assert.Equal(new Rgba32(255, 0, 0), image[2 * Gap + Cell + Cell / 2, Gap + 5]);    // the square one fills its cell
    }

    [Fact]
    public void Grayscale_images_of_shape_HW_and_1HW_are_drawn_gray()
    {
        var (rgba, width, height) = ImageGrid.ToRgba(full(2, 3, 0.5f));

        Assert.Equal((3, 2), (width, height));
        Assert.Equal([128, 128, 128, 255], rgba[..4]);
        Assert.Equal(rgba, ImageGrid.ToRgba(full(1, 2, 3, 0.5f)).Rgba);
    }

    [Fact]
    public void Values_are_clamped_and_NaN_is_black()
    {
        var (rgba, _, _) = ImageGrid.ToRgba(tensor(new[] { -1f, 2f, float.NaN }).view(3, 1, 1));

        Assert.Equal([0, 255, 0, 255], rgba);
    }

    [Fact]
    public void A_batch_tensor_is_split_into_images()
    {
        var grid = ImageGrid.Create(rand(5, 3, 8, 8), columns: 5, cellSize: Cell);

        Assert.Equal(Gap + 5 * (Cell + Gap), grid.Width);
    }

    [Fact]
    public void Rows_put_a_header_over_each_column()
    {
        var grid = ImageGrid.Rows(
            ["image", "prediction", "ground truth"],
            [[Solid(1, 0, 0), Solid(0, 1, 0), Solid(0, 0, 1)], [Solid(1, 0, 0), Solid(0, 1, 0), Solid(0, 0, 1)]],
            cellSize: Cell,
            title: "SegNet on CamVid");

        using var image = Png.Decode(grid.Png);
        Assert.Equal((Gap + 3 * (Cell + Gap), 28 + 24 + 2 * (Cell + Gap)), (image.Width, image.Height));
        Assert.Equal(new Rgba32(0, 0, 255), image[Gap + 2 * (Cell + Gap) + Cell / 2, 28 + 24 + Cell / 2]);
        Assert.True(Png.CountNear(image, "000000", tolerance: 60) > 50, "no header or title text was drawn");
    }

    [Fact]
    public void Wrong_shapes_and_counts_are_argument_errors_that_say_which_image()
    {
        var error = Assert.Throws<ArgumentException>(() => ImageGrid.Create([Solid(1, 1, 1), rand(4, 8, 8)], columns: 2));
        Assert.Contains("image 1 has shape [4, 8, 8]", error.Message);

        Assert.Throws<ArgumentException>(() => ImageGrid.Create([Solid(1, 1, 1)], columns: 1, captions: ["a", "b"]));
        Assert.Throws<ArgumentException>(() => ImageGrid.Rows(["a", "b"], [[Solid(1, 1, 1)]]));
    }
}
