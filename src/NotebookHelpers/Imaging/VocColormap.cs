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
        for (int shift = 7, bits = index; bits != 0; shift--, bits >>= 3)
        {
            r |= (bits & 1) << shift;
            g |= ((bits >> 1) & 1) << shift;
            b |= ((bits >> 2) & 1) << shift;
        }
        return ((byte)r, (byte)g, (byte)b);
    }
}
