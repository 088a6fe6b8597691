namespace NotebookHelpers.Core;

/// <summary>
/// Writes a file so that readers only ever see the old complete file or the new complete file.
/// The bytes go to a temporary file in the same folder (same file system, so the final rename is atomic),
/// are flushed to disk, and the temporary file is then renamed over the target.
/// If anything fails before the rename, the temporary file is deleted and the target is untouched.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) =>
        Write(path, tempPath => File.WriteAllBytes(tempPath, bytes));

    /// <summary>Writes <paramref name="text"/> (UTF-8, no BOM) to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, tempPath => File.WriteAllText(tempPath, text));

    /// <summary>
    /// Calls <paramref name="writeTo"/> with a temporary path in the target's folder, then renames the file it wrote
    /// over <paramref name="path"/>. Use this for writers that only take a path, such as TorchSharp's <c>save</c>.
    /// </summary>
    public static void Write(string path, Action<string> writeTo)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(folder);
        var tempPath = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            writeTo(tempPath);
            FlushToDisk(tempPath);
            File.Move(tempPath, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(tempPath)) File.Delete(tempPath);
        }
    }

    // fsync applies to the file, not the handle: this makes bytes written by any earlier writer durable before the rename.
    static void FlushToDisk(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        stream.Flush(flushToDisk: true);
    }
}
