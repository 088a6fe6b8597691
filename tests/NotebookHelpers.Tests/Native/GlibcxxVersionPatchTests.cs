using System.Diagnostics;
using NotebookHelpers.Native;

namespace NotebookHelpers.Tests.Native;

/// <summary>The build-time fix for TorchSharp on Debian 12, on the real libLibTorchSharp.so this build uses.</summary>
public class GlibcxxVersionPatchTests
{
    static string BuiltLibrary()
    {
        var candidates = new[]
        {
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
            Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so"),
        };
        return candidates.FirstOrDefault(File.Exists) ?? throw new FileNotFoundException("libLibTorchSharp.so is not in the test output");
    }

    static void RequireLinux()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("The patch concerns Linux builds only.");
    }

    [Fact]
    public void Build_output_is_weakened_exactly_when_this_host_lacks_the_version()
    {
        RequireLinux();
        var needs = GlibcxxVersionPatch.ReadVersionNeeds(File.ReadAllBytes(BuiltLibrary()));
        var glibcxx32 = Assert.Single(needs, n => n.Version == GlibcxxVersionPatch.MissingVersion);
        Assert.Equal("libstdc++.so.6", glibcxx32.Library);
        Assert.Equal(GlibcxxVersionPatch.HostNeedsPatch(), glibcxx32.IsWeak);
        // Nothing else was weakened: every other requirement keeps its strong flag.
        Assert.All(needs.Where(n => n.Version != GlibcxxVersionPatch.MissingVersion), n => Assert.False(n.IsWeak, n.Version));
    }

    [Fact]
    public void Weaken_changes_one_flag_byte_and_is_idempotent()
    {
        RequireLinux();
        var original = File.ReadAllBytes(BuiltLibrary());
        var strong = (byte[])original.Clone();
        var entry = GlibcxxVersionPatch.ReadVersionNeeds(strong).Single(n => n.Version == GlibcxxVersionPatch.MissingVersion);
        strong[entry.FlagsOffset] &= unchecked((byte)~2); // as shipped: the requirement is strong

        var patched = (byte[])strong.Clone();
        Assert.True(GlibcxxVersionPatch.Weaken(patched, GlibcxxVersionPatch.MissingVersion));
        var changed = Enumerable.Range(0, strong.Length).Where(i => strong[i] != patched[i]).ToList();
        Assert.Equal([entry.FlagsOffset], changed);
        Assert.Equal(strong[entry.FlagsOffset] | 2, patched[entry.FlagsOffset]);

        var again = (byte[])patched.Clone();
        Assert.False(GlibcxxVersionPatch.Weaken(again, GlibcxxVersionPatch.MissingVersion));
        Assert.Equal(patched, again);
    }

    [Fact]
    public void WeakenFile_replaces_a_hard_link_instead_of_editing_the_file_it_shares()
    {
        RequireLinux();
        using var temp = new TempFolder();
        var folder = temp.Path;
        var shared = Path.Combine(folder, "cache-copy.so");
        var strong = File.ReadAllBytes(BuiltLibrary());
        var entry = GlibcxxVersionPatch.ReadVersionNeeds(strong).Single(n => n.Version == GlibcxxVersionPatch.MissingVersion);
        strong[entry.FlagsOffset] &= unchecked((byte)~2);
        File.WriteAllBytes(shared, strong);
        var output = Path.Combine(folder, "output-copy.so");
        Assert.Equal(0, ProcessRun.Start("ln", [shared, output]).ExitCode);

        Assert.True(GlibcxxVersionPatch.WeakenFile(output, GlibcxxVersionPatch.MissingVersion));

        Assert.Equal(strong, File.ReadAllBytes(shared));
        Assert.True(GlibcxxVersionPatch.ReadVersionNeeds(File.ReadAllBytes(output)).Single(n => n.Version == GlibcxxVersionPatch.MissingVersion).IsWeak);
    }

    [Fact]
    public void The_NuGet_cache_copy_is_never_edited()
    {
        RequireLinux();
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var cached = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(cached)) Assert.Skip($"no NuGet cache copy at {cached}");
        var need = GlibcxxVersionPatch.ReadVersionNeeds(File.ReadAllBytes(cached)).Single(n => n.Version == GlibcxxVersionPatch.MissingVersion);
        Assert.False(need.IsWeak);
    }

    [Fact]
    public void Host_detection_matches_the_system_libstdcxx()
    {
        RequireLinux();
        var lib = GlibcxxVersionPatch.FindSystemLibStdCxx();
        Assert.NotNull(lib);
        // strings(1) on the library lists the versions it defines; our byte search must agree with it.
        var strings = ProcessRun.Start("grep", ["-c", "-a", "GLIBCXX_3.4.32", lib]);
        bool defines = strings.ExitCode == 0;
        Assert.Equal(!defines, GlibcxxVersionPatch.HostNeedsPatch());
        Assert.True(GlibcxxVersionPatch.DefinesVersion(lib, "GLIBCXX_3.4.19")); // every libstdc++ since GCC 4.8
    }

    [Fact]
    public void A_file_that_is_not_ELF_is_refused_with_a_clear_error()
    {
        var error = Assert.Throws<InvalidDataException>(() => GlibcxxVersionPatch.ReadVersionNeeds("not an ELF file at all, just text"u8.ToArray().Concat(new byte[64]).ToArray()));
        Assert.Contains("not an ELF file", error.Message);
    }
}
