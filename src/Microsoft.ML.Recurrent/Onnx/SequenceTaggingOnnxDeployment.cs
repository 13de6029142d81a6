using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// Turns a fitted pipeline that contains a <see cref="SequenceTaggingTransformer"/> into an equivalent pipeline that
/// tags with ONNX Runtime through ML.NET's <c>ApplyOnnxModel</c>, and needs no TorchSharp to load or run.
/// </summary>
/// <remarks>
/// The tagger is replaced by four transformers: the token encoding (word, casing and character ids of the tagger's
/// vocabularies, padded to <c>sequenceLength</c> tokens, because ML.NET feeds ONNX models fixed-size vectors),
/// <c>ApplyOnnxModel</c> on the exported graph (Viterbi decoding included), the tag names (the same
/// PredictedTags column as the TorchSharp tagger, with its TagSet annotation, one tag per token) and
/// <c>DropColumns</c> for the intermediate columns. A sentence longer than <c>sequenceLength</c> tokens is rejected
/// when it is scored, naming the row, rather than cut: choose a length that covers your sentences.
/// </remarks>
public static class SequenceTaggingOnnxDeployment
{
    private const string FeaturesColumn = "__tagging_onnx_features";
    private const string TagsColumn = "__tagging_onnx_tags";

    /// <summary>
    /// Exports the pipeline's tagger to <paramref name="onnxPath"/> and returns the ONNX-based pipeline (its ONNX
    /// model is read now and travels inside the .zip when the pipeline is saved).
    /// </summary>
    /// <param name="mlContext">The context that builds the new transformers.</param>
    /// <param name="model">A fitted pipeline containing exactly one <see cref="SequenceTaggingTransformer"/>.</param>
    /// <param name="inputSchema">The schema of the data the pipeline reads (as passed to <c>Model.Save</c>).</param>
    /// <param name="onnxPath">Where to write the .onnx file.</param>
    /// <param name="sequenceLength">Most tokens per sentence; at least 1. Default 128.</param>
    public static ITransformer Create(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string onnxPath, int sequenceLength = 128)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        var tagger = RecurrentOnnxExporter.FindTaggingModel(model);
        var environment = BridgeEnvironment.FromCatalog(mlContext.Transforms);
        return OnnxPipelineRewriter.Replace(model, inputSchema, tagger, schema => Replace(mlContext, environment, tagger, schema, onnxPath, sequenceLength));
    }

    /// <summary>
    /// <see cref="Create"/>, then saves the ONNX-based pipeline to <paramref name="zipPath"/> with
    /// <c>mlContext.Model.Save</c>. Load it with <c>mlContext.Model.Load</c> in an application that references
    /// Microsoft.ML.Recurrent (for the encoding and tag-name components); TorchSharp is not loaded.
    /// </summary>
    /// <param name="mlContext">The context that builds and saves the pipeline.</param>
    /// <param name="model">A fitted pipeline containing exactly one <see cref="SequenceTaggingTransformer"/>.</param>
    /// <param name="inputSchema">The schema of the data the pipeline reads.</param>
    /// <param name="onnxPath">Where to write the .onnx file (kept: it can be served on its own).</param>
    /// <param name="zipPath">Where to write the ML.NET model .zip.</param>
    /// <param name="sequenceLength">Most tokens per sentence. Default 128.</param>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string onnxPath, string zipPath, int sequenceLength = 128)
    {
        ArgumentException.ThrowIfNullOrEmpty(zipPath);
        var deployment = Create(mlContext, model, inputSchema, onnxPath, sequenceLength);
        OnnxPipelineRewriter.SaveAndRelease(mlContext, deployment, inputSchema, zipPath);
    }

    private static ITransformer[] Replace(MLContext mlContext, IHostEnvironment environment, SequenceTaggingTransformer tagger,
        DataViewSchema schema, string onnxPath, int sequenceLength)
    {
        var settings = tagger.ModelSettings;
        if (schema.GetColumnOrNull(settings.TokenColumnName) is null)
            throw new ArgumentException($"The tagger reads column '{settings.TokenColumnName}', which the pipeline does not produce.");
        RecurrentOnnxExporter.Export(tagger, onnxPath, new SequenceTaggingOnnxExportOptions
        {
            SequenceLength = sequenceLength,
            FeaturesInputName = FeaturesColumn,
            TagsOutputName = TagsColumn,
        });

        var features = new TaggingFeaturesTransformer(environment,
            new TaggingFeaturesTransformer.Settings(settings.TokenColumnName, FeaturesColumn, sequenceLength, settings));
        var encoded = features.GetOutputSchema(schema);
        var onnx = mlContext.Transforms.ApplyOnnxModel([TagsColumn], [FeaturesColumn], onnxPath).Fit(BridgeEnvironment.EmptyView(environment, encoded));
        var names = new TaggingTagNamesTransformer(environment, new TaggingTagNamesTransformer.Settings(TagsColumn, settings));
        var named = names.GetOutputSchema(onnx.GetOutputSchema(encoded));
        var drop = mlContext.Transforms.DropColumns([FeaturesColumn, TagsColumn]).Fit(BridgeEnvironment.EmptyView(environment, named));
        return [features, onnx, names, drop];
    }
}
