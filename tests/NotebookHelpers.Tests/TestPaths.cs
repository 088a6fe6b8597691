using System.Diagnostics;

namespace NotebookHelpers.Tests;

/// <summary>Where the repository and the built programs are, from the test's own output folder.</summary>
static class TestPaths
{
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>Debug or Release: the configuration these tests were built in, so nbh is taken from the same one.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string Nbh => Path.Combine(RepoRoot, "src", "NotebookHelpers.Cli", "bin", Configuration, "net10.0", OperatingSystem.IsWindows() ? "nbh.exe" : "nbh");

    public static string Notebooks => Path.Combine(RepoRoot, "notebooks");

    /// <summary>A file of a Fixtures folder, copied beside the tests: <c>Fixture("Data", "numbers.mat")</c>.</summary>
    public static string Fixture(string area, string name) => Path.Combine(AppContext.BaseDirectory, area, "Fixtures", name);

    static string FindRoot() =>
        NotebookHelpers.Core.RepoPaths.TryFindRoot() ?? throw new InvalidOperationException("tests must run from inside the repository");

}

/// <summary>A finished child process: exit code, everything it printed, and its standard output alone.</summary>
sealed record ProcessRun(int ExitCode, string Output, string StandardOutput)
{
    /// <summary>Runs a program to completion, standard output and error merged in one string.</summary>
    public static ProcessRun Start(string program, IEnumerable<string> arguments, string? workingDirectory = null,
        IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        var standardOutput = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output)
            {
                output.AppendLine(e.Data);
                standardOutput.AppendLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish in time:\n{output}");
        }
        process.WaitForExit();
        lock (output) return new ProcessRun(process.ExitCode, output.ToString(), standardOutput.ToString());
    }
}
