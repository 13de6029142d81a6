using System.Reflection;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>
/// Checks, at the first use of the library, that the Microsoft.ML the application runs on is one the bridge was
/// tested against. The bridge uses members ML.NET keeps internal (docs/platform.md), which may change in any major
/// release; outside the tested range the application gets an exception naming both versions instead of a
/// <see cref="MissingMethodException"/> from deep inside a component.
/// </summary>
internal static class MLNetCompatibility
{
    /// <summary>The oldest Microsoft.ML the library supports (the packages' lower bound).</summary>
    internal static readonly Version Oldest = new(5, 0, 1);

    /// <summary>The first Microsoft.ML the library does not support (the packages' exclusive upper bound).</summary>
    internal static readonly Version FirstUnsupported = new(7, 0, 0);

    private static volatile bool _supported;

    /// <summary>Throws <see cref="NotSupportedException"/> when the running Microsoft.ML is outside the supported range.</summary>
    public static void EnsureSupported()
    {
        if (_supported)
            return;
        Check(RunningVersion());
        _supported = true;
    }

    /// <summary>The package version of the Microsoft.ML assemblies loaded in this process, or null when they do not say.</summary>
    internal static Version? RunningVersion()
    {
        // The assembly version of every ML.NET release is 1.0.0.0; the informational version is the package's ("6.0.0+commit").
        string? informational = typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (informational is null)
            return null;
        string numbers = informational.Split('+', '-')[0];
        return Version.TryParse(numbers, out var version) ? version : null;
    }

    /// <summary>Throws when <paramref name="running"/> is outside [<see cref="Oldest"/>, <see cref="FirstUnsupported"/>); null (a build that does not say) passes.</summary>
    internal static void Check(Version? running)
    {
        if (running is null || (running >= Oldest && running < FirstUnsupported))
            return;
        string library = typeof(MLNetCompatibility).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? typeof(MLNetCompatibility).Assembly.GetName().Version?.ToString() ?? "this version";
        throw new NotSupportedException(
            $"Microsoft.ML.Recurrent {library} supports Microsoft.ML {Oldest} up to, not including, {FirstUnsupported}, but this application " +
            $"runs Microsoft.ML {running}. Reference a Microsoft.ML version in that range, or a Microsoft.ML.Recurrent release that supports {running}.");
    }
}
