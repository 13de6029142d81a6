using System.Runtime.InteropServices;

namespace Microsoft.ML.Recurrent.Runtime;

/// <summary>
/// Makes TorchSharp 0.107.0's native bridge loadable on systems whose libstdc++ predates GCC 13
/// (Debian 12, Ubuntu 22.04).
/// </summary>
/// <remarks>
/// <c>libLibTorchSharp.so</c> declares that it needs <c>GLIBCXX_3.4.32</c>, but the only symbol bound to that
/// version (<c>std::ios_base_library_init</c>) is a link-time marker that no relocation refers to, so the library
/// never calls it. Marking the requirement weak in the copy the application loads lets the loader accept the older
/// libstdc++. The repair happens only when the system's libstdc++ lacks the version, rewrites the file atomically
/// (temporary file, then rename), and is idempotent.
/// </remarks>
internal static class LibTorchSharpRepair
{
    internal const string NativeFileName = "libLibTorchSharp.so";
    internal const string MissingVersion = "GLIBCXX_3.4.32";
    private const string MarkerSymbol = "_ZSt21ios_base_library_initv";

    /// <summary>Outcome of a repair attempt for one file.</summary>
    internal sealed record FileOutcome(string Path, string Action);

    /// <summary>
    /// Repairs every copy of the native bridge that the runtime may load. Returns what was done per file.
    /// Throws <see cref="InvalidOperationException"/> naming the file when a copy needs repair but cannot be written.
    /// </summary>
    public static IReadOnlyList<FileOutcome> RepairIfNeeded()
    {
        var outcomes = new List<FileOutcome>();
        if (!OperatingSystem.IsLinux() || SystemLibStdCxxHasVersion(MissingVersion))
            return outcomes;

        foreach (string path in CandidatePaths())
            outcomes.Add(new FileOutcome(path, RepairFile(path)));
        return outcomes;
    }

    /// <summary>Marks the GLIBCXX_3.4.32 requirement of one file weak. Returns "repaired", "already weak" or "not required".</summary>
    internal static string RepairFile(string path)
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

    /// <summary>The folders the .NET host and TorchSharp search for the native bridge, most likely first.</summary>
    internal static IEnumerable<string> CandidatePaths()
    {
        var folders = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirectories)
            folders.AddRange(searchDirectories.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        string? torchSharpFolder = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location);
        foreach (string? root in new[] { torchSharpFolder, AppContext.BaseDirectory })
        {
            if (string.IsNullOrEmpty(root))
                continue;
            folders.Add(root);
            folders.Add(Path.Combine(root, "runtimes", "linux-x64", "native"));
            folders.Add(Path.Combine(root, "cpu"));
        }
        return folders
            .Select(folder => Path.GetFullPath(Path.Combine(folder, NativeFileName)))
            .Distinct(StringComparer.Ordinal)
            .Where(File.Exists);
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
