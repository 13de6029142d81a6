using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Tests.LanguageModeling;
using Microsoft.ML.Recurrent.Tests.Support;
using Microsoft.ML.Recurrent.Text;
using global::Samples.Forecast;
using global::Samples.LanguageModel;

namespace Microsoft.ML.Recurrent.Tests.Samples;

/// <summary>
/// The Model Builder-style training and consumption files of the language-model and forecast samples: train tiny
/// models with the training file, save, and use them through the consumption file (which loads in a fresh MLContext).
/// </summary>
[TestClass]
public sealed class ModelFilesTests
{
    [TestMethod]
    public void TheForecastConsumptionFileAgreesWithTheTrainedModel()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 1);
        float[] values = Enumerable.Range(0, 72).Select(t => (float)(50 + t + 10 * Math.Sin(2 * Math.PI * t / 12))).ToArray();
        var series = ForecastModel.LoadSeries(ml, values, season: 12);
        var settings = new ForecastModel.Settings(Lookback: 12, Horizon: 3, Season: 12, HiddenSize: 4, EnsembleSize: 1, Seed: 1, Epochs: 2, Progress: null);
        var model = ForecastModel.Train(ml, ForecastModel.BuildTrainer(ml, settings, positiveSeries: true), series, values.Length);
        ForecastModel.ModelPath = folder.File("forecast.zip");
        ForecastModel.Save(ml, model, series);
        ForecastModel.Reset();

        // The first complete window ends at row 11 (lookback 12): the consumption file's forecast at that step is its forecast.
        float[] window = model.CreateWindowData(series).GetColumn<float[]>("Window").First();
        var atEachStep = ForecastModel.ForecastAtEachStep(values, season: 12);
        Assert.AreEqual(values.Length, atEachStep.Count);
        var predicted = atEachStep[11];
        var expected = model.Forecast(window);
        Assert.AreEqual(3, predicted.Forecast.Length);
        for (int i = 0; i < 3; i++)
            Assert.AreEqual(expected.Forecast[i], predicted.Forecast[i], 1e-3f);
        Assert.IsTrue(atEachStep[10].Forecast.All(float.IsNaN), "no forecast before a full lookback");
        Assert.IsTrue(atEachStep[^1].Forecast.All(float.IsNaN), "the season of the steps after the data is not in the data");

        var future = Enumerable.Range(values.Length, 3).SelectMany(t => ForecastModel.KnownFuture(t, 12)).ToArray();
        var ahead = model.CreateForecastingEngine(series).Predict(future);
        var after = ForecastModel.ForecastAfter(values, season: 12);
        for (int i = 0; i < 3; i++)
            Assert.AreEqual(ahead.Forecast[i], after.Forecast[i], 1e-3f);
    }

    [TestMethod]
    public void TheLanguageModelConsumptionFileScoresAndGenerates()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 1);
        var lines = TinyCorpus.Generate(200, seed: 1).Select(l => l.Text).ToList();
        var train = LanguageModelModel.LoadLines(ml, lines[..160]);
        var valid = LanguageModelModel.LoadLines(ml, lines[160..]);
        var settings = new LanguageModelModel.Settings(TokenGranularity.Word, Epochs: 1, MaxTrainingTime: TimeSpan.FromMinutes(1), Progress: null);
        var trained = LanguageModelModel.Train(ml, train, valid, settings);
        // The model is not IDisposable: its native memory goes with it.
        {
            Assert.IsTrue(LanguageModelModel.Evaluate(ml, trained, valid).Perplexity > 1);
            LanguageModelModel.ModelPath = folder.File("lm.zip");
            LanguageModelModel.Save(ml, trained, train);
        }
        LanguageModelModel.Reset();

        var output = LanguageModelModel.Predict(new LanguageModelModel.ModelInput { Text = lines[0], Prompt = "" });
        Assert.IsTrue(output.LogProbability < 0, $"log-probability {output.LogProbability}");
        Assert.IsFalse(string.IsNullOrWhiteSpace(LanguageModelModel.Generate("the")));
    }
}
