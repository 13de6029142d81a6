using System.IO.Compression;
using Microsoft.ML.Recurrent.MLNetBridge;

namespace Microsoft.ML.Recurrent.Inspection;

/// <summary>Finds the <see cref="ModelStory"/> of every recurrent component in a model.</summary>
public static class ModelInspector
{
    /// <summary>Stories of the recurrent components of a loaded or freshly trained model, in pipeline order.</summary>
    public static IReadOnlyList<ModelStory> Stories(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var stories = new List<ModelStory>();
        Collect(model, stories);
        return stories;
    }

    /// <summary>
    /// Stories saved in a model .zip, read without loading any network or native library (so it works on a machine
    /// without TorchSharp's natives too). Throws <see cref="InvalidDataException"/> naming the file when it is not a
    /// readable model.
    /// </summary>
    public static IReadOnlyList<ModelStory> ReadStories(string zipPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(zipPath);
        if (!File.Exists(zipPath))
            throw new FileNotFoundException($"Model file '{zipPath}' does not exist.", zipPath);
        try
        {
            using var zip = ZipFile.OpenRead(zipPath);
            var stories = new List<ModelStory>();
            foreach (var entry in zip.Entries.Where(e => e.Name == TorchTransformerBase<object>.StoryEntry).OrderBy(e => e.FullName, StringComparer.Ordinal))
            {
                using var reader = new BinaryReader(entry.Open());
                string component = Path.GetDirectoryName(entry.FullName) ?? entry.FullName;
                byte[] bytes = ModelStreams.ReadFramed(reader, component, entry.Name);
                stories.Add(ModelStreams.Deserialize<ModelStory>(bytes, component, entry.Name));
            }
            return stories;
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("The model file is damaged", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{zipPath}' is not a readable model .zip: {e.Message}", e);
        }
    }

    private static void Collect(ITransformer transformer, List<ModelStory> stories)
    {
        switch (transformer)
        {
            case IHasModelStory { Story: { } story }:
                stories.Add(story);
                break;
            case IEnumerable<ITransformer> chain:
                foreach (var inner in chain)
                    Collect(inner, stories);
                break;
        }
    }
}

/// <summary>Implemented by components that carry a <see cref="ModelStory"/>.</summary>
internal interface IHasModelStory
{
    ModelStory? Story { get; }
}
