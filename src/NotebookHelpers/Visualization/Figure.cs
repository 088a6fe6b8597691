using System.Buffers.Binary;
using System.Net;
using NotebookHelpers.Core;
using NotebookHelpers.Notebooks;

namespace NotebookHelpers.Visualization;

/// <summary>
/// A rendered picture (a chart, an image grid, a legend) as PNG bytes. In a notebook it displays as an image
/// (see <see cref="NotebookDisplay"/>); <see cref="Save"/> writes it for reports; <see cref="ToHtml"/> embeds it in HTML.
/// </summary>
public sealed record Figure(byte[] Png, int Width, int Height, string? Title = null)
{
    static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Wraps PNG bytes, reading the size from the PNG header.</summary>
    /// <exception cref="ArgumentException">The bytes are not a PNG file.</exception>
    public static Figure FromPng(byte[] png, string? title = null)
    {
        var (width, height) = ReadPngSize(png);
        return new Figure(png, width, height, title);
    }

    /// <summary>The width and height stored in a PNG's IHDR chunk (the first chunk, right after the signature).</summary>
    /// <exception cref="ArgumentException">The bytes are not a PNG file.</exception>
    public static (int Width, int Height) ReadPngSize(ReadOnlySpan<byte> png)
    {
        if (png.Length < 24 || !png[..8].SequenceEqual(PngSignature) || !png[12..16].SequenceEqual("IHDR"u8))
            throw new ArgumentException("The bytes are not a PNG image (no PNG signature and IHDR chunk).", nameof(png));
        return (BinaryPrimitives.ReadInt32BigEndian(png[16..20]), BinaryPrimitives.ReadInt32BigEndian(png[20..24]));
    }

    /// <summary>Writes the PNG to <paramref name="path"/> atomically (creating its folder), so a reader never sees half a file.</summary>
    public void Save(string path) => AtomicFile.WriteAllBytes(path, Png);

    /// <summary>An HTML <c>&lt;figure&gt;</c> with the PNG inlined as a data URI and the title as alt text and caption.</summary>
    public string ToHtml()
    {
        var alt = WebUtility.HtmlEncode(Title ?? "figure");
        var img = $"<img src=\"data:image/png;base64,{Convert.ToBase64String(Png)}\" alt=\"{alt}\" width=\"{Width}\" height=\"{Height}\">";
        var caption = Title is null ? "" : $"<figcaption style=\"font-family:sans-serif;font-size:13px\">{WebUtility.HtmlEncode(Title)}</figcaption>";
        return $"<figure style=\"margin:0\">{img}{caption}</figure>";
    }

    /// <summary>A one-line summary for consoles and logs: <c>[figure: Loss curve, 640x400]</c>.</summary>
    public override string ToString() => Title is null ? $"[figure: {Width}x{Height}]" : $"[figure: {Title}, {Width}x{Height}]";
}
