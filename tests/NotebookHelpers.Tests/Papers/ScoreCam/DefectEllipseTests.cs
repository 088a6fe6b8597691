using NotebookHelpers.Papers.ScoreCam;
using static TorchSharp.torch;

namespace NotebookHelpers.Tests.Papers.ScoreCam;

public class DefectEllipseTests
{
    /// <summary>A mask as rows of '#' (inside) and '.' (outside).</summary>
    static string[] Rows(Tensor mask)
    {
        var (height, width) = ((int)mask.shape[0], (int)mask.shape[1]);
        var inside = mask.data<bool>().ToArray();
        return [.. Enumerable.Range(0, height).Select(y => new string([.. Enumerable.Range(0, width).Select(x => inside[y * width + x] ? '#' : '.')]))];
    }

    [Fact]
    public void An_axis_aligned_ellipse_covers_the_pixel_centres_inside_it()
    {
        // Centre (x 4, y 2), semi-axes 3 along x and 1 along y: row 2 from x = 1 to 7; rows 1 and 3 only at x = 4,
        // where (u/3)² + (±1/1)² = 0 + 1 ≤ 1.
        using var mask = new DefectEllipse(4, 2, 3, 1, 0).Mask(8, 10, 8, 10);
        Assert.Equal(
        [
            "..........",
            "....#.....",
            ".#######..",
            "....#.....",
            "..........",
            "..........",
            "..........",
            "..........",
        ], Rows(mask));
    }

    [Fact]
    public void Rotated_by_90_degrees_the_major_axis_runs_down_the_rows()
    {
        // The same ellipse turned a quarter: column 4 from y = -1 (outside the image) to 5, row 2 from x = 3 to 5.
        using var mask = new DefectEllipse(4, 2, 3, 1, Math.PI / 2).Mask(8, 10, 8, 10);
        Assert.Equal(
        [
            "....#.....",
            "....#.....",
            "...###....",
            "....#.....",
            "....#.....",
            "....#.....",
            "..........",
            "..........",
        ], Rows(mask));
    }

    [Fact]
    public void At_another_size_the_mask_lies_where_the_resized_image_shows_the_defect()
    {
        // A circle of radius 2 about (3.5, 3.5) on an 8×8 image, seen at 4×4: output pixel c is the image's
        // x = (c + ½)·2 − ½ = 2c + ½, so the four centre pixels sit at (2.5 | 4.5, 2.5 | 4.5), √2 from the centre:
        // inside; every other pixel is 3 or more away along one axis: outside.
        var circle = new DefectEllipse(3.5, 3.5, 2, 2, 0);
        using var half = circle.Mask(8, 8, 4, 4);
        Assert.Equal(["....", ".##.", ".##.", "...."], Rows(half));

        // At twice the size: output pixel c is the image's x = (c + ½)/2 − ½, so the mask is the same ellipse with
        // twice the axes about 2·centre + ½, drawn at its own size.
        var ellipse = new DefectEllipse(5.3, 3.1, 3.6, 1.7, 0.7);
        using var doubled = ellipse.Mask(8, 12, 16, 24);
        using var scaled = new DefectEllipse(2 * 5.3 + 0.5, 2 * 3.1 + 0.5, 7.2, 3.4, 0.7).Mask(16, 24, 16, 24);
        Assert.Equal(Rows(scaled), Rows(doubled));
        Assert.InRange(doubled.sum().item<long>(), 60, 90); // π·7.2·3.4 ≈ 77 pixels, a few cut by the border
    }

    [Fact]
    public void An_ellipse_without_area_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new DefectEllipse(4, 4, 0, 2, 0).Mask(8, 8, 8, 8));
    }
}
