using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Forecasting;

namespace Samples.Forecast;

/// <summary>
/// Consumption side of the forecaster, in the style Model Builder generates: input and output classes, a lazily
/// created PredictionEngine over the saved .zip, <see cref="Predict"/>, and <see cref="ForecastAfter"/> for the
/// common case of "the next horizon after this series".
/// </summary>
public static partial class ForecastModel
{
    /// <summary>One lookback window in original units, laid out as CreateWindowData builds it (see SeriesWindowing).</summary>
    public sealed class ModelInput
    {
        public float[] Window { get; set; } = [];
    }

    /// <summary>The forecast of the next horizon steps and its interval.</summary>
    public sealed class ModelOutput
    {
        public float[] Forecast { get; set; } = [];
        public float[] LowerBound { get; set; } = [];
        public float[] UpperBound { get; set; } = [];
    }

    /// <summary>Where the trained model is saved and loaded from.</summary>
    public static string ModelPath { get; set; } = Path.GetFullPath("forecast-model.zip");

    private static Lazy<(RecurrentForecastingTransformer Model, PredictionEngine<ModelInput, ModelOutput> Engine)> _loaded = new(Load);

    /// <summary>Forecasts from one window with the model at <see cref="ModelPath"/>.</summary>
    public static ModelOutput Predict(ModelInput input) => _loaded.Value.Engine.Predict(input);

    /// <summary>Forecasts the steps after <paramref name="values"/> (at least lookback of them), whose step 0 is at season position 0.</summary>
    public static ForecastResult ForecastAfter(IReadOnlyList<float> values, int season)
    {
        var model = _loaded.Value.Model;
        var series = model.ReadSeries(new MLContext().Data.LoadFromEnumerable(values.Select((v, t) => MakeStep(v, t, season)).ToList()));
        var future = Enumerable.Range(values.Count, model.Horizon).SelectMany(t => KnownFuture(t, season)).ToArray();
        return model.CreateForecastingEngine(series).Predict(future);
    }

    /// <summary>Forgets the loaded model, so the next call loads <see cref="ModelPath"/> again.</summary>
    public static void Reset() => _loaded = new(Load);

    private static (RecurrentForecastingTransformer, PredictionEngine<ModelInput, ModelOutput>) Load()
    {
        // A fresh MLContext: nothing from training is reused, as in another process.
        var mlContext = new MLContext();
        var model = (RecurrentForecastingTransformer)mlContext.Model.Load(ModelPath, out var inputSchema);
        // The window length depends on lookback and columns, so the input class takes its vector size from the saved schema.
        var definition = SchemaDefinition.Create(typeof(ModelInput));
        definition[nameof(ModelInput.Window)].ColumnType = inputSchema[model.ModelSettings.WindowColumnName].Type;
        return (model, mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model, inputSchemaDefinition: definition));
    }
}
