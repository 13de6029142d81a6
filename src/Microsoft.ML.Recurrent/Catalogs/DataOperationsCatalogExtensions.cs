using Microsoft.ML.Recurrent.Text;

namespace Microsoft.ML;

/// <summary>Loading documents for sequence classification: <c>mlContext.Data.LoadFromTextFolder(...)</c>.</summary>
public static class DataOperationsCatalogExtensions
{
    /// <summary>
    /// Loads a folder whose subfolders are the classes and whose files are the documents (the layout Keras's
    /// <c>text_dataset_from_directory</c> reads, and the one of many public review sets: <c>train/pos/*.txt</c>,
    /// <c>train/neg/*.txt</c>). Columns: <c>Text</c> (the file's content, UTF-8), <c>Label</c> and <c>Source</c> (the
    /// file's path). Classes are the subfolder names in ordinal order; subfolders without matching files are ignored.
    /// </summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="folder">The folder holding one subfolder per class.</param>
    /// <param name="positiveClass">
    /// For binary classification: the subfolder whose documents are positive (e.g. "pos"); <c>Label</c> is then a
    /// Boolean, true for that class, and there must be exactly two classes. Default null: <c>Label</c> is the class name
    /// (text), ready for <c>Transforms.Conversion.MapValueToKey</c> and a multiclass trainer.
    /// </param>
    /// <param name="searchPattern">Which files are documents. Default "*.txt".</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">No class subfolder holds a matching file, only one does, or <paramref name="positiveClass"/> is not one of exactly two classes.</exception>
    public static IDataView LoadFromTextFolder(this DataOperationsCatalog catalog, string folder, string? positiveClass = null, string searchPattern = "*.txt")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var documents = TextFolderLoader.Read(folder, searchPattern);
        if (positiveClass is null)
            return catalog.LoadFromEnumerable(documents);
        var classes = documents.Select(d => d.Label).Distinct(StringComparer.Ordinal).ToArray();
        if (classes.Length != 2 || !classes.Contains(positiveClass, StringComparer.Ordinal))
            throw new InvalidDataException(
                $"The text folder '{folder}' has the classes {string.Join(", ", classes.Select(c => $"'{c}'"))}; a Boolean label needs exactly two, one of them the positive class '{positiveClass}'.");
        return catalog.LoadFromEnumerable(documents.Select(d => new TextFolderLoader.BinaryDocument
        {
            Text = d.Text, Label = string.Equals(d.Label, positiveClass, StringComparison.Ordinal), Source = d.Source,
        }).ToList());
    }
}
