using Microsoft.ML;
using Microsoft.ML.Recurrent.Forecasting;

namespace Samples.Forecast;

/// <summary>
/// Consumption side of the forecaster, in the style Model Builder generates for ML.NET's forecasters: the output
/// class, the saved model loaded lazily, <see cref="ForecastAfter"/> (the engine that forecasts forward from a
/// series, as <c>CreateTimeSeriesEngine</c> does for ForecastBySsa) and <see cref="ForecastAtEachStep"/> (the model
/// applied to a whole series with Transform).
/// </summary>
public static partial class ForecastModel
{
    /// <summary>The forecast made at one step of a series: the next horizon values and their interval.</summary>
    public sealed class ModelOutput
    {
        public float[] Forecast { get; set; } = [];
        public float[] LowerBound { get; set; } = [];
        public float[] UpperBound { get; set; } = [];
    }

    /// <summary>Where the trained model is saved and loaded from.</summary>
    public static string ModelPath { get; set; } = Path.GetFullPath("forecast-model.zip");

    private static Lazy<(MLContext Context, RecurrentForecastingTransformer Model)> _loaded = new(Load);

    /// <summary>Forecasts the steps after <paramref name="values"/> (at least lookback of them), whose step 0 is at season position 0.</summary>
    public static ForecastResult ForecastAfter(IReadOnlyList<float> values, int season)
    {
        var (mlContext, model) = _loaded.Value;
        var engine = model.CreateForecastingEngine(LoadSeries(mlContext, values, season));
        var future = Enumerable.Range(values.Count, model.Horizon).SelectMany(t => KnownFuture(t, season)).ToArray();
        return engine.Predict(future);
    }

    /// <summary>
    /// The forecast the model makes at each step of <paramref name="values"/> from the lookback steps ending there;
    /// NaN for the first lookback − 1 steps and, since the season position is a known-future column, the last horizon steps.
    /// </summary>
    public static List<ModelOutput> ForecastAtEachStep(IReadOnlyList<float> values, int season)
    {
        var (mlContext, model) = _loaded.Value;
        var scored = model.Transform(LoadSeries(mlContext, values, season));
        return mlContext.Data.CreateEnumerable<ModelOutput>(scored, reuseRowObject: false).ToList();
    }

    /// <summary>Forgets the loaded model, so the next call loads <see cref="ModelPath"/> again.</summary>
    public static void Reset() => _loaded = new(Load);

    private static (MLContext, RecurrentForecastingTransformer) Load()
    {
        // A fresh MLContext: nothing from training is reused, as in another process.
        var mlContext = new MLContext();
        return (mlContext, (RecurrentForecastingTransformer)mlContext.Model.Load(ModelPath, out _));
    }
}
