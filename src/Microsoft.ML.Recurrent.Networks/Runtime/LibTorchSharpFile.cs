using System.Runtime.InteropServices;

namespace Microsoft.ML.Recurrent.Runtime;

/// <summary>
/// The edit that makes TorchSharp 0.107.0's <c>libLibTorchSharp.so</c> loadable with a libstdc++ older than GCC 13's,
/// and the question whether a system needs it. Shared by the build-time repair (the Microsoft.ML.Recurrent.NativeRepair
/// tool that the package's MSBuild targets run on the build and publish output) and the run-time fallback
/// (<c>LibTorchSharpRepair</c>); it uses nothing but the file system and the dynamic loader.
/// </summary>
/// <remarks>
/// <c>libLibTorchSharp.so</c> declares that it needs <c>GLIBCXX_3.4.32</c>, but the only symbol bound to that version
/// (<c>std::ios_base_library_init</c>) is a link-time marker that no relocation refers to, so the library never calls
/// it. Marking the requirement weak lets the loader accept an older libstdc++, and changes nothing where the version
/// exists. The file is rewritten atomically (temporary file, then rename), which also never modifies a file that the
/// copy shares an inode with (a hard link into the NuGet cache).
/// </remarks>
internal static class LibTorchSharpFile
{
    internal const string NativeFileName = "libLibTorchSharp.so";
    internal const string MissingVersion = "GLIBCXX_3.4.32";
    private const string MarkerSymbol = "_ZSt21ios_base_library_initv";

    /// <summary>Marks the GLIBCXX_3.4.32 requirement of one file weak. Returns "repaired", "already weak" or "not required".</summary>
    internal static string Repair(string path)
    {
        byte[] image = File.ReadAllBytes(path);
        var requirement = ElfVersionRequirements.Read(image).FirstOrDefault(r => r.Version == MissingVersion);
        if (requirement is null)
            return "not required";
        if (requirement.IsWeak)
            return "already weak";

        ElfVersionRequirements.MarkWeak(image, requirement);
        string temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllBytes(temporary, image);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(path));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            TryDelete(temporary);
            throw new InvalidOperationException(
                $"TorchSharp's native library '{path}' requires {MissingVersion} (libstdc++ from GCC 13), which this system's " +
                $"libstdc++ does not provide, and the file could not be repaired because it is not writable ({e.Message}). " +
                "Make the application folder writable for the first run, run the application once from a writable copy, " +
                "or install a libstdc++ that provides GLIBCXX_3.4.32.", e);
        }
        return "repaired";
    }

    /// <summary>Asks the dynamic loader whether the libstdc++ it would load defines <paramref name="version"/>.</summary>
    internal static bool SystemLibStdCxxHasVersion(string version)
    {
        if (!NativeLibrary.TryLoad("libstdc++.so.6", out IntPtr handle))
            return false;
        try
        {
            return LookUpVersionedSymbol(handle, MarkerSymbol, version) != IntPtr.Zero;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // Cannot tell: repairing is harmless, so report the version as missing.
            return false;
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }

    private static IntPtr LookUpVersionedSymbol(IntPtr handle, string symbol, string version)
    {
        try
        {
            return DlvsymLibc(handle, symbol, version);
        }
        catch (EntryPointNotFoundException)
        {
            // glibc before 2.34 keeps dlvsym in libdl.
            return DlvsymLibdl(handle, symbol, version);
        }
    }

    [DllImport("libc.so.6", EntryPoint = "dlvsym", CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern IntPtr DlvsymLibc(IntPtr handle, string symbol, string version);

    [DllImport("libdl.so.2", EntryPoint = "dlvsym", CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern IntPtr DlvsymLibdl(IntPtr handle, string symbol, string version);

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
