using System.Diagnostics;

namespace NotebookHelpers.Cli.Runner;

/// <summary>
/// The processes a process started, and their children. A notebook stopped at its time limit ends its own process;
/// whatever its cells started (a <c>sleep</c>, a data script) would otherwise live on, orphaned.
/// </summary>
public static class ProcessTree
{
    /// <summary>The ids of every descendant of <paramref name="pid"/>, children before grandchildren (Linux: from /proc; elsewhere none).</summary>
    public static IReadOnlyList<int> Descendants(int pid)
    {
        var parents = ParentsByPid();
        var found = new List<int>();
        var frontier = new Queue<int>([pid]);
        while (frontier.Count > 0)
        {
            var parent = frontier.Dequeue();
            foreach (var (child, _) in parents.Where(p => p.Value == parent))
            {
                found.Add(child);
                frontier.Enqueue(child);
            }
        }
        return found;
    }

    /// <summary>Kills every descendant of this process (not the process itself); returns how many were killed.</summary>
    public static int KillDescendants()
    {
        int killed = 0;
        foreach (var pid in Descendants(Environment.ProcessId))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                killed++;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // It ended on its own meanwhile.
            }
        }
        return killed;
    }

    static Dictionary<int, int> ParentsByPid()
    {
        var parents = new Dictionary<int, int>();
        if (!Directory.Exists("/proc")) return parents;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid)) continue;
            try
            {
                // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                // The process ended while the table was read.
            }
        }
        return parents;
    }
}
