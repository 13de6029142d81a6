using Microsoft.ML.Recurrent.Seq2Seq;

namespace Microsoft.ML.Recurrent.Tests.Seq2Seq;

[TestClass]
public sealed class Seq2SeqMetricsTests
{
    private static string[] W(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    // Four pairs, counted by hand (hypothesis n-grams matched against the reference, clipped):
    //  A ref "the cat sat on the mat" (6)  hyp "the the cat sat on mat" (6)
    //      1-grams 6/6 ("the" twice in both); 2-grams 3/5 (the cat, cat sat, sat on); 3-grams 2/4; 4-grams 1/3 (the cat sat on)
    //  B ref "a b c d e" (5)  hyp "a b c" (3): 3/3, 2/2, 1/1, 0/0
    //  C ref "x y" (2)  hyp "x x x" (3): 1/3 ("x" clipped to its one reference occurrence), 0/2, 0/1, 0/0
    //  D ref "p q r s" (4)  hyp identical: 4/4, 3/3, 2/2, 1/1
    //  p1 = 14/16, p2 = 8/12, p3 = 5/8, p4 = 2/4; c = 16, r = 17 -> BP = exp(1 - 17/16) = 0.939413
    //  BLEU = 0.939413 * (0.875 * 0.666667 * 0.625 * 0.5)^(1/4) = 0.939413 * 0.182292^0.25 = 0.939413 * 0.653419 = 0.613830
    //  exact match 1/4; token accuracy by position: A 2/6 (the .. mat), B 3/5, C 1/3, D 4/4 -> 10/18
    [TestMethod]
    public void CorpusBleuMatchesTheHandComputedValueWithBrevityPenaltyAndClipping()
    {
        var references = new[] { W("the cat sat on the mat"), W("a b c d e"), W("x y"), W("p q r s") };
        var hypotheses = new[] { W("the the cat sat on mat"), W("a b c"), W("x x x"), W("p q r s") };
        var metrics = Seq2SeqMetrics.Compute<string>(references, hypotheses);
        Assert.AreEqual(4, metrics.Count);
        CollectionAssert.AreEqual(new[] { 14 / 16.0, 8 / 12.0, 5 / 8.0, 2 / 4.0 }, metrics.Precisions.ToArray());
        Assert.AreEqual(16, metrics.HypothesisLength);
        Assert.AreEqual(17, metrics.ReferenceLength);
        Assert.AreEqual(Math.Exp(1 - 17.0 / 16), metrics.BrevityPenalty, 1e-12);
        Assert.AreEqual(0.613830, metrics.Bleu, 1e-6);
        Assert.AreEqual(0.25, metrics.ExactMatch, 1e-12);
        Assert.AreEqual(10 / 18.0, metrics.TokenAccuracy, 1e-12);
    }

    // ref "a b c d", hyp "a b c d" and ref "e f g h i j", hyp "e f g": every precision is 1 and c = 7 < r = 10,
    // so BLEU is the brevity penalty alone: exp(1 - 10/7) = 0.651439.
    [TestMethod]
    public void AShortHypothesisIsPenalizedByBrevityAlone()
    {
        var metrics = Seq2SeqMetrics.Compute<string>([W("a b c d"), W("e f g h i j")], [W("a b c d"), W("e f g")]);
        Assert.AreEqual(0.651439, metrics.Bleu, 1e-6);
        Assert.AreEqual(0.5, metrics.ExactMatch);
    }

    [TestMethod]
    public void WithoutSmoothingAMissingFourGramMatchGivesZero()
    {
        // "a b c d" vs "a b c e": p4 = 0/1, so BLEU is 0 although most tokens match.
        var metrics = Seq2SeqMetrics.Compute<string>([W("a b c d")], [W("a b c e")]);
        Assert.AreEqual(0, metrics.Precisions[3]);
        Assert.AreEqual(0, metrics.Bleu);
        Assert.AreEqual(0.75, metrics.TokenAccuracy, 1e-12);
        Assert.AreEqual(0, Seq2SeqMetrics.Compute<int>([[1, 2]], [[]]).Bleu);
    }

    [TestMethod]
    public void EvaluateOnADataViewStripsBeginEndAndPadding()
    {
        var ml = new MLContext(seed: 1);
        var rows = new[]
        {
            new Scored { Target = [2, 5, 6, 7, 8, 3], PredictedTokens = [5, 6, 7, 8] },
            new Scored { Target = [2, 9, 10, 3, 0, 0], PredictedTokens = [9] },
        };
        var metrics = ml.SequenceToSequence().Evaluate(ml.Data.LoadFromEnumerable(rows));
        var expected = Seq2SeqMetrics.Compute<int>([[5, 6, 7, 8], [9, 10]], [[5, 6, 7, 8], [9]]);
        Assert.AreEqual(expected.Bleu, metrics.Bleu, 1e-12);
        Assert.AreEqual(0.5, metrics.ExactMatch);
        Assert.AreEqual(5 / 6.0, metrics.TokenAccuracy, 1e-12);
    }

    private sealed class Scored
    {
        [Microsoft.ML.Data.VectorType]
        public int[] Target { get; set; } = [];

        [Microsoft.ML.Data.VectorType]
        public int[] PredictedTokens { get; set; } = [];
    }
}
