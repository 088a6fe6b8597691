namespace NotebookHelpers.Data;

/// <summary>One sample's files, one per role (e.g. "image" → images/COCO_1.jpg, "map" → maps/COCO_1.png).</summary>
public sealed record PairedSample(string Stem, IReadOnlyDictionary<string, string> Files);

/// <summary>The samples whose stem is in every folder, and the files left over.</summary>
public sealed record Pairing(IReadOnlyList<PairedSample> Samples, IReadOnlyList<string> Unmatched)
{
    /// <summary>One line for a log: how many samples, how many files left over, and the first few of them.</summary>
    public string Summary(int examples = 5)
    {
        var line = $"{Samples.Count} samples paired";
        if (Unmatched.Count == 0)
            return line + ".";
        var shown = string.Join(", ", Unmatched.Take(examples).Select(Path.GetFileName));
        var more = Unmatched.Count > examples ? ", ..." : "";
        return $"{line}; {Unmatched.Count} files without a partner in every folder ({shown}{more}).";
    }
}

/// <summary>Pairs files across folders by name stem: images/COCO_1.jpg with maps/COCO_1.png.</summary>
public static class FilePairing
{
    public static IReadOnlySet<string> ImageExtensions { get; } =
        new HashSet<string>([".png", ".jpg", ".jpeg"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Pairs the files of each folder (role → folder) by stem, looking only at <paramref name="extensions"/>
    /// (<see cref="ImageExtensions"/> by default). A stem missing from some folder, or present twice in one
    /// (a.jpg and a.png), pairs nothing; its files are listed in <see cref="Pairing.Unmatched"/>. Samples are in stem order.
    /// </summary>
    public static Pairing ByStem(IReadOnlyDictionary<string, string> folders, IReadOnlySet<string>? extensions = null)
    {
        if (folders.Count == 0)
            throw new ArgumentException("Give at least one folder to pair.", nameof(folders));
        extensions ??= ImageExtensions;
        var filesByRole = folders.ToDictionary(role => role.Key, role => FilesByStem(role.Value, extensions));
        var allStems = filesByRole.Values.SelectMany(byStem => byStem.Keys).Distinct().Order(StringComparer.Ordinal);
        var samples = new List<PairedSample>();
        var unmatched = new List<string>();
        foreach (var stem in allStems)
        {
            var found = filesByRole.ToDictionary(role => role.Key, role => role.Value.GetValueOrDefault(stem, []));
            if (found.Values.All(files => files.Count == 1))
                samples.Add(new PairedSample(stem, found.ToDictionary(role => role.Key, role => role.Value[0])));
            else
                unmatched.AddRange(found.Values.SelectMany(files => files));
        }
        return new Pairing(samples, unmatched);
    }

    private static Dictionary<string, List<string>> FilesByStem(string folder, IReadOnlySet<string> extensions)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Folder to pair files from not found: {Path.GetFullPath(folder)}");
        return Directory.EnumerateFiles(folder)
            .Where(path => extensions.Contains(Path.GetExtension(path)))
            .Order(StringComparer.Ordinal)
            .GroupBy(path => Path.GetFileNameWithoutExtension(path), StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.ToList(), StringComparer.Ordinal);
    }
}

/// <summary>What the <c>predict</c> commands share: one output per image of a folder, named by the image's stem.</summary>
public static class ImageFolderOutputs
{
    /// <summary>
    /// Calls <paramref name="write"/> (file, stem) for every PNG or JPEG in <paramref name="imageFolder"/>, in name
    /// order. x.jpg and x.png would both become x.png: the first keeps the name, the others are reported to
    /// <paramref name="problems"/> and skipped, not overwritten. An image <paramref name="write"/> cannot read (an
    /// <see cref="InvalidDataException"/>: truncated, oversized, not an image) is reported and skipped too.
    /// </summary>
    /// <param name="imageFolder">The folder of input images.</param>
    /// <param name="problems">Where skipped files are reported, one line each.</param>
    /// <param name="what">What one output is, for the message about clashing stems ("maps", "predictions").</param>
    /// <param name="write">Writes the output of one image, given its path and stem.</param>
    public static (int Written, int Skipped) ForEachImage(string imageFolder, TextWriter problems, string what, Action<string, string> write)
    {
        if (!Directory.Exists(imageFolder)) throw new DirectoryNotFoundException($"No folder {imageFolder}.");
        int written = 0, skipped = 0;
        var files = Directory.GetFiles(imageFolder).Where(f => FilePairing.ImageExtensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal).ToList();
        var firstOfStem = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var stem = Path.GetFileNameWithoutExtension(file);
            if (!firstOfStem.TryAdd(stem, file))
            {
                problems.WriteLine($"skipped {file}: {Path.GetFileName(firstOfStem[stem])} has the same name stem, so both {what} would be {stem}.png; rename one.");
                skipped++;
                continue;
            }
            try
            {
                write(file, stem);
                written++;
            }
            catch (InvalidDataException e)
            {
                problems.WriteLine($"skipped {file}: {e.Message}");
                skipped++;
            }
        }
        return (written, skipped);
    }
}
