using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace NotebookHelpers.Core;

/// <summary>The device every notebook and command trains on, the versions behind it, and seeding.</summary>
public static class TorchRuntime
{
    static readonly Lazy<Device> ChosenDevice = new(ChooseDevice);

    /// <summary>CUDA when libtorch sees a GPU, else the CPU. <c>NBH_DEVICE=cpu</c> (or <c>cuda</c>, <c>cuda:1</c>) overrides.</summary>
    public static Device Device => ChosenDevice.Value;

    /// <summary>True when the chosen device is a GPU.</summary>
    public static bool OnGpu => Device.type == DeviceType.CUDA;

    /// <summary>The TorchSharp package version (the managed side).</summary>
    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The libtorch version TorchSharp was built against, as major.minor.patch.</summary>
    public static string LibTorchVersion => string.Join('.', torch.__version__.Split('.').Take(3));

    /// <summary>One line: versions, device and CPU threads.</summary>
    public static string Describe()
    {
        var device = OnGpu ? $"{Device} ({cuda.device_count()} GPU(s) visible)" : $"cpu ({get_num_threads()} threads)";
        return $"TorchSharp {TorchSharpVersion} · libtorch {LibTorchVersion} · device {device}";
    }

    /// <summary>Seeds libtorch's CPU and CUDA generators, so a run repeats exactly on the same device.</summary>
    public static void Seed(int seed)
    {
        manual_seed(seed);
        if (cuda.is_available()) cuda.manual_seed_all(seed);
    }

    static Device ChooseDevice()
    {
        var requested = Environment.GetEnvironmentVariable("NBH_DEVICE");
        if (!string.IsNullOrWhiteSpace(requested))
        {
            var device = torch.device(requested.Trim());
            if (device.type == DeviceType.CUDA && !cuda.is_available())
                throw new InvalidOperationException(
                    $"NBH_DEVICE={requested} asks for CUDA, but libtorch sees no GPU here. Unset NBH_DEVICE, or see environment/README.md for the GPU set-up.");
            return device;
        }
        return cuda.is_available() ? CUDA : CPU;
    }
}
