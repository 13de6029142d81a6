using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>Reaches the host environment behind ML.NET catalogs, which ML.NET exposes only internally.</summary>
internal static class BridgeEnvironment
{
    public static IHostEnvironment FromCatalog(IInternalCatalog catalog) => CatalogUtils.GetEnvironment(catalog);

    public static IHostEnvironment FromCatalog(TransformsCatalog catalog) => CatalogUtils.GetEnvironment(catalog);

    public static IHostEnvironment FromContext(MLContext context) => context;

    /// <summary>The seed ML.NET derives for a component from the MLContext seed; null when the context has none.</summary>
    public static int? SeedOf(IHostEnvironment environment)
        => environment is IHostEnvironmentInternal { Seed: int seed } ? seed : null;
}
