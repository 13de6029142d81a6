using Microsoft.ML.Recurrent.TimeSeries;

namespace Microsoft.ML.Recurrent.Forecasting;

/// <summary>
/// Forecasts forward from the end of a live series: holds the last <see cref="RecurrentForecastingTransformer.Lookback"/>
/// observations, forecasts the next <see cref="RecurrentForecastingTransformer.Horizon"/> steps with
/// <see cref="Predict"/>, and takes each new observation with <see cref="Update"/>. Created by
/// <see cref="RecurrentForecastingTransformer.CreateForecastingEngine(Microsoft.ML.IDataView)"/>. Not thread-safe.
/// </summary>
public sealed class RecurrentForecastingEngine
{
    private readonly RecurrentForecastingTransformer _model;
    private readonly List<float> _values = [];
    private readonly List<float>[] _features;
    private readonly List<float>[] _knownFuture;

    internal RecurrentForecastingEngine(RecurrentForecastingTransformer model, SeriesFrame history)
    {
        _model = model;
        var settings = model.ModelSettings;
        if (history.ValueColumnName != settings.ValueColumnName || !history.FeatureColumnNames.SequenceEqual(settings.FeatureColumnNames)
            || !history.KnownFutureColumnNames.SequenceEqual(settings.KnownFutureColumnNames))
            throw new ArgumentException($"The history's columns differ from the model's: value '{settings.ValueColumnName}', features [{string.Join(", ", settings.FeatureColumnNames)}], known-future [{string.Join(", ", settings.KnownFutureColumnNames)}].", nameof(history));
        if (history.Length < settings.Lookback)
            throw new ArgumentException($"The history in column '{settings.ValueColumnName}' has {history.Length} time steps; the model reads the last {settings.Lookback}.", nameof(history));
        int start = history.Length - settings.Lookback;
        _values.AddRange(history.Values.Skip(start));
        _features = history.Features.Select(f => f.Skip(start).ToList()).ToArray();
        _knownFuture = history.KnownFuture.Select(f => f.Skip(start).ToList()).ToArray();
        ObservationCount = history.Length;
    }

    /// <summary>Observations seen so far (the history plus every <see cref="Update"/>); the next forecast starts at this 0-based step.</summary>
    public long ObservationCount { get; private set; }

    /// <summary>The last <see cref="RecurrentForecastingTransformer.Lookback"/> values, oldest first.</summary>
    public IReadOnlyList<float> RecentValues => _values;

    /// <summary>
    /// Forecasts the next <see cref="RecurrentForecastingTransformer.Horizon"/> steps in original units.
    /// </summary>
    /// <param name="futureKnown">
    /// Only for models with known-future columns: their values for the next horizon steps, step-major
    /// (<c>horizon × columns</c> values).
    /// </param>
    public ForecastResult Predict(ReadOnlySpan<float> futureKnown = default)
    {
        var settings = _model.ModelSettings;
        int k = settings.KnownFutureColumnNames.Length;
        if (futureKnown.Length != settings.Horizon * k)
            throw new ArgumentException($"The model's known-future columns ({string.Join(", ", settings.KnownFutureColumnNames)}) need {settings.Horizon * k} values for the next {settings.Horizon} steps; got {futureKnown.Length}.", nameof(futureKnown));
        var frame = SeriesFrame.FromArrays(settings.ValueColumnName, _values,
            settings.FeatureColumnNames.Select((n, i) => KeyValuePair.Create(n, _features[i].ToArray())).ToArray(),
            settings.KnownFutureColumnNames.Select((n, i) => KeyValuePair.Create(n, _knownFuture[i].ToArray())).ToArray());
        return _model.Forecast(SeriesWindowing.CreateInput(frame, settings.Lookback, settings.Lookback, settings.Horizon, futureKnown));
    }

    /// <summary>Appends a new observation (and its feature and known-future values, when the model has such columns).</summary>
    /// <param name="value">The observed value; finite.</param>
    /// <param name="features">The extra feature values at this step, in the model's order.</param>
    /// <param name="knownFuture">The known-future column values at this step, in the model's order.</param>
    public void Update(float value, ReadOnlySpan<float> features = default, ReadOnlySpan<float> knownFuture = default)
    {
        var settings = _model.ModelSettings;
        if (!float.IsFinite(value))
            throw new ArgumentOutOfRangeException(nameof(value), value, $"The new observation of '{settings.ValueColumnName}' (step {ObservationCount}) must be finite.");
        if (features.Length != _features.Length || knownFuture.Length != _knownFuture.Length)
            throw new ArgumentException($"Each observation needs {_features.Length} feature values ({string.Join(", ", settings.FeatureColumnNames)}) and {_knownFuture.Length} known-future values ({string.Join(", ", settings.KnownFutureColumnNames)}); got {features.Length} and {knownFuture.Length}.");
        SeriesFrame.CheckFinite("features", features, (int)Math.Min(ObservationCount, int.MaxValue));
        SeriesFrame.CheckFinite("known-future", knownFuture, (int)Math.Min(ObservationCount, int.MaxValue));
        Append(_values, value);
        for (int i = 0; i < _features.Length; i++)
            Append(_features[i], features[i]);
        for (int i = 0; i < _knownFuture.Length; i++)
            Append(_knownFuture[i], knownFuture[i]);
        ObservationCount++;
    }

    private static void Append(List<float> list, float value)
    {
        list.RemoveAt(0);
        list.Add(value);
    }
}
