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
/// The forecaster is replaced by three transformers: one that adds, to each row of the series, the window that ends
/// there (exactly as the forecaster cuts it; a window of NaN where the forecaster writes NaN), <c>ApplyOnnxModel</c>
/// on the exported graph, which writes the forecaster's Forecast, LowerBound and UpperBound columns (vectors of
/// horizon Single values in original units: scaling, networks, ensemble average and decoding are all inside the
/// graph), and <c>DropColumns</c> for the window. So the deployment reads the same series columns as the forecaster
/// and, like it, is applied with <c>Transform</c> (it is not a row-to-row mapper). Transformers before and after the
/// forecaster are kept. Non-finite series values fail both pipelines naming the row; one difference remains: a
/// non-positive value under log scaling makes the TorchSharp forecaster throw, and the ONNX pipeline return NaN.
/// </remarks>
public static class ForecastingOnnxDeployment
{
    /// <summary>
    /// Exports the pipeline's forecaster to <paramref name="onnxPath"/> and returns the ONNX-based pipeline (its ONNX
    /// model is read now and travels inside the .zip when the pipeline is saved).
    /// </summary>
    /// <param name="mlContext">The context that builds the new transformers.</param>
    /// <param name="model">A fitted pipeline (or the forecaster itself) containing exactly one <see cref="RecurrentForecastingTransformer"/>.</param>
    /// <param name="inputSchema">The schema of the data the pipeline reads (as passed to <c>Model.Save</c>): a series with the forecaster's columns, or columns the transformers before it turn into one.</param>
    /// <param name="onnxPath">Where to write the .onnx file.</param>
    public static ITransformer Create(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string onnxPath)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        var forecaster = RecurrentOnnxExporter.FindForecastingModel(model);
        var environment = BridgeEnvironment.FromCatalog(mlContext.Transforms);
        return OnnxPipelineRewriter.Replace(model, inputSchema, forecaster, schema => Replace(mlContext, environment, forecaster, schema, onnxPath));
    }

    /// <summary>
    /// <see cref="Create"/>, then saves the ONNX-based pipeline to <paramref name="zipPath"/> with
    /// <c>mlContext.Model.Save</c> (through a temporary file, so an interrupted save keeps the previous file). Loading
    /// it needs Microsoft.ML.Recurrent (for the windowing step), Microsoft.ML.OnnxTransformer and ONNX Runtime, plus
    /// the libraries of any other transformer the pipeline keeps; neither TorchSharp's assembly nor LibTorch is loaded.
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

    private const string WindowColumn = "__recurrent_onnx_window";

    private static ITransformer[] Replace(MLContext mlContext, IHostEnvironment environment, RecurrentForecastingTransformer forecaster,
        DataViewSchema schema, string onnxPath)
    {
        var settings = forecaster.ModelSettings;
        // Checks the series columns (naming a missing or mistyped one) before anything is written.
        var windows = new ForecastWindowsTransformer(new ForecastWindowsTransformer.Settings(settings.Layout(), WindowColumn));
        var windowed = windows.GetOutputSchema(schema);
        // Unbatched, so that ApplyOnnxModel gives the output columns the forecaster's own type: vectors of horizon values.
        RecurrentOnnxExporter.Export(forecaster, onnxPath, new RecurrentForecastOnnxExportOptions { BatchDimension = false, WindowInputName = WindowColumn });
        string[] outputs = [settings.ForecastColumnName, settings.LowerBoundColumnName, settings.UpperBoundColumnName];
        var onnx = mlContext.Transforms.ApplyOnnxModel(outputs, [WindowColumn], onnxPath).Fit(BridgeEnvironment.EmptyView(environment, windowed));
        var drop = mlContext.Transforms.DropColumns(WindowColumn).Fit(BridgeEnvironment.EmptyView(environment, onnx.GetOutputSchema(windowed)));
        return [windows, onnx, drop];
    }
}
