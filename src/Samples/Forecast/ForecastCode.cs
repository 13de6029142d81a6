using System.Globalization;
using Samples.Common;
using static Samples.Common.GeneratedProject;

namespace Samples.Forecast;

/// <summary>The C# project <c>forecast --code DIR</c> writes: the file layout and forecaster settings used, ForecastAfter and ForecastAtEachStep.</summary>
public static class ForecastCode
{
    /// <summary>Where the values were in the training file, and how it was delimited.</summary>
    public sealed record Layout(char Separator, bool HasHeader, int ValueColumn)
    {
        /// <summary>A CSV file with a header line and the values in the first column (what generated data is written as).</summary>
        public static Layout Default { get; } = new(',', HasHeader: true, ValueColumn: 0);
    }

    /// <summary>
    /// The project for a forecaster trained with <paramref name="settings"/>; <paramref name="values"/> is the series it
    /// was trained on: its last whole seasons covering the lookback are the program's example input.
    /// </summary>
    public static GeneratedProject Create(ForecastModel.Settings settings, bool positiveSeries, Layout layout, IReadOnlyList<float> values)
    {
        // ForecastAfter takes a series whose first step is at season position 0: start at a multiple of the season.
        int season = Math.Max(settings.Season, 1);
        int start = Math.Max(0, (values.Count - settings.Lookback) / season * season);
        string example = string.Join(", ", values.Skip(start).Select(v => v.ToString("R", CultureInfo.InvariantCulture) + "f"));
        return new GeneratedProject("ForecastApp", "forecast-model.zip",
            Training: $$"""
                using Microsoft.ML;
                using Microsoft.ML.Data;
                using Microsoft.ML.Recurrent;
                using Microsoft.ML.Recurrent.Forecasting;
                using Microsoft.ML.Recurrent.TimeSeries;

                namespace ForecastApp;

                /// <summary>Training side: the data loading and the forecaster dotnet-recurrent trained, with its settings.</summary>
                public static partial class ForecastModel
                {
                    /// <summary>The forecast column of a file laid out like the training data.</summary>
                    public sealed class ValueRow
                    {
                        [LoadColumn({{layout.ValueColumn}})]
                        public float Value { get; set; }
                    }

                    /// <summary>Reads the series, in time order, from a file laid out like the training data.</summary>
                    public static float[] LoadValues(MLContext mlContext, string path)
                        => mlContext.Data.CreateEnumerable<ValueRow>(mlContext.Data.LoadFromTextFile<ValueRow>(path, {{TextLoaderOptions(layout.Separator, layout.HasHeader, multiline: false)}}), reuseRowObject: false).Select(r => r.Value).ToArray();

                    /// <summary>An LSTM that reads {{settings.Lookback}} steps and forecasts {{settings.Horizon}} with a 90% interval.</summary>
                    public static RecurrentForecastingTrainer BuildTrainer(MLContext mlContext) => mlContext.Forecasting.Recurrent(new RecurrentForecastingTrainerOptions
                    {
                        Lookback = {{settings.Lookback}},
                        Horizon = {{settings.Horizon}},
                        KnownFutureColumnNames = Season > 1 ? [nameof(Step.SeasonSin), nameof(Step.SeasonCos)] : [],
                        Scaling = SeriesScaling.{{(positiveSeries ? "Log" : "Standard")}},
                        HiddenSize = {{settings.HiddenSize}},
                        EnsembleSize = {{settings.EnsembleSize}},
                        Seed = {{settings.Seed}},
                        Epochs = {{settings.Epochs}},
                        BatchSize = 32,
                        LearningRate = 0.01,
                        EarlyStoppingPatience = 25,
                        ConfidenceLevel = 0.9,
                    });

                    /// <summary>Trains on the whole series of <paramref name="dataPath"/> and saves at <see cref="ModelPath"/>.</summary>
                    public static void Train(MLContext mlContext, string dataPath)
                    {
                        var series = LoadSeries(mlContext, LoadValues(mlContext, dataPath));
                        var model = BuildTrainer(mlContext).Fit(series);
                        mlContext.Model.Save(model, series.Schema, ModelPath);
                    }
                }

                """,
            Consumption: $$"""
                using Microsoft.ML;
                using Microsoft.ML.Data;
                using Microsoft.ML.Recurrent.Forecasting;

                namespace ForecastApp;

                /// <summary>Consumption side: the series rows and output class, the saved .zip loaded once, ForecastAfter and ForecastAtEachStep.</summary>
                public static partial class ForecastModel
                {
                    /// <summary>Steps per season the model was trained with (its known-future inputs are the season position).</summary>
                    public const int Season = {{season}};

                    /// <summary>One time step: the value and its position in the season (known for every future step).</summary>
                    public sealed class Step
                    {
                        public float Value { get; set; }

                        public float SeasonSin { get; set; }

                        public float SeasonCos { get; set; }
                    }

                    /// <summary>The forecast made at one step of a series: the next steps and their interval.</summary>
                    public sealed class ModelOutput
                    {
                        public float[] Forecast { get; set; } = [];

                        public float[] LowerBound { get; set; } = [];

                        public float[] UpperBound { get; set; } = [];
                    }

                    /// <summary>The model dotnet-recurrent trained, copied beside the program.</summary>
                    public static string ModelPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "forecast-model.zip");

                    private static readonly Lazy<RecurrentForecastingTransformer> Loaded = new(() =>
                        (RecurrentForecastingTransformer)new MLContext().Model.Load(ModelPath, out _));

                    /// <summary>
                    /// The forecast the model makes at each step of <paramref name="values"/> from the lookback steps ending
                    /// there (the model applied to the series with Transform); NaN where a step lacks its lookback.
                    /// </summary>
                    public static List<ModelOutput> ForecastAtEachStep(IReadOnlyList<float> values)
                    {
                        var mlContext = new MLContext();
                        var scored = Loaded.Value.Transform(LoadSeries(mlContext, values));
                        return mlContext.Data.CreateEnumerable<ModelOutput>(scored, reuseRowObject: false).ToList();
                    }

                    /// <summary>Forecasts the steps after <paramref name="values"/> (at least the lookback), whose first step is at season position 0.</summary>
                    public static ForecastResult ForecastAfter(IReadOnlyList<float> values)
                    {
                        var model = Loaded.Value;
                        var series = model.ReadSeries(LoadSeries(new MLContext(), values));
                        var future = Enumerable.Range(values.Count, model.Horizon).SelectMany(KnownFuture).ToArray();
                        return model.CreateForecastingEngine(series).Predict(future);
                    }

                    /// <summary>The series as rows in time order, each with its season position.</summary>
                    public static IDataView LoadSeries(MLContext mlContext, IReadOnlyList<float> values)
                        => mlContext.Data.LoadFromEnumerable(values.Select((value, t) =>
                        {
                            var known = KnownFuture(t);
                            return new Step { Value = value, SeasonSin = known.Length > 0 ? known[0] : 0, SeasonCos = known.Length > 0 ? known[1] : 0 };
                        }).ToList());

                    /// <summary>Position of step <paramref name="t"/> in the season as a point on the unit circle.</summary>
                    public static float[] KnownFuture(int t)
                    {
                        if (Season <= 1)
                            return [];
                        double angle = 2 * Math.PI * (t % Season) / Season;
                        return [(float)Math.Sin(angle), (float)Math.Cos(angle)];
                    }
                }

                """,
            Program: $$"""
                using System.Globalization;
                using Microsoft.ML;
                using ForecastApp;

                // dotnet run -- DATA: forecasts the steps after the series in DATA (laid out like the training data, its first row
                // at season position 0). Without arguments: after the end of the training series. dotnet run -- --train DATA:
                // trains again and saves the model beside the program.
                if (args is ["--train", var dataPath])
                {
                    ForecastModel.Train(new MLContext(seed: 1), dataPath);
                    Console.WriteLine($"Saved the model to {ForecastModel.ModelPath}.");
                    return;
                }
                float[] values = args.Length > 0 ? ForecastModel.LoadValues(new MLContext(), args[0]) : [{{example}}];
                var forecast = ForecastModel.ForecastAfter(values);
                for (int i = 0; i < forecast.Forecast.Length; i++)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {values.Length + i}: {forecast.Forecast[i]:F2} [{forecast.LowerBound[i]:F2}, {forecast.UpperBound[i]:F2}]"));

                """);
    }
}
