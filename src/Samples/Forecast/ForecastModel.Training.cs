using Microsoft.ML;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.Forecasting;
using Microsoft.ML.Recurrent.TimeSeries;
using Microsoft.ML.Recurrent.Training;

namespace Samples.Forecast;

/// <summary>
/// Training side of the forecaster, Model Builder style: the series rows, the trainer, training, the rolling-origin
/// backtest and saving.
/// </summary>
public static partial class ForecastModel
{
    /// <summary>One time step: the value and the position in the season (known for every future step).</summary>
    public sealed class Step
    {
        public float Value { get; set; }
        public float SeasonSin { get; set; }
        public float SeasonCos { get; set; }
    }

    /// <summary>Window, network and training settings of the sample.</summary>
    public sealed record Settings(int Lookback, int Horizon, int Season, int HiddenSize, int EnsembleSize, int Seed, int Epochs,
        IProgress<TrainingProgress>? Progress);

    /// <summary>The series as rows in time order, each with its season position.</summary>
    public static IDataView LoadSeries(MLContext mlContext, IReadOnlyList<float> values, int season)
        => mlContext.Data.LoadFromEnumerable(values.Select((v, t) => MakeStep(v, t, season)).ToList());

    /// <summary>An LSTM that reads <see cref="Settings.Lookback"/> steps and forecasts <see cref="Settings.Horizon"/> with a 90% interval.</summary>
    public static RecurrentForecastingTrainer BuildTrainer(MLContext mlContext, Settings settings, bool positiveSeries)
        => mlContext.Forecasting.Recurrent(new RecurrentForecastingTrainerOptions
        {
            Lookback = settings.Lookback,
            Horizon = settings.Horizon,
            KnownFutureColumnNames = settings.Season > 1 ? [nameof(Step.SeasonSin), nameof(Step.SeasonCos)] : [],
            Scaling = positiveSeries ? SeriesScaling.Log : SeriesScaling.Standard,
            HiddenSize = settings.HiddenSize,
            EnsembleSize = settings.EnsembleSize,
            Seed = settings.Seed,
            Epochs = settings.Epochs,
            // Few, larger batches and a higher rate: on ~100 windows this converges in tens of epochs.
            BatchSize = 32,
            LearningRate = 0.01,
            EarlyStoppingPatience = 25,
            ConfidenceLevel = 0.9,
            Progress = settings.Progress,
        });

    /// <summary>Fits on the first <paramref name="trainLength"/> steps of <paramref name="series"/>.</summary>
    public static RecurrentForecastingTransformer Train(MLContext mlContext, RecurrentForecastingTrainer trainer, IDataView series, int trainLength)
        => trainer.Fit(mlContext.Data.TakeRows(series, trainLength));

    /// <summary>Rolling-origin backtest over the last <paramref name="holdout"/> steps, against the seasonal and last-value naive forecasts.</summary>
    public static ForecastBacktestResult Evaluate(RecurrentForecastingTransformer model, IDataView series, int holdout, int season)
        => ForecastBacktest.Run(model, series, holdout, season);

    /// <summary>Saves the model at <see cref="ModelPath"/>; its input is the series (Value, SeasonSin and SeasonCos per step).</summary>
    public static void Save(MLContext mlContext, RecurrentForecastingTransformer model, IDataView series)
        => mlContext.Model.Save(model, series.Schema, ModelPath);

    public static Step MakeStep(float value, int t, int season)
    {
        var known = KnownFuture(t, season);
        return new Step { Value = value, SeasonSin = known.Length > 0 ? known[0] : 0, SeasonCos = known.Length > 0 ? known[1] : 0 };
    }

    /// <summary>Position of step <paramref name="t"/> in the season as a point on the unit circle (so December sits next to January).</summary>
    public static float[] KnownFuture(int t, int season)
    {
        if (season <= 1)
            return [];
        double angle = 2 * Math.PI * (t % season) / season;
        return [(float)Math.Sin(angle), (float)Math.Cos(angle)];
    }
}
