using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace NotebookHelpers.Tests.Visualization;

/// <summary>Decodes figures to check what was drawn.</summary>
static class Png
{
    public static Image<Rgba32> Decode(byte[] png) => Image.Load<Rgba32>(png);

    /// <summary>How many pixels are within <paramref name="tolerance"/> (sum of channel differences) of a colour.</summary>
    public static int CountNear(Image<Rgba32> image, string hex, int tolerance = 30)
    {
        var target = Rgba32.ParseHex(hex);
        int count = 0;
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
                foreach (var p in rows.GetRowSpan(y))
                    if (Math.Abs(p.R - target.R) + Math.Abs(p.G - target.G) + Math.Abs(p.B - target.B) <= tolerance)
                        count++;
        });
        return count;
    }
}
