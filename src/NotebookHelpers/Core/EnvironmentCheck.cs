using System.Diagnostics;
using System.Runtime.InteropServices;
using NotebookHelpers.Native;
using TorchSharp;

namespace NotebookHelpers.Core;

/// <summary>How a check came out: <see cref="Ok"/>, <see cref="Missing"/> (optional, some runs need it) or
/// <see cref="Error"/> (the notebooks cannot run until it is fixed).</summary>
public enum CheckState { Ok, Missing, Error }

/// <summary>One line of <c>nbh doctor</c>: what was checked, what was found and what to do about it.</summary>
public sealed record CheckResult(string Area, string Item, CheckState State, string Found, string Action = "");

/// <summary>
/// What a machine has and lacks for this repository: the .NET SDK, TorchSharp's native libraries (and the Debian 12
/// fix), a GPU, the datasets and the pretrained weights; each finding with the action that fixes it.
/// </summary>
public static class EnvironmentCheck
{
    static readonly List<(int Order, Func<IEnumerable<CheckResult>> Check)> Registered = [];

    /// <summary>
    /// Adds a group of checks (the dataset catalogue, the pretrained weights) after the machine's own; groups run by
    /// <paramref name="order"/>. Core names none of them: they register themselves when the library loads.
    /// </summary>
    public static void Register(int order, Func<IEnumerable<CheckResult>> check)
    {
        lock (Registered) Registered.Add((order, check));
    }

    /// <summary>Every check, in the order a reader fixes things.</summary>
    public static IReadOnlyList<CheckResult> Run()
    {
        List<Func<IEnumerable<CheckResult>>> groups;
        lock (Registered) groups = [.. Registered.OrderBy(r => r.Order).Select(r => r.Check)];
        return [.. Sdk(), .. Natives(), .. Gpu(), .. groups.SelectMany(g => g())];
    }

    static IEnumerable<CheckResult> Sdk()
    {
        yield return new("dotnet", "runtime", CheckState.Ok, $".NET {Environment.Version} on {RuntimeInformation.OSDescription} ({RuntimeInformation.RuntimeIdentifier})");
        var sdk = RunQuietly("dotnet", "--version");
        yield return sdk switch
        {
            null => new("dotnet", "SDK", CheckState.Missing, "no `dotnet` on PATH",
                "Install the .NET 10 SDK to build the library and open notebooks in VS Code (https://dot.net)."),
            var v when v.StartsWith("10.") => new("dotnet", "SDK", CheckState.Ok, v),
            var v => new("dotnet", "SDK", CheckState.Error, v, "global.json asks for a .NET 10 SDK (10.0.100 or later 10.0): install it."),
        };
    }

    static IEnumerable<CheckResult> Natives()
    {
        if (OperatingSystem.IsLinux())
        {
            var libstdcxx = GlibcxxVersionPatch.FindSystemLibStdCxx();
            bool needsPatch = GlibcxxVersionPatch.HostNeedsPatch();
            yield return new("natives", "libstdc++", CheckState.Ok,
                needsPatch
                    ? $"{libstdcxx ?? "not found"} lacks {GlibcxxVersionPatch.MissingVersion}: the build weakens that requirement in its copies of libLibTorchSharp.so"
                    : $"{libstdcxx} has {GlibcxxVersionPatch.MissingVersion}: TorchSharp loads as shipped");
        }
        CheckResult torchLoad;
        try
        {
            using var x = torch.ones(2, 2);
            float sum = x.sum().item<float>();
            torchLoad = new("natives", "libtorch", CheckState.Ok,
                $"TorchSharp {TorchRuntime.TorchSharpVersion}, libtorch {TorchRuntime.LibTorchVersion}, {torch.get_num_threads()} CPU threads (ones(2,2).sum() = {sum})");
        }
        catch (Exception e)
        {
            torchLoad = new("natives", "libtorch", CheckState.Error, Shorten(e.Message),
                "Rebuild with `dotnet build` (it copies and, on Debian 12, patches the natives); on another Linux, check `ldd` on libLibTorchSharp.so.");
        }
        yield return torchLoad;
    }

    static IEnumerable<CheckResult> Gpu()
    {
        bool cuda;
        try { cuda = torch.cuda.is_available(); } catch { cuda = false; }
        if (cuda)
        {
            yield return new("gpu", "CUDA", CheckState.Ok, $"{torch.cuda.device_count()} GPU(s) visible to libtorch: profile 'workshop' by default");
            yield break;
        }
        var smi = RunQuietly("nvidia-smi", "--query-gpu=name,driver_version --format=csv,noheader");
        yield return smi is null
            ? new("gpu", "CUDA", CheckState.Missing, "no GPU: notebooks run on the CPU, profile 'smoke' by default",
                "For the 'paper' profile use a machine with an NVIDIA GPU (environment/README.md).")
            : new("gpu", "CUDA", CheckState.Missing, $"GPU present ({smi.Split('\n')[0]}) but this build has CPU-only libtorch",
                "Use CUDA natives: see environment/README.md, 'GPU'.");
    }

    /// <summary>Runs a program and returns its trimmed output, or null when it cannot be started or fails.</summary>
    static string? RunQuietly(string program, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null) return null;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit(10_000);
            return process.ExitCode == 0 ? output.Trim() : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }

    static string Shorten(string message) => message.Length > 200 ? message[..200] + "…" : message;
}
