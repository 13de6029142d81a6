using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Forecasting;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// Turns a fitted pipeline that contains a <see cref="RecurrentForecastingTransformer"/> into an equivalent pipeline
/// that forecasts with ONNX Runtime through ML.NET's <c>ApplyOnnxModel</c>, and needs no TorchSharp to load or run.
/// </summary>
/// <remarks>
/// The forecaster is replaced by one <c>ApplyOnnxModel</c> transformer on the exported graph, whose tensors carry the
/// forecaster's column names: it reads the same Window column (built by
/// <see cref="RecurrentForecastingTransformer.CreateWindowData"/> or by hand) and writes the same Forecast, LowerBound
/// and UpperBound columns, vectors of horizon Single values in original units, because scaling, networks, ensemble
/// average and decoding are all inside the graph. Windows always have the model's fixed length, so, unlike the
/// sequence-model deployment, nothing is padded or truncated. Transformers before and after the forecaster are kept.
/// One difference: a window holding a non-finite value (or a non-positive one under log scaling) makes the TorchSharp
/// forecaster throw, and the ONNX pipeline return NaN or infinite forecasts.
/// </remarks>
public static class ForecastingOnnxDeployment
{
    /// <summary>
    /// Exports the pipeline's forecaster to <paramref name="onnxPath"/> and returns the ONNX-based pipeline (its ONNX
    /// model is read now and travels inside the .zip when the pipeline is saved).
    /// </summary>
    /// <param name="mlContext">The context that builds the new transformer.</param>
    /// <param name="model">A fitted pipeline (or the forecaster itself) containing exactly one <see cref="RecurrentForecastingTransformer"/>.</param>
    /// <param name="inputSchema">The schema of the data the pipeline reads (as passed to <c>Model.Save</c>), with the forecaster's Window column or the columns it is built from.</param>
    /// <param name="onnxPath">Where to write the .onnx file.</param>
    public static ITransformer Create(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string onnxPath)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        var forecaster = RecurrentOnnxExporter.FindForecastingModel(model);
        var environment = BridgeEnvironment.FromCatalog(mlContext.Transforms);
        return OnnxPipelineRewriter.Replace(model, inputSchema, forecaster, schema => [Replace(mlContext, environment, forecaster, schema, onnxPath)]);
    }

    /// <summary>
    /// <see cref="Create"/>, then saves the ONNX-based pipeline to <paramref name="zipPath"/> with
    /// <c>mlContext.Model.Save</c> (through a temporary file, so an interrupted save keeps the previous file). Loading
    /// it needs Microsoft.ML.OnnxTransformer and ONNX Runtime, plus the libraries of any other transformer the
    /// pipeline keeps; TorchSharp is not loaded.
    /// </summary>
    /// <param name="mlContext">The context that builds and saves the pipeline.</param>
    /// <param name="model">A fitted pipeline (or the forecaster itself) containing exactly one <see cref="RecurrentForecastingTransformer"/>.</param>
    /// <param name="inputSchema">The schema of the data the pipeline reads.</param>
    /// <param name="onnxPath">Where to write the .onnx file (kept: it can be served on its own).</param>
    /// <param name="zipPath">Where to write the ML.NET model .zip.</param>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string onnxPath, string zipPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(zipPath);
        var deployment = Create(mlContext, model, inputSchema, onnxPath);
        OnnxPipelineRewriter.SaveAndRelease(mlContext, deployment, inputSchema, zipPath);
    }

    private static ITransformer Replace(MLContext mlContext, IHostEnvironment environment, RecurrentForecastingTransformer forecaster,
        DataViewSchema schema, string onnxPath)
    {
        var settings = forecaster.ModelSettings;
        var window = schema.GetColumnOrNull(settings.WindowColumnName)
            ?? throw new ArgumentException($"The forecaster reads column '{settings.WindowColumnName}', which the pipeline does not produce; build it with CreateWindowData.");
        // ApplyOnnxModel feeds a vector column as-is, so the column must already have the graph's fixed width.
        if (window.Type is not VectorDataViewType { ItemType: var item, Size: var size } || item != NumberDataViewType.Single || size != settings.WindowLength)
            throw new ArgumentException($"Column '{window.Name}' has type {window.Type}; the ONNX forecaster needs a vector of exactly {settings.WindowLength} Single values ({settings.Lookback} steps × {settings.StepWidth}).");
        // Unbatched, so that ApplyOnnxModel gives the output columns the forecaster's own type: vectors of horizon values.
        RecurrentOnnxExporter.Export(forecaster, onnxPath, new RecurrentForecastOnnxExportOptions { BatchDimension = false });
        string[] outputs = [settings.ForecastColumnName, settings.LowerBoundColumnName, settings.UpperBoundColumnName];
        return mlContext.Transforms.ApplyOnnxModel(outputs, [settings.WindowColumnName], onnxPath).Fit(new EmptyDataView(environment, schema));
    }
}
