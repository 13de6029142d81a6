using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent;

namespace Microsoft.ML;

/// <summary>Saving models so that an interrupted save never destroys the previous file.</summary>
public static class ModelOperationsCatalogExtensions
{
    /// <summary>
    /// Saves <paramref name="model"/> like <c>mlContext.Model.Save</c>, but atomically: the .zip is written to a
    /// temporary file in the same folder, flushed to disk, then renamed over <paramref name="filePath"/>. A process killed
    /// in the middle leaves the previous file intact (and at worst a stray <c>*.tmp</c> file).
    /// </summary>
    /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
    /// <param name="model">The fitted pipeline.</param>
    /// <param name="inputSchema">The schema of the pipeline's input.</param>
    /// <param name="filePath">Destination .zip path.</param>
    public static void SaveAtomically(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, string filePath)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        AtomicFile.Write(filePath, stream => catalog.Save(model, inputSchema, stream));
    }
}
