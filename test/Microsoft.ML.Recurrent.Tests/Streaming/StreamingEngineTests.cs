using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Streaming;
using Microsoft.ML.Recurrent.Tests.Classification;
using Microsoft.ML.Recurrent.Tests.LanguageModeling;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Streaming;

/// <summary>
/// The streaming engines read a sequence a step at a time and must agree with whole-sequence scoring: after every
/// prefix, the prediction equals the model's prediction for that prefix as a whole sequence (within 1e-5).
/// </summary>
[TestClass]
public sealed class StreamingEngineTests
{
    private sealed class Frames
    {
        [VectorType]
        public float[] Steps { get; set; } = [];

        public float Label { get; set; }
    }

    private sealed class Tagged
    {
        [VectorType]
        public int[] Tokens { get; set; } = [];

        public string Kind { get; set; } = "";
    }

    private static RecurrentSequenceTrainerOptions Unidirectional(RecurrentCellType cell, SequencePooling pooling, int layers = 2, int ensemble = 1)
    {
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 1);
        options.Bidirectional = false;
        options.CellType = cell;
        options.Layers = layers;
        options.Pooling = pooling;
        options.EnsembleSize = ensemble;
        options.Seed = 4;
        return options;
    }

    private static void AssertEveryPrefixMatches(RecurrentSequenceTransformer model, IReadOnlyList<long> tokens)
    {
        using var engine = model.CreateStreamingEngine();
        CollectionAssert.AreEqual(model.Predict([], []), engine.Current.Output, "before any step: the empty sequence's prediction");
        for (int t = 1; t <= tokens.Count; t++)
        {
            var step = engine.Step(tokens[t - 1]);
            var whole = model.Predict(tokens.Take(t).ToArray(), []);
            Assert.AreEqual(t, step.Steps);
            for (int i = 0; i < whole.Length; i++)
                Assert.AreEqual(whole[i], step.Output[i], 1e-5, $"prefix of {t} tokens, output {i}");
        }
    }

    [TestMethod]
    [DataRow(RecurrentCellType.Lstm, SequencePooling.Last)]
    [DataRow(RecurrentCellType.Gru, SequencePooling.Max)]
    [DataRow(RecurrentCellType.RnnTanh, SequencePooling.Mean)]
    [DataRow(RecurrentCellType.RnnRelu, SequencePooling.Attention)]
    [DataRow(RecurrentCellType.Lstm, SequencePooling.Attention)]
    [DataRow(RecurrentCellType.Gru, SequencePooling.Last)]
    [DataRow(RecurrentCellType.RnnTanh, SequencePooling.Max)]
    public void EveryPrefixOfABinaryStreamEqualsTheWholeSequencePrediction(RecurrentCellType cell, SequencePooling pooling)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.BinaryClassification.Trainers.Recurrent(Unidirectional(cell, pooling)).Fit(ml.Data.LoadFromEnumerable(OrderTask.Generate(64, seed: 2)));
        foreach (var row in OrderTask.Generate(3, seed: 9))
            AssertEveryPrefixMatches(model, row.Tokens.Select(t => (long)t).ToArray());
    }

    [TestMethod]
    public void AnEnsembleStreamsEachMemberAndAveragesAsTheTransformerDoes()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.BinaryClassification.Trainers.Recurrent(Unidirectional(RecurrentCellType.Lstm, SequencePooling.Mean, layers: 1, ensemble: 3))
            .Fit(ml.Data.LoadFromEnumerable(OrderTask.Generate(64, seed: 2)));
        Assert.AreEqual(3, model.EnsembleSize);
        AssertEveryPrefixMatches(model, [5, 7, 3, 12, 9, 4]);
        // An id past the vocabulary reads as the unknown id, as in whole-sequence scoring; padding is no step.
        AssertEveryPrefixMatches(model, [5, 50_000, 3]);
        using var engine = model.CreateStreamingEngine();
        engine.Step(5);
        var before = engine.Current;
        Assert.AreSame(before, engine.Step(0));
        Assert.AreEqual(1, engine.Steps);
    }

    [TestMethod]
    public void AMulticlassStreamGivesTheClassProbabilitiesSoFar()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(3);
        var rows = Enumerable.Range(0, 60).Select(i => new Tagged
        {
            Tokens = Enumerable.Range(0, random.Next(2, 8)).Select(_ => random.Next(2, 12)).ToArray(),
            Kind = ((char)('a' + i % 3)).ToString(),
        }).ToList();
        var chain = ml.Transforms.Conversion.MapValueToKey("Label", "Kind")
            .Append(ml.MulticlassClassification.Trainers.Recurrent(Unidirectional(RecurrentCellType.Gru, SequencePooling.Attention)))
            .Fit(ml.Data.LoadFromEnumerable(rows));
        var model = chain.LastTransformer;
        AssertEveryPrefixMatches(model, [4, 9, 2, 11, 6]);
        using var engine = model.CreateStreamingEngine();
        var prediction = engine.Step(4);
        Assert.AreEqual(3, prediction.Output.Length);
        Assert.AreEqual(1f, prediction.Output.Sum(), 1e-5f);
        Assert.AreEqual(Array.IndexOf(prediction.Output, prediction.Output.Max()), prediction.PredictedClass);
    }

    [TestMethod]
    public void ARegressorOnFramesStreamsFrameByFrameAndChecksEachFrame()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(5);
        var rows = Enumerable.Range(0, 80).Select(_ =>
        {
            var steps = Enumerable.Range(0, 2 * random.Next(1, 8)).Select(_ => (float)random.NextDouble()).ToArray();
            return new Frames { Steps = steps, Label = steps.Sum() };
        }).ToList();
        var options = Unidirectional(RecurrentCellType.Lstm, SequencePooling.Max);
        options.FeatureColumnName = nameof(Frames.Steps);
        options.FeatureSize = 2;
        var model = ml.Regression.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(rows));

        float[] sequence = [0.1f, 0.9f, 0.4f, 0.3f, 0.8f, 0.2f, 0.5f, 0.5f];
        using var engine = model.CreateStreamingEngine();
        for (int t = 1; t <= sequence.Length / 2; t++)
        {
            var step = engine.Step(sequence.AsSpan(2 * (t - 1), 2));
            Assert.AreEqual(model.Predict([], sequence.AsSpan(0, 2 * t))[0], step.Score, 1e-5, $"after {t} frames");
        }

        var wrongLength = Assert.ThrowsExactly<ArgumentException>(() => engine.Step([1f, 2f, 3f]));
        StringAssert.Contains(wrongLength.Message, "a frame of this model has 2 values; got 3");
        var notFinite = Assert.ThrowsExactly<ArgumentException>(() => engine.Step([1f, float.NaN]));
        StringAssert.Contains(notFinite.Message, "value 1 of the frame is NaN");
        var tokens = Assert.ThrowsExactly<InvalidOperationException>(() => engine.Step(3L));
        StringAssert.Contains(tokens.Message, "frames of 2 Single values");
    }

    [TestMethod]
    public void ResetStartsOverAsAFreshEngineWould()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.BinaryClassification.Trainers.Recurrent(Unidirectional(RecurrentCellType.Lstm, SequencePooling.Attention))
            .Fit(ml.Data.LoadFromEnumerable(OrderTask.Generate(64, seed: 2)));
        using var engine = model.CreateStreamingEngine();
        foreach (long token in new long[] { 9, 8, 7, 6 })
            engine.Step(token);
        engine.Reset();
        Assert.AreEqual(0, engine.Steps);
        engine.Step(3);
        var afterReset = engine.Step(4);
        using var fresh = model.CreateStreamingEngine();
        fresh.Step(3);
        CollectionAssert.AreEqual(fresh.Step(4).Output, afterReset.Output);
    }

    [TestMethod]
    public void ABidirectionalModelRefusesToStreamAndSaysWhy()
    {
        var ml = new MLContext(seed: 1);
        var options = Unidirectional(RecurrentCellType.Lstm, SequencePooling.Last, layers: 1);
        options.Bidirectional = true;
        var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(OrderTask.Generate(32, seed: 2)));
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => model.CreateStreamingEngine());
        StringAssert.Contains(error.Message, "bidirectional");
        StringAssert.Contains(error.Message, "backward direction reads each sequence from the end");
    }

    [TestMethod]
    [DoNotParallelize] // the live-tensor count is process-wide
    public void AThousandStepsLeaveNoTensorBehind()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.BinaryClassification.Trainers.Recurrent(Unidirectional(RecurrentCellType.Lstm, SequencePooling.Attention))
            .Fit(ml.Data.LoadFromEnumerable(OrderTask.Generate(32, seed: 2)));
        using var engine = model.CreateStreamingEngine();
        for (int i = 0; i < 10; i++)
            engine.Step(2 + i % 9);
        long leftBehind = LiveTensors.LeftBehindBy(() =>
        {
            for (int i = 0; i < 1000; i++)
                engine.Step(2 + i % 9);
        });
        Assert.AreEqual(0, leftBehind, "live tensors after 1,000 more steps");
    }

    [TestMethod]
    public void ALanguageModelStreamGivesTheLogProbabilityOfTheWholeRow()
    {
        var (ml, tokenizer, model, _) = TinyCorpus.Model;
        foreach (string line in new[] { "the cat sees the red ball", "a dog follows", "my friend likes a small tree" })
        {
            var row = ml.Data.LoadFromEnumerable([new TinyCorpus.Line { Text = line }]);
            float expected = model.Transform(tokenizer.Transform(row)).GetColumn<float>("LogProbability").Single();
            var ids = tokenizer.Encode(line);
            using var engine = model.CreateStreamingEngine();
            double sum = 0;
            foreach (int id in ids)
            {
                var next = engine.NextTokenLogProbabilities;
                double step = engine.Step(id);
                if (next is not null && engine.Tokens > 1)
                    Assert.AreEqual(next[id], step, 1e-6, "a token's log-probability is what the previous step predicted for it");
                sum += step;
            }
            Assert.AreEqual(sum, engine.LogProbability, 1e-4);
            Assert.AreEqual(expected, engine.CompleteLogProbability(), 1e-4, $"'{line}'");
            var distribution = engine.NextTokenLogProbabilities!;
            Assert.AreEqual(1, distribution.Sum(p => Math.Exp(p)), 1e-4, "the next token's distribution sums to 1");
        }
    }

    [TestMethod]
    public void ALanguageModelStreamChecksItsTokensAndReadsWords()
    {
        var (_, tokenizer, model, _) = TinyCorpus.Model;
        using var engine = model.CreateStreamingEngine();
        var outside = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => engine.Step(model.ModelSettings.VocabularySize));
        StringAssert.Contains(outside.Message, "outside the model's vocabulary");
        using var byId = model.CreateStreamingEngine();
        foreach (int id in tokenizer.Encode("the cat"))
            byId.Step(id);
        foreach (string word in new[] { "<s>", "the", "cat", "</s>" })
            engine.Step(word);
        Assert.AreEqual(byId.LogProbability, engine.LogProbability, 1e-9);
        engine.Reset();
        Assert.AreEqual(0, engine.Tokens);
        Assert.AreEqual(0, engine.LogProbability);
    }
}
