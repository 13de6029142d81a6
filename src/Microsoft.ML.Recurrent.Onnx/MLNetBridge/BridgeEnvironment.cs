using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>Reaches the host environment behind ML.NET catalogs, which ML.NET exposes only internally.</summary>
internal static class BridgeEnvironment
{
    /// <summary>The catalog's environment; first checks that the running Microsoft.ML is one the bridge supports.</summary>
    /// <remarks>Every catalog entry point of the library passes through here, so this is where a first use is noticed.</remarks>
    /// <param name="catalog">An ML.NET catalog (<c>mlContext.Transforms</c>, its text catalog, a trainers catalog...).</param>
    public static IHostEnvironment FromCatalog<TCatalog>(TCatalog catalog) where TCatalog : class
    {
        ArgumentNullException.ThrowIfNull(catalog);
        MLNetCompatibility.EnsureSupported();
        return catalog is IInternalCatalog internalCatalog
            ? CatalogUtils.GetEnvironment(internalCatalog)
            : throw new ArgumentException($"{typeof(TCatalog).Name} is not one of ML.NET's catalogs, so it has no environment.", nameof(catalog));
    }

    /// <summary>
    /// The MLContext's device settings (<c>GpuDeviceId</c>, <c>FallbackToCpu</c>), which ML.NET passes to components
    /// through an internal interface; no GPU and no fallback for an environment that is not an MLContext's.
    /// </summary>
    public static (int? GpuDeviceId, bool FallbackToCpu) DeviceSettings(IHostEnvironment environment)
        => environment is IHostEnvironmentInternal settings ? (settings.GpuDeviceId, settings.FallbackToCpu) : (null, false);

    /// <summary>An empty data view with <paramref name="schema"/>: what fitting a schema-only step needs.</summary>
    public static IDataView EmptyView(IHostEnvironment environment, DataViewSchema schema) => new EmptyDataView(environment, schema);

    /// <summary>Writes <paramref name="message"/> to the channel as information.</summary>
    public static void LogInfo(this IChannel channel, string message) => channel.Info(message);

    /// <summary>Writes <paramref name="message"/> to the channel as a warning.</summary>
    public static void LogWarning(this IChannel channel, string message) => channel.Warning(message);

}
