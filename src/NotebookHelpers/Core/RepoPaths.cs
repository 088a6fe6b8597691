namespace NotebookHelpers.Core;

/// <summary>Finds the repository the notebooks live in, so data, weights and outputs resolve the same from a notebook,
/// the CLI or a test, whatever the working directory.</summary>
public static class RepoPaths
{
    const string Marker = "NotebookHelpers.sln";

    /// <summary>The folder holding NotebookHelpers.sln, searched upwards from the working directory and then from this
    /// library's location; null when neither is inside the repository (a published copy, say).</summary>
    public static string? TryFindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory, Path.GetDirectoryName(typeof(RepoPaths).Assembly.Location) })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, Marker))) return dir.FullName;
        }
        return null;
    }

    /// <summary>The repository root, or the working directory when there is none.</summary>
    public static string Root => TryFindRoot() ?? Directory.GetCurrentDirectory();

    /// <summary>Where runs write outputs nobody made by hand: executed notebooks, reports, results, checkpoints.</summary>
    public static string Artifacts => Path.Combine(Root, "artifacts");

    /// <summary>A path as a reader wants to see it: relative to the repository when inside it, else absolute.</summary>
    public static string Display(string path)
    {
        var full = Path.GetFullPath(path);
        var relative = Path.GetRelativePath(Root, full);
        return relative.StartsWith("..") || Path.IsPathRooted(relative) ? full : relative;
    }
}
