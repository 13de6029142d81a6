using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>Reaches the host environment behind ML.NET catalogs, which ML.NET exposes only internally.</summary>
internal static class BridgeEnvironment
{
    /// <summary>The catalog's environment; first checks that the running Microsoft.ML is one the bridge supports.</summary>
    /// <remarks>Every catalog entry point of the library passes through here, so this is where a first use is noticed.</remarks>
    public static IHostEnvironment FromCatalog(IInternalCatalog catalog)
    {
        MLNetCompatibility.EnsureSupported();
        return CatalogUtils.GetEnvironment(catalog);
    }

}
