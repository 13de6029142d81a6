using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.LanguageModeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Tests.LanguageModeling;

[TestClass]
public sealed class LanguageModelMetricsTests
{
    [TestMethod]
    public void TrainingBeatsTheUniformGuessAndMetricsAreConsistent()
    {
        var (ml, tokenizer, model, _) = TinyCorpus.Model;
        var test = tokenizer.Transform(ml.Data.LoadFromEnumerable(TinyCorpus.Generate(100, seed: 2)));
        var metrics = ml.LanguageModeling().Evaluate(model, test);
        Assert.IsTrue(metrics.CrossEntropy < Math.Log(tokenizer.VocabularySize) - 0.5, $"cross-entropy {metrics.CrossEntropy}");
        Assert.AreEqual(Math.Exp(metrics.CrossEntropy), metrics.Perplexity, 1e-12);
        Assert.AreEqual(metrics.CrossEntropy / Math.Log(2), metrics.BitsPerToken, 1e-12);
        Assert.IsTrue(metrics.TopFiveAccuracy >= metrics.TopOneAccuracy && metrics.TopOneAccuracy > 0.3, $"top-1 {metrics.TopOneAccuracy}, top-5 {metrics.TopFiveAccuracy}");
    }

    [TestMethod]
    public void EvaluationMatchesCrossEntropyComputedByHandOverOneUnsplitWindow()
    {
        var (ml, tokenizer, model, _) = TinyCorpus.Model;
        var lines = TinyCorpus.Generate(12, seed: 5);
        var data = ml.Data.LoadFromEnumerable(lines);
        // Evaluate reads the text column through the saved tokenizer, one segment, in windows of 8 carrying the state.
        var metrics = model.Evaluate(data, "Text", batchSize: 1);

        // By hand: the stream is every line's ids without <s> (each ends with </s>), run as one window from a zero state.
        var stream = lines.SelectMany(l => tokenizer.Encode(l.Text).Skip(1)).Select(i => (long)i).ToArray();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (logits, state) = model.Network.Forward(tensor(stream[..^1], [1, stream.Length - 1]), null);
        float[] values = logits.reshape(-1).data<float>().ToArray();
        int vocabulary = (int)logits.shape[2];
        double loss = 0;
        int topOne = 0;
        for (int t = 0; t < stream.Length - 1; t++)
        {
            var row = values.AsSpan(t * vocabulary, vocabulary);
            double max = double.MinValue;
            foreach (float v in row) max = Math.Max(max, v);
            double sum = 0;
            foreach (float v in row) sum += Math.Exp(v - max);
            loss -= row[(int)stream[t + 1]] - max - Math.Log(sum);
            int best = 0;
            for (int i = 1; i < vocabulary; i++) if (row[i] > row[best]) best = i;
            topOne += best == stream[t + 1] ? 1 : 0;
        }
        Assert.AreEqual(stream.Length - 1, metrics.TokenCount);
        Assert.AreEqual(loss / (stream.Length - 1), metrics.CrossEntropy, 1e-5);
        Assert.AreEqual(Math.Exp(loss / (stream.Length - 1)), metrics.Perplexity, 1e-4);
        Assert.AreEqual((double)topOne / (stream.Length - 1), metrics.TopOneAccuracy, 1e-12);
    }

    [TestMethod]
    public void StateCarryMakesSplitWindowsEqualOneWindow()
    {
        var (_, tokenizer, model, _) = TinyCorpus.Model;
        var stream = TinyCorpus.Generate(20, seed: 6).SelectMany(l => tokenizer.Encode(l.Text).Skip(1)).ToArray();
        var whole = LanguageModelScorer.Score(model.Network, stream, rows: 2, sequenceLength: stream.Length);
        foreach (int window in new[] { 1, 7, 20 })
        {
            var split = LanguageModelScorer.Score(model.Network, stream, rows: 2, sequenceLength: window);
            Assert.AreEqual(whole.Count, split.Count);
            Assert.AreEqual(whole.LossSum, split.LossSum, 1e-3 * whole.LossSum / whole.Count, $"window {window}");
            Assert.AreEqual(whole.TopOne, split.TopOne);
        }
    }

    [TestMethod]
    public void MarkovEntropyRateOfATwoStateChainMatchesTheHandValue()
    {
        // P = [[0.9, 0.1], [0.5, 0.5]]: π = (5/6, 1/6), H = 5/6 h(0.1) + 1/6 h(0.5) with h the binary entropy in nats.
        double[,] transitions = { { 0.9, 0.1 }, { 0.5, 0.5 } };
        var pi = MarkovChain.StationaryDistribution(transitions);
        Assert.AreEqual(5.0 / 6, pi[0], 1e-12);
        Assert.AreEqual(1.0 / 6, pi[1], 1e-12);
        static double H(double p) => -p * Math.Log(p) - (1 - p) * Math.Log(1 - p);
        Assert.AreEqual(5.0 / 6 * H(0.1) + 1.0 / 6 * H(0.5), MarkovChain.EntropyRate(transitions), 1e-12);
        Assert.ThrowsExactly<ArgumentException>(() => MarkovChain.EntropyRate(new double[,] { { 0.5, 0.4 }, { 0.5, 0.5 } }));
    }

    [TestMethod]
    public void BadInputGivesClearErrors()
    {
        var (ml, tokenizer, model, _) = TinyCorpus.Model;
        var empty = ml.Data.LoadFromEnumerable(new[] { new TokenRow { Tokens = [] } });
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.LanguageModeling().Trainers.Recurrent(new LanguageModelTrainerOptions { Epochs = 1 }).Fit(empty));
        StringAssert.Contains(error.Message, "holds no tokens");

        var outside = ml.Data.LoadFromEnumerable(new[] { new TokenRow { Tokens = [4, 5, 6] }, new TokenRow { Tokens = [4, 999] } });
        var mismatch = Assert.ThrowsExactly<InvalidDataException>(() => model.Evaluate(outside));
        StringAssert.Contains(mismatch.Message, "row 1");
        StringAssert.Contains(mismatch.Message, "token id 999");

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Generate("the cat", new GenerationOptions { TopP = 0 }));
        var noTokenizer = ml.LanguageModeling().Trainers.Recurrent(new LanguageModelTrainerOptions { Epochs = 1, HiddenSize = 4, EmbeddingSize = 4, Layers = 1, BatchSize = 2, ValidationFraction = 0 })
            .Fit(ml.Data.LoadFromEnumerable(new[] { new TokenRow { Tokens = [2, 3, 4, 5, 6, 7] } }));
        Assert.ThrowsExactly<InvalidOperationException>(() => noTokenizer.Generate("x"));
        Assert.AreEqual(3, noTokenizer.GenerateIds([2, 3], new GenerationOptions { MaximumTokens = 3, Seed = 1 }).Count());
    }

    private sealed class TokenRow
    {
        [VectorType]
        public int[] Tokens { get; set; } = [];
    }
}
