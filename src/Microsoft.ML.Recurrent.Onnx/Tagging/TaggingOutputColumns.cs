using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// The column a sequence tagger adds, shared by the TorchSharp transformer and the ONNX deployment's tag names so
/// that both produce the same schema.
/// </summary>
internal static class TaggingOutputColumns
{
    /// <summary>Annotation of the tag column holding the model's tag set (see <c>SequenceTaggingTransformer.TagSetAnnotation</c>).</summary>
    internal const string TagSetAnnotationName = "TagSet";

    /// <summary>The tagger's output column (a vector of tag names) with the tag set annotation.</summary>
    internal static DataViewSchema.DetachedColumn Create(TaggerModelSettings settings)
    {
        var tags = settings.Tags;
        var annotations = new DataViewSchema.Annotations.Builder();
        annotations.Add(TagSetAnnotationName, new VectorDataViewType(TextDataViewType.Instance, tags.Length),
            (ref VBuffer<ReadOnlyMemory<char>> value) => value = new VBuffer<ReadOnlyMemory<char>>(tags.Length, tags.Select(t => t.AsMemory()).ToArray()));
        return new DataViewSchema.DetachedColumn(settings.PredictedTagsColumnName, new VectorDataViewType(TextDataViewType.Instance), annotations.ToAnnotations());
    }
}
