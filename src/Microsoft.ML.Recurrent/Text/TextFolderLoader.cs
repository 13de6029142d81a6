namespace Microsoft.ML.Recurrent.Text;

/// <summary>
/// Reads a folder of text documents laid out as Keras's <c>text_dataset_from_directory</c> reads it: one subfolder
/// per class, named after the class, each holding one document per file. Behind <c>mlContext.Data.LoadFromTextFolder</c>.
/// </summary>
internal static class TextFolderLoader
{
    /// <summary>One document: its text, its class (the subfolder's name) and the file it came from.</summary>
    internal sealed class Document
    {
        public string Text { get; set; } = "";
        public string Label { get; set; } = "";
        public string Source { get; set; } = "";
    }

    /// <summary>A document with a Boolean label (true for the positive class), for binary classification.</summary>
    internal sealed class BinaryDocument
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
        public string Source { get; set; } = "";
    }

    /// <summary>The documents of <paramref name="folder"/>, classes in ordinal order of their names, files in ordinal order within each.</summary>
    internal static IReadOnlyList<Document> Read(string folder, string searchPattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentException.ThrowIfNullOrEmpty(searchPattern);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The text folder '{folder}' does not exist.");
        var documents = new List<Document>();
        var classes = new List<string>();
        foreach (string classFolder in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
        {
            var files = Directory.GetFiles(classFolder, searchPattern).Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0)
                continue;
            string label = Path.GetFileName(classFolder);
            classes.Add(label);
            foreach (string file in files)
                documents.Add(new Document { Text = File.ReadAllText(file), Label = label, Source = file });
        }
        if (classes.Count == 0)
            throw new InvalidDataException(
                $"The text folder '{folder}' has no class subfolder with '{searchPattern}' files: expected one subfolder per class (e.g. pos/ and neg/), each holding one document per file.");
        if (classes.Count == 1)
            throw new InvalidDataException(
                $"The text folder '{folder}' holds a single class ('{classes[0]}', {documents.Count} files): a classifier needs at least two class subfolders with '{searchPattern}' files.");
        return documents;
    }
}
