using NotebookHelpers.Tests.Training;
using NotebookHelpers.Visualization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace NotebookHelpers.Tests.Visualization;

public class FigureTests
{
    static byte[] SmallPng(int width, int height)
    {
        using var image = new Image<Rgba32>(width, height, new Rgba32(10, 20, 30));
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    [Fact]
    public void FromPng_reads_the_size_from_the_IHDR_chunk()
    {
        var figure = Figure.FromPng(SmallPng(7, 5), "tiny");

        Assert.Equal((7, 5, "tiny"), (figure.Width, figure.Height, figure.Title));
    }

    [Fact]
    public void FromPng_rejects_bytes_that_are_not_a_png()
    {
        Assert.Throws<ArgumentException>(() => Figure.FromPng("GIF89a and more bytes to pass 24"u8.ToArray()));
    }

    [Fact]
    public void Save_writes_the_png_creating_the_folder()
    {
        using var temp = new TempFolder();
        var png = SmallPng(3, 2);
        var path = Path.Combine(temp.Path, "figures", "f.png");

        new Figure(png, 3, 2).Save(path);

        Assert.Equal(png, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void ToHtml_inlines_the_png_and_escapes_the_title()
    {
        var png = SmallPng(3, 2);

        var html = new Figure(png, 3, 2, "a <b> & c").ToHtml();

        Assert.Contains($"src=\"data:image/png;base64,{Convert.ToBase64String(png)}\"", html);
        Assert.Contains("alt=\"a &lt;b&gt; &amp; c\"", html);
        Assert.Contains("<figcaption style=\"font-family:sans-serif;font-size:13px\">a &lt;b&gt; &amp; c</figcaption>", html);
    }

    [Fact]
    public void ToString_is_a_one_line_summary()
    {
        Assert.Equal("[figure: Loss curve, 640x400]", new Figure([], 640, 400, "Loss curve").ToString());
        Assert.Equal("[figure: 10x20]", new Figure([], 10, 20).ToString());
    }
}
