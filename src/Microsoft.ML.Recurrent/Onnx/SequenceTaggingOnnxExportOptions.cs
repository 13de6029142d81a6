namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// How <see cref="RecurrentOnnxExporter"/> names and shapes the ONNX model of a sequence tagger
/// (<see cref="Tagging.SequenceTaggingTransformer"/>): one input and two outputs.
/// </summary>
public sealed class SequenceTaggingOnnxExportOptions
{
    /// <summary>
    /// Fixed number of tokens per row, or null (the default) for a symbolic "time" dimension. ML.NET's
    /// <c>ApplyOnnxModel</c> feeds fixed-size vector columns and needs a fixed length; ONNX Runtime used directly
    /// accepts any length with the symbolic dimension.
    /// </summary>
    public int? SequenceLength { get; set; }

    /// <summary>
    /// Name of the [batch, time, 2 + MaxWordCharacters] Int32 input: per token the word id, the casing class and the
    /// character ids, as <see cref="SequenceTaggingOnnxFeatures.Encode"/> writes them. Default "features".
    /// </summary>
    public string FeaturesInputName { get; set; } = "features";

    /// <summary>Name of the [batch, time, tags] float output of per-token tag scores (the network's emissions). Default "scores".</summary>
    public string ScoresOutputName { get; set; } = "scores";

    /// <summary>Name of the [batch, time] Int64 output of predicted tag indices (−1 past each row's length). Default "tags".</summary>
    public string TagsOutputName { get; set; } = "tags";

    internal void Validate()
    {
        if (SequenceLength is < 1)
            throw new ArgumentOutOfRangeException(nameof(SequenceLength), SequenceLength, "The sequence length must be at least 1 (or null for a symbolic length).");
        string[] names = [FeaturesInputName, ScoresOutputName, TagsOutputName];
        if (names.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("Every input and output name must be set.");
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new ArgumentException($"Input and output names must differ: {string.Join(", ", names)}.");
    }
}
