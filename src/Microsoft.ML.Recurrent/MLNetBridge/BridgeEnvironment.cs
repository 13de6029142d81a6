using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>Reaches the host environment behind ML.NET catalogs, which ML.NET exposes only internally.</summary>
internal static class BridgeEnvironment
{
    public static IHostEnvironment FromCatalog(IInternalCatalog catalog) => CatalogUtils.GetEnvironment(catalog);

}
