using System.Runtime.CompilerServices;

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
    internal const string NativeFileName = LibTorchSharpFile.NativeFileName;
    internal const string MissingVersion = LibTorchSharpFile.MissingVersion;

    /// <summary>Outcome of a repair attempt for one file.</summary>
    internal sealed record FileOutcome(string Path, string Action);

    /// <summary>
    /// Repairs every copy of the native bridge that the runtime may load. Returns what was done per file.
    /// Throws <see cref="InvalidOperationException"/> naming the file when a copy needs repair but cannot be written.
    /// </summary>
    /// <param name="loadedTorchSharpFolder">
    /// The folder TorchSharp.dll was actually loaded from (<see cref="LoadedTorchSharpFolder"/>), when the caller is
    /// about to use TorchSharp anyway; null from the module initializer, which must not load TorchSharp's assembly.
    /// </param>
    public static IReadOnlyList<FileOutcome> RepairIfNeeded(string? loadedTorchSharpFolder = null)
    {
        var outcomes = new List<FileOutcome>();
        if (!OperatingSystem.IsLinux() || LibTorchSharpFile.SystemLibStdCxxHasVersion(MissingVersion))
            return outcomes;

        foreach (string path in CandidatePaths(loadedTorchSharpFolder))
            outcomes.Add(new FileOutcome(path, LibTorchSharpFile.Repair(path)));
        return outcomes;
    }

    /// <summary>The folders the .NET host and TorchSharp search for the native bridge, most likely first.</summary>
    /// <remarks>
    /// TorchSharp looks beside TorchSharp.dll. Its folder is found without loading the assembly (the host's list of
    /// the application's assemblies, or the folder of this library, where NuGet deploys it too), so that loading a
    /// model that never uses TorchSharp, such as an ONNX deployment pipeline, does not load it;
    /// <paramref name="loadedTorchSharpFolder"/> adds the folder it was really loaded from, for load contexts of
    /// their own (plug-ins).
    /// </remarks>
    internal static IEnumerable<string> CandidatePaths(string? loadedTorchSharpFolder = null)
    {
        var folders = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirectories)
            folders.AddRange(searchDirectories.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        var roots = new[]
        {
            loadedTorchSharpFolder, DeployedTorchSharpFolder(), Path.GetDirectoryName(typeof(LibTorchSharpRepair).Assembly.Location),
            AppContext.BaseDirectory,
        };
        foreach (string? root in roots)
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

    /// <summary>The folder of TorchSharp.dll in the host's list of the application's assemblies (TRUSTED_PLATFORM_ASSEMBLIES), if listed.</summary>
    private static string? DeployedTorchSharpFolder()
    {
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is not string assemblies)
            return null;
        string? path = assemblies.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(a => string.Equals(Path.GetFileName(a), "TorchSharp.dll", StringComparison.OrdinalIgnoreCase));
        return path is null ? null : Path.GetDirectoryName(path);
    }

    /// <summary>The folder TorchSharp.dll was loaded from; calling this loads TorchSharp's assembly.</summary>
    /// <remarks>Never inlined: the JIT resolves <c>typeof(torch)</c> when it compiles the method that contains it, which
    /// would load TorchSharp in callers that only might need it.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static string? LoadedTorchSharpFolder() => Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location);


}
