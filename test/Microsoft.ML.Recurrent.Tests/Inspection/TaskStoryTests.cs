using Microsoft.ML.Recurrent.Forecasting;
using Microsoft.ML.Recurrent.Inspection;
using Microsoft.ML.Recurrent.Tests.LanguageModeling;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Inspection;

/// <summary>Every task's saved model carries its story (classification is covered by <see cref="ModelStoryTests"/>).</summary>
[TestClass]
public sealed class TaskStoryTests
{
    private sealed class Step
    {
        public float Value { get; set; }
    }

    [TestMethod]
    public void ASavedLanguageModelHasSettingsHistoryAndMetrics()
    {
        using var folder = new TempFolder();
        var (ml, tokenizer, model, data) = TinyCorpus.Model;
        ml.Model.Save(tokenizer.Append(model), data.Schema, folder.File("lm.zip"));

        var story = ModelInspector.ReadStories(folder.File("lm.zip")).Single();
        AssertComplete(story, "LanguageModeling", hiddenSize: "16");
        Assert.AreEqual(story.ToJson(), ModelInspector.Stories(new MLContext().Model.Load(folder.File("lm.zip"), out _)).Single().ToJson());
    }

    [TestMethod]
    public void ASavedForecasterHasSettingsHistoryAndMetrics()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 1);
        var series = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 60).Select(t => new Step { Value = (float)(5 + Math.Sin(t / 2.0)) }).ToList());
        var model = ml.Forecasting.Recurrent(new RecurrentForecastingTrainerOptions
        {
            Lookback = 8,
            Horizon = 3,
            HiddenSize = 8,
            EnsembleSize = 2,
            Epochs = 2,
            Seed = 3,
        }).Fit(series);
        ml.Model.Save(model, series.Schema, folder.File("forecast.zip"));

        var story = ModelInspector.ReadStories(folder.File("forecast.zip")).Single();
        AssertComplete(story, "Forecasting", hiddenSize: "8");
        Assert.AreEqual(2, story.History.Count, "one history per ensemble member");
        Assert.AreEqual(story.ToJson(), ModelInspector.Stories(new MLContext().Model.Load(folder.File("forecast.zip"), out _)).Single().ToJson());
    }

    private static void AssertComplete(ModelStory story, string task, string hiddenSize)
    {
        Assert.AreEqual(task, story.Task);
        Assert.AreEqual(hiddenSize, story.Hyperparameters["HiddenSize"]);
        Assert.IsTrue(story.History.Count >= 1 && story.History.All(h => h.Count >= 1), "per-epoch history");
        Assert.IsTrue(story.Metrics.ContainsKey("training loss") || story.Metrics.Keys.Any(k => k.StartsWith("training loss", StringComparison.Ordinal)), "metrics");
        Assert.IsTrue(story.TrainingRows > 0);
        Assert.AreEqual(64, story.TrainingDataFingerprint.Length);
        Assert.IsFalse(string.IsNullOrEmpty(story.LibraryVersion));
    }
}
