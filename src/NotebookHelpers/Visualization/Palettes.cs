using NotebookHelpers.Imaging;
using SkiaSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Visualization;

/// <summary>
/// The colours of a segmentation dataset's classes, so predicted and ground-truth label maps look as they do in
/// the papers.
/// </summary>
/// <param name="Name">The dataset's name.</param>
/// <param name="ClassNames">The class names, indexed by class id.</param>
/// <param name="Colors">One RGB row per class id: <c>Colors[id, 0..2]</c>.</param>
/// <param name="IgnoreIndex">The id of unlabelled ("void") pixels, if the dataset has one.</param>
/// <param name="IgnoreColor">The colour of unlabelled pixels.</param>
public sealed record Palette(
    string Name,
    IReadOnlyList<string> ClassNames,
    byte[,] Colors,
    int? IgnoreIndex = null,
    (byte R, byte G, byte B) IgnoreColor = default)
{
    /// <summary>The number of classes (not counting the ignore index).</summary>
    public int ClassCount => ClassNames.Count;

    /// <summary>The colour of a class id, or of the ignore index.</summary>
    public (byte R, byte G, byte B) ColorOf(int id)
    {
        if (id == IgnoreIndex) return IgnoreColor;
        if (id < 0 || id >= ClassCount) throw new ArgumentOutOfRangeException(nameof(id), id, $"{Name} has class ids 0..{ClassCount - 1}{IgnoreText}.");
        return (Colors[id, 0], Colors[id, 1], Colors[id, 2]);
    }

    /// <summary>
    /// Colours a label map: int64 ids of shape (H,W) or (N,H,W) become float32 RGB in [0, 1] of shape (3,H,W) or
    /// (N,3,H,W), on the ids' device. The ignore index gets <see cref="IgnoreColor"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An id is neither a class id nor the ignore index.</exception>
    public Tensor Colorize(Tensor ids)
    {
        if (ids.dim() is not (2 or 3))
            throw new ArgumentException($"Label ids must be (H,W) or (N,H,W), not [{string.Join(", ", ids.shape)}].", nameof(ids));
        if (ids.dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Bool)
            throw new ArgumentException($"Label ids must be integers (int64), not {ids.dtype}.", nameof(ids));

        using var scope = NewDisposeScope();
        var longIds = ids.to_type(ScalarType.Int64);
        var isClass = longIds.ge(0).logical_and(longIds.lt(ClassCount));
        var isIgnored = IgnoreIndex is { } ignore ? longIds.eq(ignore) : zeros_like(isClass);
        var invalid = isClass.logical_or(isIgnored).logical_not();
        if (invalid.any().item<bool>())
        {
            var bad = longIds.masked_select(invalid)[0].item<long>();
            throw new ArgumentException($"Label id {bad} is not a {Name} class id (0..{ClassCount - 1}){IgnoreText}.", nameof(ids));
        }
        // Row `ClassCount` of the table is the ignore colour, so any ignore index (255, -1) needs no 256-row table.
        var rows = longIds.masked_fill(isIgnored, ClassCount);
        var table = LookupTable(ids.device);
        var rgb = table.index_select(0, rows.flatten()).view([.. rows.shape, 3]);   // (..., 3)
        var channelsFirst = ids.dim() == 2 ? rgb.permute(2, 0, 1) : rgb.permute(0, 3, 1, 2);
        return channelsFirst.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>A swatch and name per class (and for the ignore index), to show beside colourised label maps.</summary>
    public Figure Legend(int columns = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        var entries = ClassNames.Select((name, id) => (Text: $"{id} {name}", Color: ColorOf(id))).ToList();
        if (IgnoreIndex is { } ignore) entries.Add(($"{ignore} void (ignored)", IgnoreColor));
        const int rowHeight = 24, swatch = 16, columnWidth = 190, padding = 10, titleHeight = 28;
        var rows = (entries.Count + columns - 1) / columns;
        var width = padding * 2 + columns * columnWidth;
        var height = padding + titleHeight + rows * rowHeight + padding;

        using var surface = Drawing.WhiteSurface(width, height);
        var canvas = surface.Canvas;
        Drawing.Text(canvas, $"{Name} classes", padding, padding + 18, 15, bold: true);
        for (int i = 0; i < entries.Count; i++)
        {
            int x = padding + i / rows * columnWidth, y = padding + titleHeight + i % rows * rowHeight;
            var (r, g, b) = entries[i].Color;
            using var fill = new SKPaint { Color = new SKColor(r, g, b), IsAntialias = false };
            using var border = new SKPaint { Color = SKColors.Gray, Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
            canvas.DrawRect(x, y, swatch, swatch, fill);
            canvas.DrawRect(x, y, swatch, swatch, border);
            Drawing.Text(canvas, entries[i].Text, x + swatch + 6, y + 13, 13);
        }
        return Figure.FromPng(Drawing.EncodePng(surface), $"{Name} legend");
    }

    string IgnoreText => IgnoreIndex is { } i ? $" or the ignore index {i}" : "";

    // (ClassCount + 1, 3): one row per class id, then the ignore colour.
    Tensor LookupTable(Device device)
    {
        var values = new float[(ClassCount + 1) * 3];
        for (int row = 0; row <= ClassCount; row++)
        {
            var (r, g, b) = row < ClassCount ? ColorOf(row) : IgnoreColor;
            values[row * 3] = r / 255f;
            values[row * 3 + 1] = g / 255f;
            values[row * 3 + 2] = b / 255f;
        }
        return tensor(values, [ClassCount + 1, 3], device: device);
    }
}

/// <summary>The palettes of the segmentation datasets the papers use.</summary>
public static class Palettes
{
    /// <summary>
    /// PASCAL VOC 2012: 21 classes (background + 20 objects) and 255 for object borders and difficult regions.
    /// The official colour map interleaves the bits of the id: bit 3k of the id goes to bit 7-k of red, bit 3k+1 to
    /// green, bit 3k+2 to blue (so 1 → (128,0,0), 15 → (192,128,128), 255 → (224,224,192)).
    /// </summary>
    public static Palette PascalVoc { get; } = new(
        "PASCAL VOC",
        ["background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
         "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor"],
        VocColors(21),
        IgnoreIndex: 255,
        IgnoreColor: VocColormap.Colour(255));

    /// <summary>CamVid: 11 classes and 11 for void, in the colours its 11-class release is usually drawn with.</summary>
    public static Palette CamVid { get; } = new(
        "CamVid",
        ["Sky", "Building", "Pole", "Road", "Pavement", "Tree", "SignSymbol", "Fence", "Car", "Pedestrian", "Bicyclist"],
        new byte[,]
        {
            { 128, 128, 128 }, { 128, 0, 0 }, { 192, 192, 128 }, { 128, 64, 128 }, { 60, 40, 222 }, { 128, 128, 0 },
            { 192, 128, 128 }, { 64, 64, 128 }, { 64, 0, 128 }, { 64, 64, 0 }, { 0, 128, 192 },
        },
        IgnoreIndex: 11,
        IgnoreColor: (0, 0, 0));

    /// <summary>Cityscapes' 19 training classes (train ids 0..18) with the official colours, and 255 for ignored pixels.</summary>
    public static Palette Cityscapes { get; } = new(
        "Cityscapes",
        ["road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign", "vegetation", "terrain",
         "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle", "bicycle"],
        new byte[,]
        {
            { 128, 64, 128 }, { 244, 35, 232 }, { 70, 70, 70 }, { 102, 102, 156 }, { 190, 153, 153 }, { 153, 153, 153 },
            { 250, 170, 30 }, { 220, 220, 0 }, { 107, 142, 35 }, { 152, 251, 152 }, { 70, 130, 180 }, { 220, 20, 60 },
            { 255, 0, 0 }, { 0, 0, 142 }, { 0, 0, 70 }, { 0, 60, 100 }, { 0, 80, 100 }, { 0, 0, 230 }, { 119, 11, 32 },
        },
        IgnoreIndex: 255,
        IgnoreColor: (0, 0, 0));

    static byte[,] VocColors(int count)
    {
        var colors = new byte[count, 3];
        for (int id = 0; id < count; id++)
            (colors[id, 0], colors[id, 1], colors[id, 2]) = VocColormap.Colour(id);
        return colors;
    }
}
