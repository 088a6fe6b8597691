using SkiaSharp;

namespace NotebookHelpers.Visualization;

/// <summary>The SkiaSharp plumbing shared by the figures drawn here rather than charted: canvases, text, PNG encoding.</summary>
internal static class Drawing
{
    // DejaVu Sans is on Debian/Ubuntu (and CI images); elsewhere Skia falls back to the platform's default sans.
    static readonly SKTypeface Regular = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
    static readonly SKTypeface Bold = SKTypeface.FromFamilyName("DejaVu Sans", SKFontStyle.Bold) ?? Regular;

    public static SKSurface WhiteSurface(int width, int height)
    {
        var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"Could not create a {width}x{height} drawing surface.");
        surface.Canvas.Clear(SKColors.White);
        return surface;
    }

    public static void Text(SKCanvas canvas, string text, float x, float baseline, float size, bool bold = false, SKTextAlign align = SKTextAlign.Left)
    {
        using var font = new SKFont(bold ? Bold : Regular, size) { Edging = SKFontEdging.Antialias };
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(text, x, baseline, align, font, paint);
    }

    /// <summary>The width in pixels of <paramref name="text"/> in the regular face at <paramref name="size"/>.</summary>
    public static float Measure(string text, float size)
    {
        using var font = new SKFont(Regular, size);
        return font.MeasureText(text);
    }

    /// <summary>Shortens <paramref name="text"/> with an ellipsis until it fits <paramref name="maxWidth"/> pixels.</summary>
    public static string Fit(string text, float maxWidth, float size)
    {
        using var font = new SKFont(Regular, size);
        if (font.MeasureText(text) <= maxWidth) return text;
        for (int length = text.Length - 1; length > 0; length--)
        {
            var shortened = text[..length] + "…";
            if (font.MeasureText(shortened) <= maxWidth) return shortened;
        }
        return "…";
    }

    public static byte[] EncodePng(SKSurface surface)
    {
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
