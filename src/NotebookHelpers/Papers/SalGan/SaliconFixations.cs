using NotebookHelpers.Data;
using NotebookHelpers.Imaging;
using static TorchSharp.torch;

namespace NotebookHelpers.Papers.SalGan;

/// <summary>One SALICON fixation file: the image it belongs to, its size, every observer's fixations inside the image,
/// and how many recorded points fell outside it (dropped, as a fixation map has no pixel for them).</summary>
public sealed record SaliconFixationFile(string Image, int Height, int Width, IReadOnlyList<(int Row, int Column)> Fixations, int Outside = 0)
{
    /// <summary>The binary fixation map (H,W) uint8: 1 where any observer fixated.</summary>
    public Tensor ToMap()
    {
        var map = new byte[Height * Width];
        foreach (var (row, column) in Fixations) map[row * Width + column] = 1;
        return tensor(map, [Height, Width]);
    }
}

/// <summary>
/// SALICON's fixations as the LSUN 2017 release ships them: one MAT-file per image with <c>image</c>,
/// <c>resolution</c> ([height width]) and <c>gaze</c>, one struct per observer whose <c>fixations</c> are
/// [x y] pairs in 1-based pixel coordinates. The benchmark's fixation map marks each of those pixels.
/// </summary>
public static class SaliconFixations
{
    /// <summary>Reads one file; points outside the image are dropped and counted.</summary>
    public static SaliconFixationFile Read(string path)
    {
        var variables = MatFile.Read(path);
        T Get<T>(string name) where T : MatValue =>
            variables.TryGetValue(name, out var value) && value is T typed
                ? typed
                : throw new InvalidDataException($"{path} has no '{name}' of the expected kind: not a SALICON fixation file.");
        var (height, width) = Resolution(path, Get<MatNumeric>("resolution"));
        var image = variables.TryGetValue("image", out var text) && text is MatText t ? t.Text : Path.GetFileNameWithoutExtension(path);
        var points = new List<(int, int)>();
        int outside = 0;
        foreach (var observer in Get<MatStruct>("gaze").Elements)
        {
            if (!observer.TryGetValue("fixations", out var value) || value is not MatNumeric fixations || fixations.Count == 0) continue;
            if (fixations.Dimensions.Length != 2 || fixations.Dimensions[1] < 2)
                throw new InvalidDataException($"{path}: an observer's 'fixations' is {string.Join("x", fixations.Dimensions)}, not N rows of [x y].");
            int rows = fixations.Dimensions[0];
            for (int k = 0; k < rows; k++)
            {
                int x = (int)fixations[k, 0], y = (int)fixations[k, 1];
                if (x < 1 || y < 1 || x > width || y > height) outside++;
                else points.Add((y - 1, x - 1));
            }
        }
        return new SaliconFixationFile(image, height, width, points, outside);
    }

    /// <summary>The image's [height width], checked: two whole, positive numbers within the image pixel limit.</summary>
    static (int Height, int Width) Resolution(string path, MatNumeric resolution)
    {
        if (resolution.Count != 2)
            throw new InvalidDataException($"{path}: 'resolution' holds {resolution.Count} value(s), not [height width].");
        double h = resolution.Values[0], w = resolution.Values[1];
        if (!(h >= 1 && w >= 1) || h != Math.Floor(h) || w != Math.Floor(w))
            throw new InvalidDataException($"{path}: 'resolution' is [{h} {w}], not two positive whole numbers.");
        if (h * w > ImageIO.MaxPixels)
            throw new InvalidDataException($"{path}: 'resolution' [{h} {w}] is {h * w:N0} pixels, above the limit of {ImageIO.MaxPixels:N0} (raise it with {ImageIO.MaxPixelsVariable}).");
        return ((int)h, (int)w);
    }

    /// <summary>
    /// Converts every .mat of <paramref name="matFolder"/> to a PNG fixation map (255 = fixated) of the same name in
    /// <paramref name="outFolder"/>. Unreadable files are reported by name and skipped; returns (converted, skipped).
    /// </summary>
    public static (int Converted, int Skipped) ConvertFolder(string matFolder, string outFolder, TextWriter? log = null)
    {
        log ??= Console.Error;
        if (!Directory.Exists(matFolder)) throw new DirectoryNotFoundException($"No folder {matFolder} with SALICON .mat fixation files.");
        int converted = 0, skipped = 0;
        foreach (var mat in Directory.GetFiles(matFolder, "*.mat").Order(StringComparer.Ordinal))
        {
            try
            {
                var file = Read(mat);
                if (file.Outside > 0) log.WriteLine($"{mat}: {file.Outside} point(s) outside the {file.Width}×{file.Height} image dropped");
                using var map = file.ToMap();
                ImageIO.SaveClassIds(map.to(ScalarType.Int64) * 255, Path.Combine(outFolder, Path.GetFileNameWithoutExtension(mat) + ".png"));
                converted++;
            }
            catch (InvalidDataException e)
            {
                log.WriteLine($"skipped {mat}: {e.Message}");
                skipped++;
            }
        }
        return (converted, skipped);
    }
}
