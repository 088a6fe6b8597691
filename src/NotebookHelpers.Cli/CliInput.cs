using System.CommandLine;
using NotebookHelpers.Cli.Commands;
using NotebookHelpers.Core;
using NotebookHelpers.Notebooks;

namespace NotebookHelpers.Cli;

/// <summary>
/// Reads the options several commands share and checks them before any work starts, so that a bad value fails at
/// once, as a <see cref="UsageException"/> naming the option, instead of after the data has loaded.
/// </summary>
public static class CliInput
{
    /// <summary><c>--force</c>: write into an output folder that holds other files.</summary>
    public static Option<bool> ForceOption() => new("--force") { Description = "Write into an --out folder even if it holds files this command did not write (they may be overwritten)." };

    /// <summary>The profile <c>--profile</c> names, else <c>NBH_PROFILE</c>, else the machine's default.</summary>
    public static RunProfile Profile(string? option)
    {
        if (option is not null) return Parse(option, "--profile");
        var variable = Environment.GetEnvironmentVariable(RunProfile.Variable);
        return string.IsNullOrWhiteSpace(variable) ? RunProfile.Current : Parse(variable, $"the environment variable {RunProfile.Variable}");
    }

    static RunProfile Parse(string value, string source)
    {
        try
        {
            return RunProfile.Parse(value);
        }
        catch (ArgumentException)
        {
            throw new UsageException($"Unknown profile '{value}' in {source}: use one of {string.Join(", ", RunProfile.All.Select(p => p.Name))}.");
        }
    }

    /// <summary>A duration option (<c>900</c>, <c>900s</c>, <c>15m</c>, <c>1h</c>), at most a week.</summary>
    public static TimeSpan Duration(string value, string option)
    {
        TimeSpan duration;
        try
        {
            duration = Durations.Parse(value);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new UsageException($"{option} '{value}' is not a duration: use seconds (900 or 900s), minutes (15m) or hours (1h).");
        }
        if (duration > TimeSpan.FromDays(7))
            throw new UsageException($"{option} '{value}' is longer than a week; give at most 168h.");
        return duration;
    }

    /// <summary>The <c>--out</c> folder of <paramref name="command"/>, made ready before any work (<see cref="OutputFolder.Prepare"/>).</summary>
    public static string OutFolder(string path, string command, bool force = false)
    {
        try
        {
            return OutputFolder.Prepare(path, command, force);
        }
        catch (OutputFolderException e)
        {
            throw new UsageException($"--out: {e.Message}");
        }
    }

    /// <summary>
    /// An output file of a command, checked before any work: a PNG name, not a folder, and not an existing file unless
    /// <paramref name="force"/> (the user's file is never replaced by surprise). Returns the full path.
    /// </summary>
    public static string OutputPng(string path, string option, bool force)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new UsageException($"{option} {full} is a folder; give a file name ending in .png.");
        if (!Path.GetExtension(full).Equals(".png", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"{option} {path}: this command writes PNG; give a file name ending in .png.");
        if (File.Exists(full) && !force)
            throw new UsageException($"{option}: {full} already exists; choose another name, or add --force to overwrite it.");
        return full;
    }

    /// <summary>An input folder that must exist.</summary>
    public static string ExistingFolder(string path, string option)
    {
        if (File.Exists(path)) throw new UsageException($"{option} {path} is a file; give a folder.");
        if (!Directory.Exists(path)) throw new UsageException($"{option}: there is no folder {Path.GetFullPath(path)}.");
        return Path.GetFullPath(path);
    }

    /// <summary>An input file that must exist; <paramref name="hint"/> says where such a file comes from.</summary>
    public static string ExistingFile(string path, string option, string? hint = null)
    {
        if (Directory.Exists(path)) throw new UsageException($"{option} {path} is a folder; give a file.");
        if (!File.Exists(path)) throw new UsageException($"{option}: there is no file {Path.GetFullPath(path)}.{(hint is null ? "" : " " + hint)}");
        return Path.GetFullPath(path);
    }
}
