using static TorchSharp.torch;

namespace NotebookHelpers.Papers.ScoreCam;

/// <summary>
/// Where a defect is, as DAGM 2007 labels it: an ellipse in the pixels of its image. <see cref="CenterX"/> counts
/// columns and <see cref="CenterY"/> rows, with the centre of the top-left pixel at (0, 0), as OpenCV's
/// <c>cv2.ellipse</c> draws the DAGM labels; <see cref="SemiMajor"/> is the half-length along the direction at
/// <see cref="Angle"/> radians from the x axis towards the y axis (clockwise on the screen, where y points down),
/// <see cref="SemiMinor"/> the half-length across it.
/// <para>
/// A pixel belongs to the defect when its centre (x, y) satisfies
/// <c>(u / SemiMajor)² + (v / SemiMinor)² ≤ 1</c>, with <c>u = (x − CenterX) cos θ + (y − CenterY) sin θ</c> and
/// <c>v = −(x − CenterX) sin θ + (y − CenterY) cos θ</c>.
/// </para>
/// </summary>
public sealed record DefectEllipse(double CenterX, double CenterY, double SemiMajor, double SemiMinor, double Angle)
{
    /// <summary>
    /// (u / SemiMajor)² + (v / SemiMinor)², float64 (<paramref name="height"/>, <paramref name="width"/>): below 1
    /// inside, 0 at the centre. The image of <paramref name="imageHeight"/>×<paramref name="imageWidth"/> the ellipse
    /// was labelled on is seen at <paramref name="height"/>×<paramref name="width"/>: each output pixel's centre is
    /// mapped back to the image as a resize with <c>align_corners=False</c> maps it (x = (c + ½)·W/w − ½), so the
    /// mask lies where the resized image shows the defect.
    /// </summary>
    public Tensor Distance(int imageHeight, int imageWidth, int height, int width)
    {
        if (!(SemiMajor > 0 && SemiMinor > 0))
            throw new ArgumentException($"An ellipse needs positive semi-axes, not {SemiMajor} and {SemiMinor}.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        using var scope = NewDisposeScope();
        var x = (arange(width, ScalarType.Float64) + 0.5) * ((double)imageWidth / width) - 0.5 - CenterX;
        var y = (arange(height, ScalarType.Float64) + 0.5) * ((double)imageHeight / height) - 0.5 - CenterY;
        var (dx, dy) = (x.unsqueeze(0), y.unsqueeze(1));
        var (cos, sin) = (Math.Cos(Angle), Math.Sin(Angle));
        var u = (dx * cos + dy * sin) / SemiMajor;
        var v = (dy * cos - dx * sin) / SemiMinor;
        return (u.square() + v.square()).MoveToOuterDisposeScope();
    }

    /// <summary>Bool (<paramref name="height"/>, <paramref name="width"/>): the pixels inside the ellipse, as <see cref="Distance"/> maps them.</summary>
    public Tensor Mask(int imageHeight, int imageWidth, int height, int width)
    {
        using var distance = Distance(imageHeight, imageWidth, height, width);
        return distance.le(1.0);
    }
}
