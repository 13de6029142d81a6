using Microsoft.ML.Recurrent;

namespace Microsoft.ML;

/// <summary>The sequence tagging front door: <c>mlContext.SequenceTagging()</c>.</summary>
public static class SequenceTaggingCatalogExtensions
{
    /// <summary>Sequence tagging trainers, evaluation and CoNLL loading for <paramref name="mlContext"/>.</summary>
    /// <param name="mlContext">The context whose seed and logging the components use.</param>
    public static SequenceTaggingCatalog SequenceTagging(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new SequenceTaggingCatalog(mlContext);
    }
}
