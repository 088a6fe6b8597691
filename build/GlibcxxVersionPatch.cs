// Makes libLibTorchSharp.so (built with GCC 13) load on systems whose libstdc++ predates GLIBCXX_3.4.32
// (Debian 12 ships GCC 12's). The only symbol behind that version is _ZSt21ios_base_library_initv, which GCC 13's
// <iostream> references to force stream initialisation and nothing calls; marking the version requirement WEAK
// lets the dynamic linker accept a libstdc++ without it. Nothing else in the file changes.
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory (netstandard, so plain C# 7 and BitConverter,
// no Span) for the build step, and into NotebookHelpers (NBH_LIBRARY defined) for `nbh doctor` and the tests.
#nullable disable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace NotebookHelpers.Native
{
    /// <summary>Reads and edits the symbol-version requirements (.gnu.version_r) of a 64-bit little-endian ELF file.</summary>
    public static class GlibcxxVersionPatch
    {
        /// <summary>The version libtorch-2.10-era LibTorchSharp asks for and Debian 12 lacks.</summary>
        public const string MissingVersion = "GLIBCXX_3.4.32";

        const uint ShtGnuVerneed = 0x6ffffffe;
        const ushort VerFlgWeak = 0x2;

        /// <summary>One entry of .gnu.version_r: the library it names, the version, its flags and where the flags live.</summary>
        public sealed class VersionNeed
        {
            public string Library;
            public string Version;
            public ushort Flags;
            public int FlagsOffset;
            public bool IsWeak { get { return (Flags & VerFlgWeak) != 0; } }
        }

        /// <summary>Every version requirement of the ELF image, in file order.</summary>
        public static List<VersionNeed> ReadVersionNeeds(byte[] elf)
        {
            RequireElf64(elf);
            var needs = new List<VersionNeed>();
            long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            for (int i = 0; i < shnum; i++)
            {
                int sh = checked((int)(shoff + (long)i * shentsize));
                if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;
                int entry = checked((int)BitConverter.ToUInt64(elf, sh + 24));
                int count = (int)BitConverter.ToUInt32(elf, sh + 44); // sh_info: number of Verneed entries
                int linkedStrtab = (int)BitConverter.ToUInt32(elf, sh + 40);
                int strtab = checked((int)BitConverter.ToUInt64(elf, checked((int)(shoff + (long)linkedStrtab * shentsize)) + 24));
                for (int n = 0; n < count; n++)
                {
                    int auxCount = BitConverter.ToUInt16(elf, entry + 2);
                    string library = ReadString(elf, strtab + (int)BitConverter.ToUInt32(elf, entry + 4));
                    int aux = entry + (int)BitConverter.ToUInt32(elf, entry + 8);
                    for (int k = 0; k < auxCount; k++)
                    {
                        needs.Add(new VersionNeed
                        {
                            Library = library,
                            Version = ReadString(elf, strtab + (int)BitConverter.ToUInt32(elf, aux + 8)),
                            Flags = BitConverter.ToUInt16(elf, aux + 4),
                            FlagsOffset = aux + 4,
                        });
                        uint nextAux = BitConverter.ToUInt32(elf, aux + 12);
                        if (nextAux == 0) break;
                        aux += (int)nextAux;
                    }
                    uint next = BitConverter.ToUInt32(elf, entry + 12);
                    if (next == 0) break;
                    entry += (int)next;
                }
            }
            return needs;
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on the requirement for <paramref name="version"/>. Returns true when a byte changed,
        /// false when the file has no such requirement or it is already weak (so running twice changes nothing).
        /// </summary>
        public static bool Weaken(byte[] elf, string version)
        {
            bool changed = false;
            foreach (var need in ReadVersionNeeds(elf))
            {
                if (need.Version != version || need.IsWeak) continue;
                ushort flags = (ushort)(need.Flags | VerFlgWeak);
                elf[need.FlagsOffset] = (byte)(flags & 0xff);
                elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
                changed = true;
            }
            return changed;
        }

        /// <summary>
        /// Weakens <paramref name="version"/> in the file at <paramref name="path"/>. Writes a new file and renames it
        /// over the old one, so a hard link into the NuGet cache is replaced, never edited.
        /// </summary>
        public static bool WeakenFile(string path, string version)
        {
            byte[] bytes = File.ReadAllBytes(path);
            if (!Weaken(bytes, version)) return false;
            string temp = path + ".weak.tmp";
            File.WriteAllBytes(temp, bytes);
            File.Delete(path);
            File.Move(temp, path);
            return true;
        }

        /// <summary>The libstdc++.so.6 the dynamic linker would pick on this machine, or null when none is found.</summary>
        public static string FindSystemLibStdCxx()
        {
            string[] candidates =
            {
                "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/lib/aarch64-linux-gnu/libstdc++.so.6",
                "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
            };
            foreach (string candidate in candidates)
                if (File.Exists(candidate)) return candidate;
            return null;
        }

        /// <summary>True when the shared library at <paramref name="path"/> defines <paramref name="version"/>.</summary>
        public static bool DefinesVersion(string path, string version)
        {
            // Version names sit NUL-terminated in .dynstr; a byte search is exact enough and needs no section walk.
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            byte[] haystack = File.ReadAllBytes(path);
            for (int i = 0; i <= haystack.Length - needle.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j]) j++;
                if (j == needle.Length && (i == 0 || haystack[i - 1] == 0)) return true;
            }
            return false;
        }

        /// <summary>True when this machine's libstdc++ lacks the version LibTorchSharp asks for, so the patch is needed.</summary>
        public static bool HostNeedsPatch()
        {
            string libstdcxx = FindSystemLibStdCxx();
            return libstdcxx == null || !DefinesVersion(libstdcxx, MissingVersion);
        }

        static void RequireElf64(byte[] b)
        {
            if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (b[4] != 2 || b[5] != 1)
                throw new InvalidDataException("not a 64-bit little-endian ELF file");
        }

        static string ReadString(byte[] b, int offset)
        {
            int end = Array.IndexOf(b, (byte)0, offset);
            return Encoding.ASCII.GetString(b, offset, end - offset);
        }
    }
}

#if !NBH_LIBRARY
namespace NotebookHelpers.Build
{
    using Microsoft.Build.Framework;
    using Microsoft.Build.Utilities;
    using NotebookHelpers.Native;

    /// <summary>MSBuild step: weakens GLIBCXX_3.4.32 in the given copies of libLibTorchSharp.so, only on hosts that lack it.</summary>
    public class WeakenGlibcxxRequirement : Task
    {
        [Required] public ITaskItem[] Files { get; set; }

        public override bool Execute()
        {
            if (!GlibcxxVersionPatch.HostNeedsPatch())
            {
                Log.LogMessage(MessageImportance.Low, "libstdc++ here defines {0}; LibTorchSharp left as shipped", GlibcxxVersionPatch.MissingVersion);
                return true;
            }
            foreach (ITaskItem item in Files)
            {
                string path = item.GetMetadata("FullPath");
                try
                {
                    bool changed = GlibcxxVersionPatch.WeakenFile(path, GlibcxxVersionPatch.MissingVersion);
                    Log.LogMessage(MessageImportance.Normal, changed
                        ? "Weakened {0} in {1} (this libstdc++ lacks it)"
                        : "{1}: {0} already weak or not required", GlibcxxVersionPatch.MissingVersion, path);
                }
                catch (Exception e)
                {
                    Log.LogError("Could not patch {0} for this system's libstdc++: {1}", path, e.Message);
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
}
#endif
