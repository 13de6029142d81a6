using Microsoft.ML.Recurrent.TimeSeries;

namespace Microsoft.ML.Recurrent.Forecasting;

/// <summary>
/// Accuracy of a forecaster over a rolling-origin backtest, beside two naive baselines on the same origins: seasonal
/// naive (repeat the last season) and last-value naive (repeat the last value). A series without the assumed season
/// makes seasonal naive a weak baseline, so compare with <see cref="BestNaive"/>. Errors are pooled over every origin
/// and horizon step.
/// </summary>
/// <param name="Mae">The model's mean absolute error.</param>
/// <param name="Rmse">The model's root mean squared error.</param>
/// <param name="Smape">The model's symmetric MAPE, in percent.</param>
/// <param name="Mase">
/// The model's MAE divided by the in-sample seasonal-naive MAE; null when that MAE is 0 (the training part is constant,
/// or repeats its season exactly), where MASE is undefined.
/// </param>
/// <param name="Coverage">Fraction of actual values inside the model's interval.</param>
/// <param name="SeasonalNaive">The seasonal-naive forecast's accuracy on the same origins.</param>
/// <param name="LastValueNaive">The last-value naive forecast's accuracy on the same origins.</param>
/// <param name="Origins">Number of forecast origins.</param>
/// <param name="Horizon">Steps forecast from each origin.</param>
/// <param name="SeasonalPeriod">Season length used by the seasonal baseline and the MASE scale.</param>
/// <param name="ConfidenceLevel">The interval's nominal coverage.</param>
public sealed record ForecastMetrics(double Mae, double Rmse, double Smape, double? Mase, double Coverage,
    NaiveForecastMetrics SeasonalNaive, NaiveForecastMetrics LastValueNaive, int Origins, int Horizon, int SeasonalPeriod, double ConfidenceLevel)
{
    /// <summary>The naive baseline with the lower MAE on the backtest (seasonal naive on a tie): the one to beat.</summary>
    public NaiveForecastMetrics BestNaive => LastValueNaive.Mae < SeasonalNaive.Mae ? LastValueNaive : SeasonalNaive;
}

/// <summary>Accuracy of one naive baseline over the origins of a backtest, on the same scale as the model's figures.</summary>
/// <param name="Name">"seasonal naive" or "last-value naive".</param>
/// <param name="Period">Steps between a forecast and the value it repeats: the seasonal period, or 1 for last-value naive.</param>
/// <param name="Mae">Mean absolute error.</param>
/// <param name="Rmse">Root mean squared error.</param>
/// <param name="Smape">Symmetric MAPE, in percent.</param>
/// <param name="Mase">MAE divided by the model's MASE scale (the in-sample seasonal-naive MAE); null when the model's is.</param>
public sealed record NaiveForecastMetrics(string Name, int Period, double Mae, double Rmse, double Smape, double? Mase);

/// <summary>The outcome of <see cref="ForecastBacktest.Run(RecurrentForecastingTransformer, SeriesFrame, int, int)"/>.</summary>
/// <param name="Metrics">Pooled accuracy of the model and of the naive baselines.</param>
/// <param name="Origins">0-based index of the first forecast step of each origin.</param>
/// <param name="Forecasts">The model's forecast from each origin, in original units.</param>
/// <param name="SeasonalNaiveForecasts">The seasonal-naive forecast from each origin.</param>
/// <param name="LastValueNaiveForecasts">The last-value naive forecast from each origin (the value before the origin, repeated).</param>
public sealed record ForecastBacktestResult(ForecastMetrics Metrics, IReadOnlyList<int> Origins, IReadOnlyList<ForecastResult> Forecasts,
    IReadOnlyList<float[]> SeasonalNaiveForecasts, IReadOnlyList<float[]> LastValueNaiveForecasts);

/// <summary>
/// Rolling-origin evaluation of a fixed (already trained) forecaster on the last steps of a series.
/// </summary>
/// <remarks>
/// With a hold-out of N steps and horizon H, the origins are the steps <c>n − N, n − N + 1, …, n − H</c>: every
/// forecast lies wholly inside the hold-out, and each origin sees the true values before it (the model is not
/// retrained). Train the model on the first <c>n − N</c> steps only. The MASE scale is the seasonal-naive MAE on those
/// first <c>n − N</c> steps, shared by the model and both baselines; when it is 0 the MASE figures are null.
/// </remarks>
public static class ForecastBacktest
{
    /// <summary>Backtests <paramref name="model"/> over the last <paramref name="holdout"/> steps of <paramref name="series"/>.</summary>
    /// <param name="model">A forecaster trained on the first <c>Length − holdout</c> steps.</param>
    /// <param name="series">The whole series, rows in time order, with the model's columns.</param>
    /// <param name="holdout">Held-out steps at the end; at least the model's horizon.</param>
    /// <param name="seasonalPeriod">Season length of the baseline and of the MASE scale (1 for non-seasonal data).</param>
    public static ForecastBacktestResult Run(RecurrentForecastingTransformer model, IDataView series, int holdout, int seasonalPeriod)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Run(model, model.ReadSeries(series), holdout, seasonalPeriod);
    }

    /// <summary>Backtests <paramref name="model"/> over the last <paramref name="holdout"/> steps of a series in memory.</summary>
    /// <param name="model">A forecaster trained on the first <c>Length − holdout</c> steps.</param>
    /// <param name="series">The whole series with the model's columns.</param>
    /// <param name="holdout">Held-out steps at the end; at least the model's horizon.</param>
    /// <param name="seasonalPeriod">Season length of the baseline and of the MASE scale.</param>
    public static ForecastBacktestResult Run(RecurrentForecastingTransformer model, SeriesFrame series, int holdout, int seasonalPeriod)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(series);
        int n = series.Length, horizon = model.Horizon, lookback = model.Lookback;
        if (holdout < horizon || holdout >= n)
            throw new ArgumentOutOfRangeException(nameof(holdout), holdout, $"The hold-out must lie in {horizon}..{n - 1} (horizon {horizon}, series '{series.ValueColumnName}' of {n} steps).");
        int first = n - holdout;
        if (first < Math.Max(lookback, seasonalPeriod + 1))
            throw new ArgumentOutOfRangeException(nameof(holdout), holdout,
                $"Only {first} steps of '{series.ValueColumnName}' precede the hold-out; the model reads {lookback} and the seasonal baseline needs more than {seasonalPeriod}.");

        var values = series.Values.ToArray();
        var origins = Enumerable.Range(first, n - horizon - first + 1).ToArray();
        var windows = origins.Select(o => SeriesWindowing.CreateInput(series, o, lookback, horizon)).ToArray();
        var forecasts = model.Forecast(windows);
        var seasonalNaive = origins.Select(o => ForecastAccuracy.SeasonalNaiveForecast(values.AsSpan(0, o), horizon, seasonalPeriod)).ToArray();
        var lastValueNaive = origins.Select(o => ForecastAccuracy.SeasonalNaiveForecast(values.AsSpan(0, o), horizon, 1)).ToArray();

        var actual = origins.SelectMany(o => values.Skip(o).Take(horizon)).ToArray();
        var point = forecasts.SelectMany(f => f.Forecast).ToArray();
        var lower = forecasts.SelectMany(f => f.LowerBound).ToArray();
        var upper = forecasts.SelectMany(f => f.UpperBound).ToArray();
        double scale = ForecastAccuracy.SeasonalNaiveScale(values.AsSpan(0, first), seasonalPeriod);
        // A training part without naive error leaves MASE undefined: null, never an infinity or NaN posing as a score.
        double? Scaled(double error) => scale > 0 ? error / scale : null;
        NaiveForecastMetrics Baseline(string name, int period, float[][] forecast)
        {
            var pooled = forecast.SelectMany(f => f).ToArray();
            double naiveMae = ForecastAccuracy.MeanAbsoluteError(actual, pooled);
            return new NaiveForecastMetrics(name, period, naiveMae, ForecastAccuracy.RootMeanSquaredError(actual, pooled),
                ForecastAccuracy.SymmetricMeanAbsolutePercentageError(actual, pooled), Scaled(naiveMae));
        }
        double mae = ForecastAccuracy.MeanAbsoluteError(actual, point);
        var metrics = new ForecastMetrics(
            mae, ForecastAccuracy.RootMeanSquaredError(actual, point), ForecastAccuracy.SymmetricMeanAbsolutePercentageError(actual, point), Scaled(mae),
            ForecastAccuracy.Coverage(actual, lower, upper),
            Baseline("seasonal naive", seasonalPeriod, seasonalNaive), Baseline("last-value naive", 1, lastValueNaive),
            origins.Length, horizon, seasonalPeriod, model.ModelSettings.ConfidenceLevel);
        return new ForecastBacktestResult(metrics, origins, forecasts, seasonalNaive, lastValueNaive);
    }
}
