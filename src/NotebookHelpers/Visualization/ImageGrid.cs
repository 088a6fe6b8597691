using SkiaSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Visualization;

/// <summary>
/// Image tensors laid out in a grid as one <see cref="Figure"/>: samples from a dataset, generated images, or
/// "image / prediction / ground truth" rows.
/// </summary>
/// <remarks>
/// Images are float tensors in [0, 1] (clamped) of shape (3,H,W), (1,H,W) or (H,W), on any device. Each is scaled
/// to fit its square cell, keeping its aspect ratio, so images of different sizes can share a grid; enlarged
/// images use nearest-neighbour sampling, so label maps and tiny images stay crisp.
/// </remarks>
public static class ImageGrid
{
    /// <summary>The default side of a cell, in pixels.</summary>
    public const int DefaultCellSize = 160;

    const int Gap = 6, CaptionHeight = 20, HeaderHeight = 24, TitleHeight = 28, LabelWidth = 90, MaxLabelWidth = 160;
    const float CaptionSize = 12, HeaderSize = 13, TitleSize = 15;

    /// <summary>The images in a grid of <paramref name="columns"/> columns, filled row by row, with an optional caption under each.</summary>
    public static Figure Create(IReadOnlyList<Tensor> images, int columns, IReadOnlyList<string>? captions = null, int cellSize = DefaultCellSize, string? title = null)
    {
        if (images.Count == 0) throw new ArgumentException("An image grid needs at least one image.", nameof(images));
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cellSize, 8);
        if (captions is not null && captions.Count != images.Count)
            throw new ArgumentException($"There are {images.Count} images but {captions.Count} captions.", nameof(captions));

        columns = Math.Min(columns, images.Count);
        var rows = (images.Count + columns - 1) / columns;
        var captionHeight = captions is null ? 0 : CaptionHeight;
        var top = title is null ? Gap : TitleHeight;
        var width = Gap + columns * (cellSize + Gap);
        var cellHeight = CellHeight(images, cellSize);
        var height = top + rows * (cellHeight + captionHeight + Gap);

        using var surface = Drawing.WhiteSurface(width, height);
        var canvas = surface.Canvas;
        if (title is not null) Drawing.Text(canvas, title, width / 2f, 19, TitleSize, bold: true, SKTextAlign.Center);
        for (int i = 0; i < images.Count; i++)
        {
            var x = Gap + i % columns * (cellSize + Gap);
            var y = top + i / columns * (cellHeight + captionHeight + Gap);
            DrawFitted(canvas, images[i], SKRect.Create(x, y, cellSize, cellHeight), $"image {i}");
            if (captions is not null)
                Drawing.Text(canvas, Drawing.Fit(captions[i], cellSize, CaptionSize), x + cellSize / 2f, y + cellHeight + 15, CaptionSize, align: SKTextAlign.Center);
        }
        return Figure.FromPng(Drawing.EncodePng(surface), title);
    }

    /// <summary>The images of a batch (N,3,H,W) or (N,1,H,W) in a grid.</summary>
    public static Figure Create(Tensor batch, int columns, IReadOnlyList<string>? captions = null, int cellSize = DefaultCellSize, string? title = null)
    {
        if (batch.dim() != 4) throw new ArgumentException($"A batch must be (N,C,H,W), not [{string.Join(", ", batch.shape)}].", nameof(batch));
        return Create(batch.unbind(0), columns, captions, cellSize, title);
    }

    /// <summary>
    /// One row per sample with a header over each column, e.g. headers ["image", "prediction", "ground truth"] and
    /// rows [[image0, pred0, truth0], [image1, pred1, truth1]]; optional labels left of each row.
    /// </summary>
    public static Figure Rows(
        IReadOnlyList<string> columnHeaders,
        IReadOnlyList<IReadOnlyList<Tensor>> rows,
        int cellSize = DefaultCellSize,
        IReadOnlyList<string>? rowLabels = null,
        string? title = null)
    {
        if (columnHeaders.Count == 0) throw new ArgumentException("Rows need at least one column header.", nameof(columnHeaders));
        if (rows.Count == 0) throw new ArgumentException("Rows need at least one row.", nameof(rows));
        ArgumentOutOfRangeException.ThrowIfLessThan(cellSize, 8);
        for (int r = 0; r < rows.Count; r++)
            if (rows[r].Count != columnHeaders.Count)
                throw new ArgumentException($"Row {r} has {rows[r].Count} images but there are {columnHeaders.Count} column headers.", nameof(rows));
        if (rowLabels is not null && rowLabels.Count != rows.Count)
            throw new ArgumentException($"There are {rows.Count} rows but {rowLabels.Count} row labels.", nameof(rowLabels));

        // The label column is as wide as its longest label needs, from 90 up to 160 pixels (longer ones are shortened).
        var labelWidth = rowLabels is null ? 0 : (int)Math.Ceiling(Math.Clamp(rowLabels.Max(l => Drawing.Measure(l, CaptionSize)) + 2 * Gap, LabelWidth, MaxLabelWidth));
        var left = Gap + labelWidth;
        var top = (title is null ? Gap : TitleHeight) + HeaderHeight;
        var width = left + columnHeaders.Count * (cellSize + Gap);
        var cellHeight = CellHeight(rows.SelectMany(r => r).ToList(), cellSize);
        var height = top + rows.Count * (cellHeight + Gap);

        using var surface = Drawing.WhiteSurface(width, height);
        var canvas = surface.Canvas;
        if (title is not null) Drawing.Text(canvas, title, width / 2f, 19, TitleSize, bold: true, SKTextAlign.Center);
        for (int c = 0; c < columnHeaders.Count; c++)
        {
            var centre = left + c * (cellSize + Gap) + cellSize / 2f;
            Drawing.Text(canvas, Drawing.Fit(columnHeaders[c], cellSize, HeaderSize), centre, top - 7, HeaderSize, bold: true, SKTextAlign.Center);
        }
        for (int r = 0; r < rows.Count; r++)
        {
            var y = top + r * (cellHeight + Gap);
            if (rowLabels is not null)
                Drawing.Text(canvas, Drawing.Fit(rowLabels[r], labelWidth - Gap, CaptionSize), Gap, y + cellHeight / 2f + 4, CaptionSize);
            for (int c = 0; c < columnHeaders.Count; c++)
                DrawFitted(canvas, rows[r][c], SKRect.Create(left + c * (cellSize + Gap), y, cellSize, cellHeight), $"row {r}, column '{columnHeaders[c]}'");
        }
        return Figure.FromPng(Drawing.EncodePng(surface), title);
    }

    /// <summary>
    /// Cells are <paramref name="cellSize"/> wide and as tall as the tallest image needs at that width (between a quarter
    /// and twice the width), so landscape images do not float in square cells with bands of white between rows.
    /// </summary>
    static int CellHeight(IReadOnlyList<Tensor> images, int cellSize)
    {
        var aspect = images.Max(i => (double)i.shape[^2] / i.shape[^1]);
        return (int)Math.Round(cellSize * Math.Clamp(aspect, 0.25, 2.0));
    }

    /// <summary>
    /// The RGBA bytes (row-major, 4 bytes per pixel, alpha 255) of an image tensor in [0, 1] of shape (3,H,W),
    /// (1,H,W) or (H,W), read back to the CPU; NaN becomes 0.
    /// </summary>
    public static (byte[] Rgba, int Width, int Height) ToRgba(Tensor image, string? what = null)
    {
        using var scope = NewDisposeScope();
        var rgb = image.dim() switch
        {
            2 => image.unsqueeze(0).expand(3, -1, -1),
            3 when image.shape[0] == 1 => image.expand(3, -1, -1),
            3 when image.shape[0] == 3 => image,
            _ => throw new ArgumentException(
                $"{what ?? "The image"} has shape [{string.Join(", ", image.shape)}]; expected (3,H,W), (1,H,W) or (H,W) in [0, 1].", nameof(image)),
        };
        var bytes = rgb.detach().to(CPU).to_type(ScalarType.Float32).nan_to_num(0).clamp(0, 1).mul(255).round().to_type(ScalarType.Byte);
        int height = (int)bytes.shape[1], width = (int)bytes.shape[2];
        var opaque = full([height, width, 1], (byte)255, ScalarType.Byte);
        var rgba = cat([bytes.permute(1, 2, 0), opaque], 2).contiguous();
        return (rgba.data<byte>().ToArray(), width, height);
    }

    static void DrawFitted(SKCanvas canvas, Tensor image, SKRect cell, string what)
    {
        var (rgba, width, height) = ToRgba(image, what);
        using var picture = SKImage.FromPixelCopy(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul), rgba)
            ?? throw new InvalidOperationException($"Could not build a {width}x{height} image for {what}.");
        var scale = Math.Min(cell.Width / width, cell.Height / height);
        var target = SKRect.Create(
            cell.Left + (cell.Width - width * scale) / 2,
            cell.Top + (cell.Height - height * scale) / 2,
            width * scale,
            height * scale);
        var sampling = scale >= 1 ? new SKSamplingOptions(SKFilterMode.Nearest) : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        canvas.DrawImage(picture, target, sampling);
    }
}
