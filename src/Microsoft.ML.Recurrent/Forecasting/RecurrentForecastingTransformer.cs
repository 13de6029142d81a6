using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Forecasting;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.TimeSeries;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;


namespace Microsoft.ML.Recurrent.Forecasting;

/// <summary>
/// A trained recurrent forecaster (one network or a seed ensemble), produced by <see cref="RecurrentForecastingTrainer"/>.
/// </summary>
/// <remarks>
/// As an ML.NET transformer it applies to a series like the one it was fitted on (rows in time order with the value,
/// feature and known-future columns; <see cref="Transform"/>): each row gets Forecast, LowerBound and UpperBound,
/// vectors of <see cref="Horizon"/> Single values in original units, forecast from the window that ends at that row.
/// Like ML.NET's forecasters it is not a row-to-row mapper, so there is no <c>PredictionEngine</c>: for forecasting
/// forward from a live series, <see cref="CreateForecastingEngine(IDataView)"/> keeps the last <see cref="Lookback"/>
/// observations. <see cref="Forecast(ReadOnlySpan{float})"/> forecasts from windows built by hand.
/// </remarks>
public sealed partial class RecurrentForecastingTransformer : TorchTransformerBase<ForecastModelSettings>, ILoadableTransformer<RecurrentForecastingTransformer>
{
    internal const string LoaderSignature = "RecurrentForecastModel";
    internal static readonly ComponentFormat Format = new("RNNFCSTM", LoaderSignature, FormatVersion: 1) { LoaderAssembly = typeof(RecurrentForecastingTransformer).Assembly };

    /// <summary>Name of the column of targets (<see cref="Horizon"/> actual values) added by <see cref="CreateWindowData"/>.</summary>
    public const string ActualColumnName = "Actual";

    /// <summary>Name of the column of window origins (0-based index of the first forecast step) added by <see cref="CreateWindowData"/>.</summary>
    public const string OriginColumnName = "Origin";

    private const int InferenceBatchSize = 256;

    internal RecurrentForecastingTransformer(IHostEnvironment environment, ForecastModelSettings settings, TorchNetworks networks)
        : base(environment, nameof(RecurrentForecastingTransformer), Format, settings, networks)
    {
    }

    /// <summary>The window layout, scalings, interval and network shape.</summary>
    public ForecastModelSettings ModelSettings => Settings;

    /// <summary>Steps read before each forecast.</summary>
    public int Lookback => Settings.Lookback;

    /// <summary>Steps forecast at once.</summary>
    public int Horizon => Settings.Horizon;

    /// <summary>Number of networks whose outputs are averaged.</summary>
    public int EnsembleSize => Networks.Count;

    static RecurrentForecastingTransformer ILoadableTransformer<RecurrentForecastingTransformer>.Load(IHostEnvironment env, ComponentReader reader)
    {
        var loaded = LoadCore(env, reader, Format, s => s.BuildNetwork());
        return new RecurrentForecastingTransformer(env, loaded.Settings, new(loaded.Networks)) { Story = loaded.Story };
    }

    /// <summary>Forecasts from one window (<see cref="ForecastModelSettings.WindowLength"/> values in original units).</summary>
    /// <param name="window">The lookback window, laid out as by <see cref="SeriesWindowing"/>.</param>
    public ForecastResult Forecast(ReadOnlySpan<float> window) => Forecast([window.ToArray()])[0];

    /// <summary>Forecasts from many windows at once (batched through the network).</summary>
    /// <param name="windows">Lookback windows in original units.</param>
    public IReadOnlyList<ForecastResult> Forecast(IReadOnlyList<float[]> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        var settings = Settings;
        var results = new ForecastResult[windows.Count];
        int width = settings.StepWidth, outputs = settings.Horizon * settings.OutputsPerStep;
        for (int start = 0; start < windows.Count; start += InferenceBatchSize)
        {
            int count = Math.Min(InferenceBatchSize, windows.Count - start);
            var scaled = new float[count * settings.WindowLength];
            var levels = new float[count];
            for (int i = 0; i < count; i++)
                levels[i] = settings.ScaleWindow(windows[start + i], scaled.AsSpan(i * settings.WindowLength, settings.WindowLength));
            var averaged = Run(scaled, count, width);
            for (int i = 0; i < count; i++)
                results[start + i] = settings.Decode(averaged.AsSpan(i * outputs, outputs), levels[i]);
        }
        return results;
    }

    /// <summary>
    /// Cuts <paramref name="series"/> (rows in time order, with the model's value, feature and known-future columns)
    /// into every complete window: columns Window (<see cref="ForecastModelSettings.WindowColumnName"/>, the input of
    /// the exported ONNX graph), <see cref="ActualColumnName"/> (the <see cref="Horizon"/> values that followed) and
    /// <see cref="OriginColumnName"/> (Int32). Use it to score windows with the ONNX graph (<c>ApplyOnnxModel</c>) or
    /// to compare forecasts with what happened; <see cref="Transform"/> reads the series itself.
    /// </summary>
    /// <param name="series">The series.</param>
    /// <param name="stride">Steps between consecutive origins; at least 1.</param>
    public IDataView CreateWindowData(IDataView series, int stride = 1)
    {
        var frame = ReadSeries(series);
        var windows = SeriesWindowing.Create(frame, Lookback, Horizon, stride);
        return new InMemoryView(ComponentHost)
            .AddVectors(Settings.WindowColumnName, NumberDataViewType.Single, windows.Select(w => w.Inputs).ToArray())
            .AddVectors(ActualColumnName, NumberDataViewType.Single, windows.Select(w => w.Targets).ToArray())
            .AddValues(OriginColumnName, NumberDataViewType.Int32, windows.Select(w => w.Origin).ToArray())
            .Build();
    }

    /// <summary>Reads a series with this model's value, feature and known-future columns.</summary>
    /// <param name="series">Rows in time order.</param>
    public SeriesFrame ReadSeries(IDataView series) => SeriesFrame.Read(series, Settings.ValueColumnName, Settings.FeatureColumnNames, Settings.KnownFutureColumnNames);

    /// <summary>An engine that forecasts forward from the end of <paramref name="history"/> and takes new observations.</summary>
    /// <param name="history">The series so far, rows in time order; at least <see cref="Lookback"/> rows.</param>
    public RecurrentForecastingEngine CreateForecastingEngine(IDataView history) => new(this, ReadSeries(history));

    /// <summary>An engine that forecasts forward from the end of <paramref name="history"/>.</summary>
    /// <param name="history">The series so far, with this model's columns; at least <see cref="Lookback"/> steps.</param>
    public RecurrentForecastingEngine CreateForecastingEngine(SeriesFrame history) => new(this, history);

    /// <summary>An engine over a plain series of values (for models without feature or known-future columns).</summary>
    /// <param name="history">The values so far; at least <see cref="Lookback"/>.</param>
    public RecurrentForecastingEngine CreateForecastingEngine(IReadOnlyList<float> history)
        => new(this, SeriesFrame.FromArrays(Settings.ValueColumnName, history));

    /// <summary>Runs every network on <paramref name="count"/> scaled windows and averages their outputs.</summary>
    private float[] Run(float[] scaled, int count, int width)
    {
        var networks = Networks;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = NetworkDevice;
        var input = tensor(scaled, [count, Lookback, width], device: device);
        var lengths = full([count], Lookback, ScalarType.Int64, device: device);
        Tensor? sum = null;
        foreach (var network in networks)
        {
            var output = ((nn.Module<Tensor, Tensor, Tensor>)network).call(input, lengths);
            sum = sum is null ? output : sum + output;
        }
        return (sum! / networks.Count).MoveTo(CPU).contiguous().data<float>().ToArray();
    }
}
