using Microsoft.ML.Recurrent.Forecasting;
using DataType = global::Onnx.TensorProto.Types.DataType;

namespace Microsoft.ML.Recurrent.Onnx;

public static partial class RecurrentOnnxExporter
{
    /// <summary>
    /// Writes a trained forecaster (every network of its ensemble, with its scalings and interval decoding) to
    /// <paramref name="destination"/> as one ONNX model (opset 17) whose outputs are the forecasts in original units.
    /// </summary>
    /// <remarks>
    /// <para>Input, <see cref="RecurrentForecastOnnxExportOptions.WindowInputName"/> (default: the model's window
    /// column, "Window"): [batch, lookback × step width] float (or one window, [lookback × step width], with
    /// <see cref="RecurrentForecastOnnxExportOptions.BatchDimension"/> false), raw windows in original units laid out as
    /// <see cref="TimeSeries.SeriesWindowing"/> describes — exactly the Window column that
    /// <see cref="RecurrentForecastingTransformer.CreateWindowData"/> builds.</para>
    /// <para>Outputs, each [batch, horizon] (or [horizon]) float in original units (default names: the model's Forecast, LowerBound
    /// and UpperBound columns): the point forecast and the interval, the values
    /// <see cref="RecurrentForecastingTransformer.Forecast(ReadOnlySpan{float})"/> returns.</para>
    /// <para>Inside the graph: the fitted scalings (log first where the model uses log scaling, in double precision as
    /// in the TorchSharp path), the window level removed from the value position (window normalization), each network
    /// of the ensemble (see the token-model export for how the recurrent layers map to ONNX operators), the average of
    /// their outputs, then the decoding: quantiles sorted per step (median = forecast) or mean ± z·exp(log σ clamped to
    /// [−10, 10]), the level added back and the value scaling inverted.</para>
    /// <para>One difference by design: the TorchSharp path throws on a non-finite value (or a non-positive one under
    /// log scaling) in a window; ONNX operators cannot throw, so such a window gives NaN or infinite outputs.</para>
    /// </remarks>
    /// <param name="model">The trained forecaster; not modified.</param>
    /// <param name="destination">A writable stream; left open.</param>
    /// <param name="options">Tensor names and whether there is a batch dimension. Default: the model's own column names, batched.</param>
    public static void Export(RecurrentForecastingTransformer model, Stream destination, RecurrentForecastOnnxExportOptions? options = null)
        => Write(model, destination, () => BuildModel(model, options ?? new RecurrentForecastOnnxExportOptions()));

    /// <summary>Writes a trained forecaster to the file <paramref name="path"/> (replaced if it exists) as an ONNX model.</summary>
    /// <param name="model">The trained forecaster; not modified.</param>
    /// <param name="path">The .onnx file to write.</param>
    /// <param name="options">See <see cref="Export(RecurrentForecastingTransformer, Stream, RecurrentForecastOnnxExportOptions?)"/>.</param>
    public static void Export(RecurrentForecastingTransformer model, string path, RecurrentForecastOnnxExportOptions? options = null)
        => Write(model, path, () => BuildModel(model, options ?? new RecurrentForecastOnnxExportOptions()));

    /// <summary>
    /// Finds the one <see cref="RecurrentForecastingTransformer"/> in a fitted pipeline (a transformer chain, or the
    /// transformer itself). Throws <see cref="ArgumentException"/> when there is none or more than one.
    /// </summary>
    /// <param name="model">A fitted pipeline, for example what <c>mlContext.Model.Load</c> returned.</param>
    public static RecurrentForecastingTransformer FindForecastingModel(ITransformer model)
        => FindOne<RecurrentForecastingTransformer>(model, "recurrent forecaster", "recurrent forecasters");

    internal static global::Onnx.ModelProto BuildModel(RecurrentForecastingTransformer model, RecurrentForecastOnnxExportOptions options)
    {
        var settings = model.ModelSettings;
        var names = options.Resolve(settings);
        var g = StartGraph();

        object[] Shape(int size) => options.BatchDimension ? ["batch", size] : [size];
        string window = g.Input(names.Window, DataType.Float, Shape(settings.WindowLength));
        var scaled = ForecastOnnxLowering.Scale(g, settings, window);
        var inputs = new OnnxNetworkInputs(null, scaled.TimeMajor, scaled.SequenceLengths);

        string averaged = LowerEnsemble(g, model.Networks, inputs, output => output);

        var (forecast, lower, upper) = ForecastOnnxLowering.Decode(g, settings, averaged, scaled.Level);
        string Unbatch(string tensor) => options.BatchDimension ? tensor
            : g.Node("Reshape", [tensor, g.Constant("horizon_shape", [(long)settings.Horizon], 1)]); // the one row: [1, horizon] -> [horizon]
        g.Output(Unbatch(forecast), names.Forecast, DataType.Float, Shape(settings.Horizon));
        g.Output(Unbatch(lower), names.Lower, DataType.Float, Shape(settings.Horizon));
        g.Output(Unbatch(upper), names.Upper, DataType.Float, Shape(settings.Horizon));

        return FinishGraph(g, EnsembleMetadata("Forecasting", settings.Horizon, model.Networks.Count, System.Text.Json.JsonSerializer.Serialize(settings)));
    }
}
