using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Sequences;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// Turns a fitted pipeline that contains a <see cref="RecurrentSequenceTransformer"/> into an equivalent pipeline
/// that scores with ONNX Runtime through ML.NET's <c>ApplyOnnxModel</c>, and needs no TorchSharp to load or run.
/// </summary>
/// <remarks>
/// The recurrent transformer is replaced by: <c>PadSequence</c> to <c>sequenceLength</c> steps (ML.NET feeds ONNX
/// models fixed-size vectors), <c>ApplyOnnxModel</c> on the exported graph, <see cref="SequenceScoreTransformer"/>
/// (the Score, Probability and PredictedLabel columns with their annotations) and <c>DropColumns</c> for the
/// intermediate columns. The transformers before and after it (tokenization, for example) are kept as they are.
/// Sequences longer than <c>sequenceLength</c> lose their first elements (PadSequence's default truncation), which
/// is the one place where the two pipelines can differ: choose a length that covers your inputs.
/// </remarks>
public static class RecurrentOnnxDeployment
{
    private const string TokensColumn = "__recurrent_onnx_tokens";
    private const string FeaturesColumn = "__recurrent_onnx_features";
    private const string LengthsColumn = "__recurrent_onnx_lengths";
    private const string OutputColumn = "__recurrent_onnx_output";
    private const string WideColumn = "__recurrent_onnx_wide";

    /// <summary>
    /// Exports the pipeline's recurrent model to <paramref name="onnxPath"/> and returns the ONNX-based pipeline
    /// (its ONNX model is read now and travels inside the .zip when the pipeline is saved).
    /// </summary>
    /// <param name="mlContext">The context that builds the new transformers.</param>
    /// <param name="model">A fitted pipeline containing exactly one <see cref="RecurrentSequenceTransformer"/>.</param>
    /// <param name="inputSchema">The schema of the data the pipeline reads (as passed to <c>Model.Save</c>).</param>
    /// <param name="onnxPath">Where to write the .onnx file.</param>
    /// <param name="sequenceLength">Time steps every input is padded or truncated to; at least 1. Default 256. Token ids that the pipeline already padded to a fixed length (PadSequence) keep that length.</param>
    public static ITransformer Create(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string onnxPath, int sequenceLength = 256)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        var recurrent = RecurrentOnnxExporter.FindRecurrentModel(model);
        var environment = BridgeEnvironment.FromCatalog(mlContext.Transforms);
        return OnnxPipelineRewriter.Replace(model, inputSchema, recurrent, schema => Replace(mlContext, environment, recurrent, schema, onnxPath, sequenceLength));
    }

    /// <summary>
    /// <see cref="Create"/>, then saves the ONNX-based pipeline to <paramref name="zipPath"/> with
    /// <c>mlContext.Model.Save</c>. Load it with <c>mlContext.Model.Load</c> in an application that references
    /// Microsoft.ML.Recurrent (for the preprocessing components); neither TorchSharp's assembly nor LibTorch is
    /// loaded (see docs/onnx.md).
    /// </summary>
    /// <param name="mlContext">The context that builds and saves the pipeline.</param>
    /// <param name="model">A fitted pipeline containing exactly one <see cref="RecurrentSequenceTransformer"/>.</param>
    /// <param name="inputSchema">The schema of the data the pipeline reads.</param>
    /// <param name="onnxPath">Where to write the .onnx file (kept: it can be served on its own).</param>
    /// <param name="zipPath">Where to write the ML.NET model .zip.</param>
    /// <param name="sequenceLength">Time steps every input is padded or truncated to. Default 256. Token ids that the pipeline already padded to a fixed length (PadSequence) keep that length.</param>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string onnxPath, string zipPath, int sequenceLength = 256)
    {
        ArgumentException.ThrowIfNullOrEmpty(zipPath);
        var deployment = Create(mlContext, model, inputSchema, onnxPath, sequenceLength);
        OnnxPipelineRewriter.SaveAndRelease(mlContext, deployment, inputSchema, zipPath);
    }

    /// <summary>
    /// The estimator that adds the task's Score, Probability and PredictedLabel columns from a vector of averaged
    /// network outputs, for ONNX models produced elsewhere (see docs/onnx.md).
    /// </summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="inputColumnName">A vector of Single: probabilities (binary: one value, multiclass: one per class) or the regression value.</param>
    /// <param name="kind">What the values mean.</param>
    /// <param name="outputSize">Values per row used: 1 for binary classification and regression, the class count for multiclass.</param>
    /// <param name="classNames">Optional class names for multiclass (slot names of Score, key values of PredictedLabel).</param>
    public static SequenceScoreEstimator ScoreColumns(MLContext mlContext, string inputColumnName, SequencePredictionKind kind,
        int outputSize = 1, string[]? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        if (classNames is not null && classNames.Length != outputSize)
            throw new ArgumentException($"{classNames.Length} class names for {outputSize} outputs.", nameof(classNames));
        var settings = new SequenceModelSettings { Kind = kind, OutputSize = outputSize, ClassNames = classNames };
        return new SequenceScoreEstimator(BridgeEnvironment.FromCatalog(mlContext.Transforms), inputColumnName, settings);
    }

    private static ITransformer[] Replace(MLContext mlContext, IHostEnvironment environment, RecurrentSequenceTransformer recurrent,
        DataViewSchema schema, string onnxPath, int sequenceLength)
    {
        var settings = recurrent.ModelSettings;
        var column = schema.GetColumnOrNull(settings.FeatureColumnName)
            ?? throw new ArgumentException($"The recurrent model reads column '{settings.FeatureColumnName}', which the pipeline does not produce.");
        // Token ids the pipeline already padded to a fixed length (PadSequence) keep that length: cutting them to another
        // would keep the tail of the padded vector, dropping real tokens and keeping padding.
        if (settings.UsesTokens && column.Type is VectorDataViewType { Size: > 0 } fixedLength)
            sequenceLength = fixedLength.Size;
        var options = new RecurrentOnnxExportOptions
        {
            SequenceLength = sequenceLength,
            TokensInputName = TokensColumn,
            FeaturesInputName = FeaturesColumn,
            LengthsInputName = LengthsColumn,
            WideInputName = WideColumn,
            OutputName = OutputColumn,
        };
        PadSequenceTransformer pad;
        string[] onnxInputs;
        if (settings.UsesTokens)
        {
            var raw = (column.Type as VectorDataViewType)?.ItemType;
            options.TokenType = raw?.RawType == typeof(int) ? OnnxTokenType.Int32
                : raw?.RawType == typeof(long) ? OnnxTokenType.Int64
                : raw?.RawType == typeof(uint) ? OnnxTokenType.UInt32
                : throw new ArgumentException($"Column '{column.Name}' has type {column.Type}; the ONNX pipeline needs a vector of Int32, Int64, UInt32 or UInt32 keys.");
            pad = new PadSequenceTransformer(environment, new PadSequenceTransformer.Settings(TokensColumn, column.Name, sequenceLength,
                SequenceEnd.End, SequenceEnd.Start, 0, null));
            onnxInputs = [TokensColumn];
        }
        else
        {
            pad = new PadSequenceTransformer(environment, new PadSequenceTransformer.Settings(FeaturesColumn, column.Name,
                sequenceLength * settings.FeatureSize, SequenceEnd.End, SequenceEnd.Start, 0, LengthsColumn));
            onnxInputs = [FeaturesColumn, LengthsColumn];
        }
        RecurrentOnnxExporter.Export(recurrent, onnxPath, options);

        var padded = pad.GetOutputSchema(schema);
        var prepared = new List<ITransformer> { pad };
        if (settings.UsesWideFeatures)
        {
            // The wide features reach the graph under the input name it was exported with, as a copy of their column.
            var wide = schema.GetColumnOrNull(settings.WideFeatureColumnName!);
            if (wide is not { } wideColumn || !RecurrentSequenceTransformer.IsValidWideType(wideColumn.Type, settings.WideFeatureSize))
                throw new ArgumentException($"The recurrent model reads the wide feature column '{settings.WideFeatureColumnName}' ({settings.WideFeatureSize} Single values), which the pipeline does not produce.");
            var copy = mlContext.Transforms.CopyColumns(WideColumn, wideColumn.Name).Fit(BridgeEnvironment.EmptyView(environment, padded));
            padded = copy.GetOutputSchema(padded);
            prepared.Add(copy);
            onnxInputs = [.. onnxInputs, WideColumn];
        }
        var onnx = mlContext.Transforms.ApplyOnnxModel([OutputColumn], onnxInputs, onnxPath).Fit(BridgeEnvironment.EmptyView(environment, padded));
        var scoreColumns = new SequenceScoreTransformer(environment, OutputColumn, settings);
        var scored = scoreColumns.GetOutputSchema(onnx.GetOutputSchema(padded));
        var drop = mlContext.Transforms.DropColumns([.. onnxInputs, OutputColumn]).Fit(BridgeEnvironment.EmptyView(environment, scored));
        return [.. prepared, onnx, scoreColumns, drop];
    }
}
