using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.TimeSeries;
using Microsoft.ML.Runtime;


namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// The first step of a forecaster's ONNX deployment pipeline: adds, to each row of a series, the window that ends at
/// that row (the exported graph's input, a vector of lookback × step width Single values), exactly as the TorchSharp
/// forecaster cuts it; rows without a complete window get a window of NaN, which the graph turns into NaN forecasts,
/// as the forecaster writes for them. Needs no TorchSharp. Like the forecaster, it is not a row-to-row mapper.
/// </summary>
internal sealed class ForecastWindowsTransformer : ITransformer, ICanSaveModel, ILoadableTransformer<ForecastWindowsTransformer>
{
    internal const string LoaderSignature = "RecurrentFcstWindows";
    private const string Component = "Forecasting ONNX windows";
    private static readonly ComponentFormat Format = new("RNNFCWIN", LoaderSignature, FormatVersion: 1);

    internal sealed record Settings(SeriesWindowLayout Layout, string OutputColumnName);

    private readonly Settings _settings;

    internal ForecastWindowsTransformer(Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings.Layout);
        ArgumentException.ThrowIfNullOrEmpty(settings.OutputColumnName);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Layout.Lookback, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Layout.Horizon, 1);
        _settings = settings;
    }

    public bool IsRowToRowMapper => false;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
        => SeriesWindowDataView<float[]?>.OutputSchema(inputSchema, Scorer());

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
        => throw new InvalidOperationException($"{Component}: each window needs the rows before it, so there is no row-to-row mapper; use Transform.");

    public IDataView Transform(IDataView input) => new SeriesWindowDataView<float[]?>(input, Scorer());

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        Format.BeginSave(ctx);
        ModelStreams.SaveJson(ctx, "Settings", _settings);
    }

    static ForecastWindowsTransformer ILoadableTransformer<ForecastWindowsTransformer>.Load(IHostEnvironment env, ComponentReader reader)
    {
        Format.BeginLoad(reader);
        var settings = reader.LoadJson<Settings>("Settings", LoaderSignature);
        if (settings.Layout is not { ValueColumnName.Length: > 0, FeatureColumnNames: not null, KnownFutureColumnNames: not null, Lookback: >= 1, Horizon: >= 1 }
            || string.IsNullOrEmpty(settings.OutputColumnName))
            throw new InvalidDataException($"The model file is damaged: component '{LoaderSignature}' has invalid settings.");
        return new ForecastWindowsTransformer(settings);
    }

    private SeriesWindowScorer<float[]?> Scorer()
    {
        var layout = _settings.Layout;
        var type = new VectorDataViewType(NumberDataViewType.Single, layout.WindowLength);
        return new(layout, Component, [new(_settings.OutputColumnName, type)], rows => rows.Select(r => r.Window).ToArray(),
            (_, current) => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                var window = current();
                var editor = VBufferEditor.Create(ref value, layout.WindowLength);
                if (window is null)
                    editor.Values.Fill(float.NaN);
                else
                    window.CopyTo(editor.Values);
                value = editor.Commit();
            }));
    }
}
