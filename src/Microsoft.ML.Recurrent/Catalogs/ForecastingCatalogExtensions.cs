using Microsoft.ML.Recurrent.Forecasting;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent;

namespace Microsoft.ML;

/// <summary>
/// The recurrent forecaster on ML.NET's forecasting catalog: <c>mlContext.Forecasting.Recurrent(...)</c>, and its
/// rolling-origin evaluation, <c>mlContext.Forecasting.EvaluateRecurrent(...)</c>.
/// </summary>
public static class ForecastingCatalogExtensions
{
    /// <summary>
    /// A recurrent forecaster of <paramref name="horizon"/> steps from the last <paramref name="lookback"/> values of
    /// <paramref name="valueColumnName"/>, with a <paramref name="confidenceLevel"/> interval. Defaults: a GRU of 32
    /// units, standard scaling, window normalization, quantile intervals, early stopping on a fifth of the windows.
    /// </summary>
    /// <param name="catalog">The forecasting catalog.</param>
    /// <param name="valueColumnName">The series column (Single or Double), one row per time step in order.</param>
    /// <param name="horizon">Steps forecast at once; at least 1.</param>
    /// <param name="lookback">Steps read before each forecast; at least 1.</param>
    /// <param name="confidenceLevel">Nominal coverage of [LowerBound, UpperBound], in (0, 1).</param>
    /// <param name="forecastColumnName">Output column of forecasts.</param>
    /// <param name="lowerBoundColumnName">Output column of lower bounds.</param>
    /// <param name="upperBoundColumnName">Output column of upper bounds.</param>
    public static RecurrentForecastingTrainer Recurrent(this ForecastingCatalog catalog, string valueColumnName = "Value", int horizon = 12,
        int lookback = 24, double confidenceLevel = 0.9, string forecastColumnName = "Forecast", string lowerBoundColumnName = "LowerBound",
        string upperBoundColumnName = "UpperBound")
        => catalog.Recurrent(new RecurrentForecastingTrainerOptions
        {
            ValueColumnName = valueColumnName,
            Horizon = horizon,
            Lookback = lookback,
            ConfidenceLevel = confidenceLevel,
            ForecastColumnName = forecastColumnName,
            LowerBoundColumnName = lowerBoundColumnName,
            UpperBoundColumnName = upperBoundColumnName,
        });

    /// <summary>A recurrent forecaster with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The forecasting catalog.</param>
    /// <param name="options">Columns, windows, scaling, network, interval and training settings.</param>
    public static RecurrentForecastingTrainer Recurrent(this ForecastingCatalog catalog, RecurrentForecastingTrainerOptions options)
        => new(BridgeEnvironment.FromCatalog(catalog), options);

    /// <summary>
    /// Rolling-origin backtest of a trained forecaster over the last <paramref name="holdout"/> steps of
    /// <paramref name="series"/>, with the seasonal and last-value naive baselines computed on the same origins (see <see cref="ForecastBacktest"/>).
    /// </summary>
    /// <param name="catalog">The forecasting catalog.</param>
    /// <param name="model">A forecaster trained on the steps before the hold-out.</param>
    /// <param name="series">The whole series, rows in time order.</param>
    /// <param name="holdout">Held-out steps at the end; at least the horizon.</param>
    /// <param name="seasonalPeriod">Season length of the baseline and of the MASE scale.</param>
    public static ForecastMetrics EvaluateRecurrent(this ForecastingCatalog catalog, RecurrentForecastingTransformer model, IDataView series,
        int holdout, int seasonalPeriod)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return ForecastBacktest.Run(model, series, holdout, seasonalPeriod).Metrics;
    }
}
