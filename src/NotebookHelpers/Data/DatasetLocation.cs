using System.Text;
using NotebookHelpers.Core;

namespace NotebookHelpers.Data;

/// <summary>
/// Where a dataset lives on this machine. In order: the variable <c>NBH_DATA_&lt;NAME&gt;</c>
/// (e.g. <c>NBH_DATA_CAMVID</c> for <c>camvid</c>); else <c>$NBH_DATA_DIR/&lt;name&gt;</c>; else <c>&lt;repo&gt;/data/&lt;name&gt;</c>, the repository
/// being the first folder holding <c>NotebookHelpers.sln</c> above the current directory or above this library;
/// else <c>./data/&lt;name&gt;</c>.
/// </summary>
public static class DatasetLocation
{
    public const string DataDirVariable = "NBH_DATA_DIR";

    /// <summary>The absolute folder where dataset <paramref name="name"/> is (or would be) kept; it may not exist.</summary>
    public static string Resolve(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var own = Environment.GetEnvironmentVariable(VariableFor(name));
        if (!string.IsNullOrEmpty(own))
            return Path.GetFullPath(own);
        var dataDir = Environment.GetEnvironmentVariable(DataDirVariable);
        if (!string.IsNullOrEmpty(dataDir))
            return Path.GetFullPath(Path.Combine(dataDir, name));
        return Path.GetFullPath(Path.Combine(RepoPaths.Root, "data", name));
    }

    /// <summary>
    /// The folder of dataset <paramref name="name"/>, which must exist; otherwise a <see cref="DatasetNotFoundException"/>
    /// says where it was looked for and that <paramref name="script"/> (relative to the repository) downloads it.
    /// </summary>
    public static string Require(string name, string script)
    {
        var folder = Resolve(name);
        if (!Directory.Exists(folder))
            throw new DatasetNotFoundException(
                $"Dataset '{name}' not found at {folder}. Run {script} to download it, or set {VariableFor(name)} to its folder.");
        return folder;
    }

    /// <summary>
    /// <paramref name="root"/> when given (it must exist), else the folder <see cref="Require(string, string)"/> finds:
    /// what every loader's optional <c>root</c> argument means.
    /// </summary>
    public static string Require(string name, string script, string? root)
    {
        if (root is null) return Require(name, script);
        if (!Directory.Exists(root))
            throw new DatasetNotFoundException($"Dataset '{name}' not found at {Path.GetFullPath(root)}. Run {script} to download it.");
        return root;
    }

    /// <summary>Whether the folder of dataset <paramref name="name"/> exists.</summary>
    public static bool Exists(string name) => Directory.Exists(Resolve(name));

    /// <summary>The variable that points at one dataset: <c>NBH_DATA_</c> + the name upper-cased, other characters as '_'.</summary>
    public static string VariableFor(string name)
    {
        var variable = new StringBuilder("NBH_DATA_", 9 + name.Length);
        foreach (var c in name)
            variable.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        return variable.ToString();
    }
}

/// <summary>A dataset's folder is missing; the message says how to fetch it or point at it.</summary>
public sealed class DatasetNotFoundException(string message) : DirectoryNotFoundException(message);
