using Microsoft.ML.Recurrent.Inspection;
using global::Samples.Sentiment;

namespace Microsoft.ML.Recurrent.Tests.Samples;

/// <summary>The sentiment sample's wide features are fitted on labels, so its validation rows must be held out before them.</summary>
[TestClass]
public sealed class SentimentWideFeaturesTests
{
    private sealed class Review
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }

    /// <summary>
    /// Texts of eight words drawn from 640, so that each word occurs in about three texts, with coin-flip labels:
    /// nothing generalizes, and honest validation sits near chance. Had the log-count ratios been fitted on the
    /// validation rows too, each validation text's words would lean towards its own label, which the linear part (whose
    /// weights follow the ratios) reads back.
    /// </summary>
    [TestMethod]
    public void ValidationRowsAreHeldOutBeforeTheWideFeaturesAreFitted()
    {
        var random = new Random(4);
        var reviews = Enumerable.Range(0, 400).Select(_ => new Review
        {
            Text = string.Join(" ", Enumerable.Range(0, 8).Select(_ => $"w{random.Next(640)}")),
            Label = random.Next(2) == 1,
        }).ToList();
        var ml = new MLContext(seed: 1);
        var settings = new SentimentModel.Settings(Epochs: 1, HiddenSize: 4, EmbeddingSize: 4, EnsembleSize: 1, BatchSize: 32, LearningRate: 1e-3,
            ValidationFraction: 0.5, MaximumVocabularySize: 1000, MaxTrainingTime: null, Progress: null, EarlyStoppingPatience: 1, Wide: true);
        var model = SentimentModel.Train(ml, settings, ml.Data.LoadFromEnumerable(reviews), validationData: null);

        var validation = ModelInspector.Stories(model).Single().Metrics
            .Where(m => m.Key.StartsWith("validation accuracy", StringComparison.Ordinal)).Select(m => m.Value).ToList();
        Assert.AreEqual(1, validation.Count, "one validation accuracy recorded");
        // Measured: 0.485 with the split held out first, 0.730 with the ratios fitted on every row.
        Assert.IsTrue(validation[0] < 0.62, $"validation accuracy {validation[0]:F3} on coin-flip labels: the validation rows' labels reached the features");
    }
}
