using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Imaging;

/// <summary>
/// The PASCAL VOC colour map that VOC's SegmentationClass PNGs use as their palette and that segmentation
/// papers use to draw class-id maps: 0 background is black, 255 void is (224,224,192).
/// </summary>
public static class VocColormap
{
    /// <summary>
    /// The colour of class <paramref name="index"/> (0..255): the bits of the index are dealt out three at a time,
    /// bit 0 to red, bit 1 to green, bit 2 to blue, filling each channel from its most significant bit down.
    /// </summary>
    public static (byte R, byte G, byte B) Colour(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, 255);
        int r = 0, g = 0, b = 0;
        for (int shift = 7, bits = index; bits != 0; shift--, bits >>= 3) {
            r |= (bits & 1) << shift;
            g |= ((bits >> 1) & 1) << shift;
            b |= ((bits >> 2) & 1) << shift;
        }
        return ((byte)r, (byte)g, (byte)b);
    }

    /// <summary>
    /// Paints a class-id map (H,W) or batch (N,H,W) with ids in 0..255 as float RGB (3,H,W) or (N,3,H,W) in [0,1],
    /// on the map's device.
    /// </summary>
    public static Tensor Colorize(Tensor ids)
    {
        if (ids.dim() is not (2 or 3) || ids.is_floating_point())
            throw new ArgumentException(
                $"Colorize expects integer class ids (H,W) or (N,H,W), got {ids.dtype} of shape ({string.Join(",", ids.shape)}).",
                nameof(ids));
        using var scope = NewDisposeScope();
        var table = torch.tensor(Table, [256, 3], device: ids.device).div_(255f);
        var rgbLast = table.index_select(0, ids.to(ScalarType.Int64).flatten()).reshape([.. ids.shape, 3L]);
        return rgbLast.movedim([-1], [-3]).contiguous().MoveToOuterDisposeScope();
    }

    private static readonly float[] Table = Enumerable.Range(0, 256)
        .SelectMany(i => {
            var (r, g, b) = Colour(i);
            return new float[] { r, g, b };
        })
        .ToArray();
}
