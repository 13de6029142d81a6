using Microsoft.ML.Recurrent.Forecasting;
using Microsoft.ML.Recurrent.LanguageModeling;
using static Microsoft.ML.Recurrent.Tests.Reliability.BadInputData;

namespace Microsoft.ML.Recurrent.Tests.Reliability;

/// <summary>Forecasting.Recurrent: empty, short, non-finite or mistyped series and impossible settings.</summary>
internal static class ForecastingBadInputs
{
    private const string Component = "Forecasting.Recurrent";

    public sealed class Step
    {
        public float Value { get; set; }
    }

    private static IDataView Series(params float[] values) => Load(values.Select(v => new Step { Value = v }));

    private static float[] Ramp(int length) => Enumerable.Range(0, length).Select(i => (float)Math.Sin(i / 3.0)).ToArray();

    private static RecurrentForecastingTrainer Trainer(Action<RecurrentForecastingTrainerOptions>? change = null)
    {
        var options = new RecurrentForecastingTrainerOptions { Lookback = 4, Horizon = 2, HiddenSize = 4, Epochs = 1, Seed = 1, EarlyStoppingPatience = 0 };
        change?.Invoke(options);
        return new MLContext(seed: 1).Forecasting.Recurrent(options);
    }

    public static IEnumerable<BadInputCase> Cases()
    {
        yield return BadInputCase.Error<ArgumentException>(Component, "empty IDataView", () => Trainer().Fit(Series()), "'Value'");
        yield return BadInputCase.Error<ArgumentException>(Component, "series shorter than lookback plus horizon", () => Trainer().Fit(Series(Ramp(5))), "6");
        yield return BadInputCase.Error<InvalidDataException>(Component, "NaN in the series", () =>
            Trainer().Fit(Series([.. Ramp(10), float.NaN, .. Ramp(10)])), "'Value'", "10");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "wrong column name", () =>
            Trainer(o => o.ValueColumnName = "Sales").Fit(Series(Ramp(30))), "'Sales'");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "absurd hyper-parameter: horizon 0", () => Trainer(o => o.Horizon = 0), "Horizon");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "absurd hyper-parameter: hidden size 0", () => Trainer(o => o.HiddenSize = 0), "HiddenSize");
    }
}

/// <summary>LanguageModeling().Trainers.Recurrent: empty or missing token streams and impossible settings.</summary>
internal static class LanguageModelBadInputs
{
    private const string Component = "LanguageModeling.Trainers.Recurrent";

    private static LanguageModelTrainer Trainer(Action<LanguageModelTrainerOptions>? change = null)
    {
        var options = new LanguageModelTrainerOptions
        {
            TokenColumnName = "Values", HiddenSize = 4, EmbeddingSize = 4, Layers = 1, SequenceLength = 2, BatchSize = 2,
            EvaluationBatchSize = 2, Epochs = 1, Seed = 1,
        };
        change?.Invoke(options);
        return new MLContext(seed: 1).LanguageModeling().Trainers.Recurrent(options);
    }

    public static IEnumerable<BadInputCase> Cases()
    {
        yield return BadInputCase.Error<ArgumentException>(Component, "empty IDataView", () => Trainer().Fit(Ints()), "'Values'", "no tokens");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "wrong column name", () =>
            Trainer(o => o.TokenColumnName = "Tokens").Fit(Ints([4, 5, 6])), "'Tokens'");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "wrong column type", () => Trainer().Fit(Floats([1f, 2f])), "'Values'");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "absurd hyper-parameter: hidden size 0", () => Trainer(o => o.HiddenSize = 0), "HiddenSize");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "absurd hyper-parameter: negative learning rate", () => Trainer(o => o.LearningRate = -1), "LearningRate");
    }
}
