using static TorchSharp.torch;

namespace NotebookHelpers.Papers.SegNet;

/// <summary>Images the SegNet notebook shows beside its numbers.</summary>
public static class SegNetFigures
{
    /// <summary>The colour of a wrong pixel within the boundary band.</summary>
    public static readonly (byte R, byte G, byte B) BoundaryError = (255, 170, 0);

    /// <summary>The colour of a wrong pixel away from boundaries.</summary>
    public static readonly (byte R, byte G, byte B) InteriorError = (230, 30, 30);

    /// <summary>
    /// Where a prediction is wrong, over the image: the image dimmed to grey, wrong pixels within
    /// <paramref name="radius"/> of a label boundary (<see cref="SegNetExperiment.BoundaryBand"/>) in orange, wrong
    /// pixels elsewhere in red; ignored pixels stay dim. Image (3,H,W) in [0,1], prediction and label (H,W) ids →
    /// (3,H,W) in [0,1].
    /// </summary>
    public static Tensor ErrorMap(Tensor image, Tensor prediction, Tensor label, int? ignore = null, int radius = 1)
    {
        using var scope = NewDisposeScope();
        var grey = image.mean([0], keepdim: true).mul(0.45).add(0.1).expand(3, -1, -1).clone();
        var wrong = prediction.ne(label);
        if (ignore is { } i) wrong &= label.ne(i);
        var band = SegNetExperiment.BoundaryBand(label.unsqueeze(0), radius)[0];
        Paint(grey, wrong & band, BoundaryError);
        Paint(grey, wrong & band.logical_not(), InteriorError);
        return grey.MoveToOuterDisposeScope();
    }

    static void Paint(Tensor rgb, Tensor mask, (byte R, byte G, byte B) colour)
    {
        var values = new[] { colour.R, colour.G, colour.B };
        for (int c = 0; c < 3; c++)
            rgb[c].masked_fill_(mask, values[c] / 255.0);
    }
}
