using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// What every ONNX deployment does around its task-specific part: swap one transformer of a fitted pipeline for the
/// transformers that replace it, and save the result so that an interrupted save keeps the previous file.
/// </summary>
internal static class OnnxPipelineRewriter
{
    /// <summary>
    /// The transformers of <paramref name="model"/> in order, with <paramref name="target"/> replaced by what
    /// <paramref name="replace"/> returns for the schema that reaches it; every other transformer is kept as it is.
    /// </summary>
    public static ITransformer Replace(ITransformer model, DataViewSchema inputSchema, ITransformer target, Func<DataViewSchema, ITransformer[]> replace)
    {
        var result = new List<ITransformer>();
        var schema = inputSchema;
        foreach (var transformer in RecurrentOnnxExporter.Flatten(model))
        {
            foreach (var part in ReferenceEquals(transformer, target) ? replace(schema) : [transformer])
            {
                result.Add(part);
                schema = part.GetOutputSchema(schema);
            }
        }
        return new TransformerChain<ITransformer>(result.ToArray());
    }

    /// <summary>Saves <paramref name="deployment"/> atomically, then frees its ONNX Runtime sessions.</summary>
    public static void SaveAndRelease(MLContext mlContext, ITransformer deployment, DataViewSchema inputSchema, string zipPath)
    {
        try
        {
            mlContext.Model.SaveAtomically(deployment, inputSchema, zipPath);
        }
        finally
        {
            // The ONNX Runtime session holds native memory; the saved copy is independent of it.
            foreach (var part in RecurrentOnnxExporter.Flatten(deployment).OfType<IDisposable>())
                part.Dispose();
        }
    }
}
