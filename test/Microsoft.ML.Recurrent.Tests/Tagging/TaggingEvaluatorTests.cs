using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Tagging;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

[TestClass]
public sealed class TaggingEvaluatorTests
{
    private sealed class Row
    {
        [VectorType] public string[] Tags { get; set; } = [];
        [VectorType] public string[] PredictedTags { get; set; } = [];
    }

    [TestMethod]
    public void EntityScoresMatchAHandComputation()
    {
        // Sentence 1: gold PER[0,2) LOC[3,4) ORG[5,8); predicted PER[0,2) ORG[3,4) ORG[5,7).
        //   PER correct; LOC mislabelled as ORG; ORG boundary too short -> 1 correct of 3 gold, 3 predicted.
        // Sentence 2: gold "O I-LOC I-LOC O" is LOC[1,3) (I- after O starts an entity, as in conlleval);
        //   predicted "O B-LOC I-LOC O" is the same span -> correct. 1 gold, 1 predicted, 1 correct.
        // Sentence 3: gold "B-PER I-PER I-LOC" is PER[0,2) LOC[2,3); predicted "B-PER I-PER I-PER" is PER[0,3), too long.
        //   2 gold, 1 predicted, 0 correct.
        // Overall: gold 6, predicted 5, correct 2: precision 2/5, recall 2/6, F1 = 2PR/(P+R) = (4/15)/(11/15) = 4/11.
        // Per type: PER gold 2, predicted 2, correct 1 -> F1 1/2. LOC gold 3, predicted 1, correct 1 -> P 1, R 1/3, F1 1/2.
        //   ORG gold 1, predicted 2, correct 0 -> F1 0.
        // Tokens: 8 + 4 + 3 = 15, wrong at s1 positions 3 and 7, s2 position 1, s3 position 2 -> accuracy 11/15.
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new Row { Tags = ["B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG", "I-ORG", "I-ORG"], PredictedTags = ["B-PER", "I-PER", "O", "B-ORG", "O", "B-ORG", "I-ORG", "O"] },
            new Row { Tags = ["O", "I-LOC", "I-LOC", "O"], PredictedTags = ["O", "B-LOC", "I-LOC", "O"] },
            new Row { Tags = ["B-PER", "I-PER", "I-LOC"], PredictedTags = ["B-PER", "I-PER", "I-PER"] },
        });
        var metrics = ml.SequenceTagging().Evaluate(data);
        Assert.AreEqual(0.4, metrics.Precision, 1e-12);
        Assert.AreEqual(1.0 / 3, metrics.Recall, 1e-12);
        Assert.AreEqual(4.0 / 11, metrics.F1, 1e-12);
        Assert.AreEqual(11.0 / 15, metrics.TokenAccuracy, 1e-12);
        Assert.AreEqual(0.5, metrics.PerType["PER"].F1, 1e-12);
        var loc = metrics.PerType["LOC"];
        Assert.AreEqual((3, 1, 1), (loc.GoldCount, loc.PredictedCount, loc.CorrectCount));
        Assert.AreEqual(1.0, loc.Precision, 1e-12);
        Assert.AreEqual(0.5, loc.F1, 1e-12);
        Assert.AreEqual(0, metrics.PerType["ORG"].F1);
        Assert.AreEqual(3, metrics.SentenceCount);
        Assert.AreEqual(15, metrics.TokenCount);
    }

    [TestMethod]
    public void PartOfSpeechTagsAreScoredByTokenAccuracy()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { Tags = ["DT", "NN", "VBZ"], PredictedTags = ["DT", "NN", "NN"] } });
        var metrics = ml.SequenceTagging().Evaluate(data);
        Assert.AreEqual(2.0 / 3, metrics.TokenAccuracy, 1e-12);
        Assert.IsFalse(metrics.HasEntities);
    }

    [TestMethod]
    public void PerTagScoresAndMacroF1MatchAHandComputation()
    {
        // Gold:      DT NN VBZ | DT JJ NN
        // Predicted: DT NN NN  | DT NN NN
        // DT: gold 2, predicted 2, correct 2 -> P 1, R 1, F1 1.
        // NN: gold 2, predicted 4, correct 2 -> P 1/2, R 1, F1 2/3.
        // VBZ: gold 1, predicted 0 -> P 0, R 0, F1 0.   JJ: gold 1, predicted 0 -> F1 0.
        // Macro F1 over the four gold tags: (1 + 2/3 + 0 + 0) / 4 = 5/12. Token accuracy 4/6.
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new Row { Tags = ["DT", "NN", "VBZ"], PredictedTags = ["DT", "NN", "NN"] },
            new Row { Tags = ["DT", "JJ", "NN"], PredictedTags = ["DT", "NN", "NN"] },
        });
        var metrics = ml.SequenceTagging().Evaluate(data);
        CollectionAssert.AreEqual(new[] { "DT", "JJ", "NN", "VBZ" }, metrics.PerTag.Keys.ToArray());
        Assert.AreEqual(new EntityMetrics(1, 1, 1, 2, 2, 2), metrics.PerTag["DT"]);
        var nn = metrics.PerTag["NN"];
        Assert.AreEqual((2, 4, 2), (nn.GoldCount, nn.PredictedCount, nn.CorrectCount));
        Assert.AreEqual(0.5, nn.Precision, 1e-12);
        Assert.AreEqual(2.0 / 3, nn.F1, 1e-12);
        Assert.AreEqual(new EntityMetrics(0, 0, 0, 1, 0, 0), metrics.PerTag["VBZ"]);
        Assert.AreEqual(5.0 / 12, metrics.MacroF1, 1e-12);
        Assert.AreEqual(4.0 / 6, metrics.TokenAccuracy, 1e-12);
        Assert.IsNull(TagSchemes.Detect([["DT", "NN", "VBZ"], ["DT", "JJ", "NN"]]), "part of speech is not a chunk scheme");
    }

    [TestMethod]
    public void APredictedTagTheGoldNeverUsesCountsAgainstPrecisionButNotMacroF1()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { Tags = ["NOUN", "NOUN"], PredictedTags = ["NOUN", "X"] } });
        var metrics = ml.SequenceTagging().Evaluate(data);
        Assert.AreEqual(new EntityMetrics(0, 0, 0, 0, 1, 0), metrics.PerTag["X"]);
        Assert.AreEqual(1.0, metrics.PerTag["NOUN"].Precision);
        Assert.AreEqual(0.5, metrics.PerTag["NOUN"].Recall);
        Assert.AreEqual(2.0 / 3, metrics.MacroF1, 1e-12, "X occurs only in the predictions");
    }

    [TestMethod]
    public void RowsWhoseLengthsDifferAreRejected()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { Tags = ["O"], PredictedTags = ["O"] }, new Row { Tags = ["O", "O"], PredictedTags = ["O"] } });
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.SequenceTagging().Evaluate(data));
        StringAssert.Contains(error.Message, "row 1");
    }
}
