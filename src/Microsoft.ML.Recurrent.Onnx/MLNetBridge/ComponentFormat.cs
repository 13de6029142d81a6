using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>
/// Identifies one saved component of this library: its 8-character signature, the loader signature ML.NET looks up
/// in the .zip, and the format version this build writes. ML.NET finds the loader through the assembly name
/// recorded in the header, so <c>Model.Load</c> needs no registration call.
/// </summary>
/// <param name="ModelSignature">Exactly 8 ASCII characters identifying the saved layout.</param>
/// <param name="LoaderSignature">The name under which the component's loader is registered with <c>LoadableClass</c>.</param>
/// <param name="FormatVersion">Version this build writes; older versions down to <paramref name="OldestReadable"/> still load.</param>
/// <param name="OldestReadable">Oldest version this build can read.</param>
internal sealed record ComponentFormat(string ModelSignature, string LoaderSignature, uint FormatVersion, uint OldestReadable = 1)
{
    private const uint VersionBase = 0x00010000;

    /// <summary>
    /// The assembly that declares the component's <c>LoadableClass</c> loader; ML.NET loads it by this name when it
    /// reads the .zip. Defaults to this assembly (Microsoft.ML.Recurrent.Onnx); the trainers' transformers, which live
    /// in Microsoft.ML.Recurrent, name their own.
    /// </summary>
    public System.Reflection.Assembly LoaderAssembly { get; init; } = typeof(ComponentFormat).Assembly;

    // ML.NET rejects longer names at save time with an unhelpful message; fail when the component is defined instead.
    private readonly bool _checked = Check(ModelSignature, LoaderSignature);

    private static bool Check(string modelSignature, string loaderSignature)
    {
        if (modelSignature.Length != 8 || modelSignature.Any(c => c > 127))
            throw new ArgumentException($"A model signature must be exactly 8 ASCII characters: '{modelSignature}'.", nameof(modelSignature));
        if (loaderSignature.Length is 0 or >= 24)
            throw new ArgumentException($"A loader signature must have 1 to 23 characters: '{loaderSignature}'.", nameof(loaderSignature));
        return true;
    }

    public VersionInfo ToVersionInfo() => new(
        modelSignature: ModelSignature,
        verWrittenCur: VersionBase + FormatVersion,
        verReadableCur: VersionBase + FormatVersion,
        verWeCanReadBack: VersionBase + OldestReadable,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: LoaderAssembly.FullName);

    /// <summary>Starts writing the component: positions the context and records the version header.</summary>
    public void BeginSave(ModelSaveContext context)
    {
        MLNetCompatibility.EnsureSupported();
        context.CheckAtModel();
        context.SetVersionInfo(ToVersionInfo());
    }

    /// <summary>
    /// Checks the header of a component being loaded. A model written by a newer version of this library fails
    /// with a message that names the component and both versions (ML.NET's own message would blame ML.NET).
    /// </summary>
    public void BeginLoad(ComponentReader reader)
    {
        MLNetCompatibility.EnsureSupported();
        var context = reader.Context;
        var header = context.Header;
        if (header.ModelSignature == ToVersionInfo().ModelSignature && header.ModelVerReadable > VersionBase + FormatVersion)
        {
            throw new InvalidOperationException(
                $"The model contains a '{LoaderSignature}' component saved in format version {header.ModelVerReadable - VersionBase} " +
                $"by a newer Microsoft.ML.Recurrent; this version ({typeof(ComponentFormat).Assembly.GetName().Version}) reads format " +
                $"versions {OldestReadable} to {FormatVersion}. Update the Microsoft.ML.Recurrent package to load it.");
        }
        context.CheckAtModel(ToVersionInfo());
    }

    /// <summary>Format version of the component being loaded (valid after <see cref="BeginLoad"/>).</summary>
    public static uint LoadedVersion(ComponentReader reader) => reader.Context.Header.ModelVerWritten - VersionBase;
}
