namespace NotebookHelpers.Core;

/// <summary>A folder given for outputs cannot be used: it is a file, holds someone else's files, or cannot be written.</summary>
public sealed class OutputFolderException(string message) : IOException(message);

/// <summary>
/// The rule every command that writes a folder follows: it never deletes or overwrites a file that is not its own
/// output. A folder is the command's own when it is new, empty, or carries the marker file (<see cref="MarkerName"/>)
/// that the same command left there before; then its earlier outputs may be replaced, so running a command twice just
/// works. Any other folder that holds files is refused, unless the user says <c>--force</c>.
/// </summary>
public static class OutputFolder
{
    /// <summary>The marker a command leaves in its output folder; it holds the command's name.</summary>
    public const string MarkerName = ".nbh-output";

    /// <summary>
    /// Makes <paramref name="path"/> ready for the outputs of <paramref name="command"/> (e.g. <c>predict salgan</c>):
    /// creates it, checks it can be written, and leaves the marker. Returns the full path.
    /// </summary>
    /// <exception cref="OutputFolderException">The path is a file, cannot be written, or holds other files (and not <paramref name="force"/>).</exception>
    public static string Prepare(string path, string command, bool force = false)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
            throw new OutputFolderException($"{full} is a file, not a folder: give a folder for the outputs.");
        if (Directory.Exists(full) && !force && Owner(full) is var owner && owner != command && HoldsFiles(full))
            throw new OutputFolderException(owner is null
                ? $"{full} already holds files that `nbh {command}` did not write; choose an empty or new folder, or add --force to write into it anyway."
                : $"{full} holds the outputs of `nbh {owner}`, not of `nbh {command}`; choose another folder, or add --force.");
        try
        {
            Directory.CreateDirectory(full);
            AtomicFile.WriteAllText(Path.Combine(full, MarkerName), command + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputFolderException($"Cannot write to {full}: {e.Message.TrimEnd('.')}. Choose a folder you can write to.");
        }
        return full;
    }

    /// <summary>The command whose marker <paramref name="folder"/> carries, or null.</summary>
    public static string? Owner(string folder)
    {
        var marker = Path.Combine(folder, MarkerName);
        return File.Exists(marker) ? File.ReadAllText(marker).Trim() : null;
    }

    static bool HoldsFiles(string folder) => Directory.EnumerateFileSystemEntries(folder).Any(e => Path.GetFileName(e) != MarkerName);
}
