using Microsoft.ML.Recurrent.Inspection;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.ModelHost;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Seq2Seq;
using Microsoft.ML.Recurrent.Tests.Support;
using Microsoft.ML.Recurrent.Text;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Tests.Seq2Seq;

[TestClass]
public sealed class Seq2SeqTrainerTests
{
    internal sealed class Pair
    {
        [VectorType]
        public int[] Source { get; set; } = [];

        [VectorType]
        public int[] Target { get; set; } = [];
    }

    // Target vocabulary of the reversal task: ids 4..9 are the letters a..f.
    private static readonly string[] Letters = ["<pad>", "<unk>", "<s>", "</s>", "a", "b", "c", "d", "e", "f"];

    /// <summary>Sources of 2-4 ids in 4..9; the target is the source reversed, wrapped in &lt;s&gt; (2) and &lt;/s&gt; (3).</summary>
    internal static List<Pair> Reversal(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var source = Enumerable.Range(0, random.Next(2, 5)).Select(_ => random.Next(4, 10)).ToArray();
            return new Pair { Source = source, Target = [2, .. source.Reverse(), 3] };
        }).ToList();
    }

    internal static Seq2SeqTrainerOptions Small(int epochs = 2) => new()
    {
        HiddenSize = 16,
        EmbeddingSize = 8,
        Epochs = epochs,
        BatchSize = 16,
        LearningRate = 0.01,
        TargetVocabulary = Letters,
        TargetTokenSeparator = "",
        Seed = 5,
    };

    [TestMethod]
    public void ACursorOverOnlyTheInputsColumnsNeedsNoDecoding()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Reversal(40, 1));
        var scored = ml.SequenceToSequence().Trainers.Recurrent(Small(epochs: 1)).Fit(data).Transform(data);
        // Reading only the Source column needs no decoding.
        using var cursor = scored.GetRowCursor([scored.Schema["Source"]]);
        var source = cursor.GetGetter<VBuffer<int>>(scored.Schema["Source"]);
        var value = default(VBuffer<int>);
        int rows = 0;
        while (cursor.MoveNext())
        {
            source(ref value);
            Assert.IsTrue(value.Length is >= 2 and <= 4);
            rows++;
        }
        Assert.AreEqual(40, rows);
        // The same through a shuffle (a cursor with a random order over the scored view).
        Assert.AreEqual(40, ml.Data.CreateEnumerable<Pair>(ml.Data.ShuffleRows(scored, seed: 2), reuseRowObject: false).Count());
    }

    [TestMethod]
    public void TheTeacherForcingRatioChoosesWhatTheDecoderReadsDuringTraining()
    {
        var settings = new Seq2SeqModelSettings
        {
            CellType = RecurrentCellType.Lstm, HiddenSize = 8, Layers = 1, Bidirectional = true, Attention = AttentionKind.LuongGeneral,
            EmbeddingSize = 4, SourceVocabularySize = 10, TargetVocabularySize = 10, MaximumTargetLength = 8,
        };
        using var network = TorchSeeding.Create(3, () => new Seq2SeqNetwork(settings));
        network.train();
        using var scope = TorchSharp.torch.NewDisposeScope();
        var pairs = Reversal(6, seed: 7);
        var offsets = new int[pairs.Count + 1];
        for (int i = 0; i < pairs.Count; i++)
            offsets[i + 1] = offsets[i] + pairs[i].Target.Length;
        var targets = new TargetSequences(offsets, pairs.SelectMany(p => p.Target).ToArray());
        int width = pairs.Max(p => p.Source.Length);
        var source = TorchSharp.torch.tensor(pairs.SelectMany(p => p.Source.Select(id => (long)id).Concat(Enumerable.Repeat(0L, width - p.Source.Length))).ToArray(), [pairs.Count, width]);
        var lengths = TorchSharp.torch.tensor(pairs.Select(p => (long)p.Source.Length).ToArray());
        var batch = new SequenceBatch(source, lengths, null, Enumerable.Range(0, pairs.Count).ToArray(), width);

        // Ratio 1 feeds the true previous id at every step; ratio 0 feeds the decoder's own previous argmax.
        double forced = new Seq2SeqTrainingTask(targets, null, 1).ComputeLoss(network, batch).item<float>();
        double free = new Seq2SeqTrainingTask(targets, null, 0).ComputeLoss(network, batch).item<float>();
        Assert.AreEqual(ReferenceLoss(network, source, lengths, pairs, teacherForced: true), forced, 1e-5);
        Assert.AreEqual(ReferenceLoss(network, source, lengths, pairs, teacherForced: false), free, 1e-5);
        Assert.IsTrue(Math.Abs(forced - free) > 1e-3, $"teacher-forced loss {forced} vs free-running loss {free}");
    }

    /// <summary>The decoder's mean cross-entropy over the real target steps, run one step at a time.</summary>
    private static double ReferenceLoss(Seq2SeqNetwork network, TorchSharp.torch.Tensor source, TorchSharp.torch.Tensor lengths, List<Pair> pairs, bool teacherForced)
    {
        var encoded = network.Encode(source, lengths);
        var state = encoded.Initial;
        var previous = TorchSharp.torch.full(pairs.Count, 2L);
        double sum = 0;
        int count = 0;
        for (int t = 0; t + 1 < pairs.Max(p => p.Target.Length); t++)
        {
            TorchSharp.torch.Tensor logits;
            (logits, _, state) = network.Step(previous, state, encoded);
            var logProbabilities = logits.log_softmax(1).data<float>().ToArray();
            int vocabulary = (int)logits.shape[1];
            var next = new long[pairs.Count];
            for (int r = 0; r < pairs.Count; r++)
            {
                var row = logProbabilities.AsSpan(r * vocabulary, vocabulary);
                int best = 0;
                for (int v = 1; v < vocabulary; v++)
                    best = row[v] > row[best] ? v : best;
                bool real = t + 1 < pairs[r].Target.Length;
                if (real)
                {
                    sum -= row[pairs[r].Target[t + 1]];
                    count++;
                }
                next[r] = teacherForced && real ? pairs[r].Target[t + 1] : teacherForced ? 0 : best;
            }
            previous = TorchSharp.torch.tensor(next);
        }
        return sum / count;
    }

    [TestMethod]
    [DoNotParallelize] // two fits compared: nothing else may draw from LibTorch's process-wide generator meanwhile (docs/platform.md).
    public void TheTeacherForcingRatioChangesTrainingAndEveryRatioPredicts()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Reversal(64, 1));
        var losses = new Dictionary<double, double[]>();
        foreach (double ratio in new[] { 1.0, 0.0, 0.5, 1.0 })
        {
            var options = Small();
            options.TeacherForcingRatio = ratio;
            var trainer = ml.SequenceToSequence().Trainers.Recurrent(options);
            var model = trainer.Fit(data);
            var epochs = trainer.LastTrainingHistory!.Epochs.Select(e => e.TrainingLoss).ToArray();
            Assert.IsTrue(epochs.All(double.IsFinite), $"ratio {ratio}");
            if (losses.TryGetValue(ratio, out var first))
                CollectionAssert.AreEqual(first, epochs, $"ratio {ratio}: the same seed must train the same way");
            losses[ratio] = epochs;
            var prediction = model.Predict([4, 5, 6]);
            Assert.IsTrue(prediction.Tokens.Length <= model.ModelSettings.MaximumTargetLength);
            Assert.AreEqual(model.DecodeText(prediction.Tokens), prediction.Text);
        }
        // Same seed, same data: only what the decoder reads differs, and with it the training losses.
        Assert.AreNotEqual(losses[1.0][0], losses[0.0][0], $"ratios 1 and 0 gave the same first-epoch loss {losses[1.0][0]}");
        Assert.AreNotEqual(losses[1.0][0], losses[0.5][0]);
        Assert.AreNotEqual(losses[0.0][0], losses[0.5][0]);
        // Reading its own untrained guesses makes the task harder: the free-running loss stays above the teacher-forced one.
        Assert.IsTrue(losses[0.0][^1] > losses[1.0][^1], $"free-running {losses[0.0][^1]:F4} vs teacher-forced {losses[1.0][^1]:F4}");
    }

    [TestMethod]
    public void AttentionWeightsSumToOneOverRealStepsAndAreZeroAtPadding()
    {
        foreach (var kind in Enum.GetValues<AttentionKind>())
        {
            var settings = new Seq2SeqModelSettings
            {
                CellType = RecurrentCellType.Lstm, HiddenSize = 6, Layers = 1, Bidirectional = true, Attention = kind,
                EmbeddingSize = 4, SourceVocabularySize = 10, TargetVocabularySize = 8, MaximumTargetLength = 5,
            };
            using var network = TorchSeeding.Create(3, () => new Seq2SeqNetwork(settings));
            network.eval();
            using var scope = TorchSharp.torch.NewDisposeScope();
            var source = TorchSharp.torch.tensor(new long[] { 4, 5, 6, 0, 0, 7, 8, 9, 4, 5 }, [2, 5]);
            var encoded = network.Encode(source, TorchSharp.torch.tensor(new long[] { 3, 5 }));
            var state = encoded.Initial;
            for (int step = 0; step < 3; step++)
            {
                TorchSharp.torch.Tensor weights;
                (_, weights, state) = network.Step(TorchSharp.torch.tensor(new long[] { 2, 2 + step }), state, encoded);
                var w = weights.data<float>().ToArray();
                Assert.AreEqual(1f, w[0] + w[1] + w[2], 1e-5f, $"{kind}, row 0");
                Assert.AreEqual(0f, w[3], $"{kind}: padded step 3 must get no attention");
                Assert.AreEqual(0f, w[4], $"{kind}: padded step 4 must get no attention");
                Assert.AreEqual(1f, w[5..].Sum(), 1e-5f, $"{kind}, row 1");
            }
        }
    }

    [TestMethod]
    public void TheTransformerReturnsAnAttentionMatrixPerTargetStep()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.SequenceToSequence().Trainers.Recurrent(Small(epochs: 1)).Fit(ml.Data.LoadFromEnumerable(Reversal(32, 2)));
        var weights = model.GetAttentionWeights([0, 4, 5, 6, 0], targetTokens: [6, 5]);
        Assert.AreEqual(3, weights.GetLength(0), "one row per target id plus the end id");
        Assert.AreEqual(3, weights.GetLength(1), "padding around the source is trimmed");
        for (int row = 0; row < 3; row++)
            Assert.AreEqual(1f, weights[row, 0] + weights[row, 1] + weights[row, 2], 1e-5f);
        var predicted = model.Predict([4, 5, 6]);
        Assert.AreEqual(predicted.Tokens.Length + 1, model.GetAttentionWeights([4, 5, 6]).GetLength(0));
    }

    [TestMethod]
    [DoNotParallelize]
    public void ASavedModelGivesIdenticalOutputsInAFreshProcess()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 1);
        var options = Small(epochs: 2);
        options.BeamWidth = 3;
        options.Attention = AttentionKind.BahdanauAdditive;
        var model = ml.SequenceToSequence().Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(Reversal(64, 3)));
        var input = ml.Data.LoadFromEnumerable(Reversal(6, 4).Append(new Pair { Source = [0, 9, 9, 0], Target = [2, 3] }).Append(new Pair { Source = [], Target = [] }));
        ml.Model.Save(model, input.Schema, folder.File("model.zip"));
        Assert.AreEqual("SequenceToSequence", ModelInspector.ReadStories(folder.File("model.zip")).Single().Task, "the saved model carries its story");
        using (var stream = File.Create(folder.File("input.idv")))
            ml.Data.SaveAsBinary(input, stream);

        string[] columns = ["PredictedTokens", "PredictedText"];
        var expected = RowFormatter.FormatTransform(model, input, columns);
        Assert.AreEqual(8, expected.Count);
        CollectionAssert.AreEqual(expected, RowFormatter.FormatRowMapper(model, input, columns));
        CollectionAssert.AreEqual(expected, FreshProcess.Score(folder.File("model.zip"), folder.File("input.idv"), "transform", columns));
        CollectionAssert.AreEqual(expected, FreshProcess.Score(folder.File("model.zip"), folder.File("input.idv"), "rowmapper", columns));
    }

    [TestMethod]
    [DoNotParallelize]
    public void EqualSeedsGiveEqualTrainingAndPredictions()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Reversal(48, 7));
        var options = Small(epochs: 1);
        options.TeacherForcingRatio = 0.5;
        var runs = Enumerable.Range(0, 2).Select(_ =>
        {
            var trainer = ml.SequenceToSequence().Trainers.Recurrent(options);
            var model = trainer.Fit(data);
            return (Loss: trainer.LastTrainingHistory!.Epochs[0].TrainingLoss, Output: RowFormatter.FormatTransform(model, data, ["PredictedTokens"]));
        }).ToList();
        Assert.AreEqual(runs[0].Loss, runs[1].Loss);
        CollectionAssert.AreEqual(runs[0].Output, runs[1].Output);
    }

    [TestMethod]
    public void BadTargetsAreRejectedNamingTheColumnAndRow()
    {
        var ml = new MLContext(seed: 1);
        var rows = Reversal(3, 5);
        rows[1].Target = [];
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.SequenceToSequence().Trainers.Recurrent(Small()).Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(error.Message, "'Target', row index 1");
        StringAssert.Contains(error.Message, "empty");

        rows[1].Target = [5, 4, 3];
        error = Assert.ThrowsExactly<InvalidDataException>(() => ml.SequenceToSequence().Trainers.Recurrent(Small()).Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(error.Message, "'Target', row index 1");
        StringAssert.Contains(error.Message, "<s>");

        rows[1].Target = [2, 5, 4];
        error = Assert.ThrowsExactly<InvalidDataException>(() => ml.SequenceToSequence().Trainers.Recurrent(Small()).Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(error.Message, "</s>");

        var schemaError = Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => ml.SequenceToSequence().Trainers.Recurrent(targetColumnName: "Missing").Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(schemaError.Message, "'Missing'");
    }

    [TestMethod]
    public void ATokenizerWithoutBeginEndNeedsTheTrainerToAddThem()
    {
        var ml = new MLContext(seed: 1);
        var text = ml.Data.LoadFromEnumerable(new[] { new { Text = "abc" } }.Select(t => new TextRow { Text = t.Text }));
        var tokenizer = ml.Transforms.Text.TokenizeToSequence("Target", "Text", TokenGranularity.Character).Fit(text);
        var options = Small();
        options.TargetTokenizer = tokenizer;
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.SequenceToSequence().Trainers.Recurrent(options));
        StringAssert.Contains(error.Message, "addBeginEnd");

        // With AddBeginEnd the trainer appends <s> and </s> above the vocabulary and decodes text without them.
        options.AddBeginEnd = true;
        var rows = Reversal(32, 6).Select(p => new Pair { Source = p.Source, Target = p.Target[1..^1].Select(id => id % 3 + 2).ToArray() }).ToList();
        var model = ml.SequenceToSequence().Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(rows));
        Assert.AreEqual(tokenizer.VocabularySize, model.ModelSettings.BeginId);
        Assert.AreEqual(tokenizer.VocabularySize + 1, model.ModelSettings.EndId);
        var prediction = model.Predict([4, 5]);
        Assert.IsFalse(prediction.Tokens.Contains(model.ModelSettings.EndId));
        Assert.AreEqual(string.Concat(prediction.Tokens.Select(id => tokenizer.Vocabulary[id])), prediction.Text);

        // Without a vocabulary the added ids follow the largest target id (9 in the reversal task).
        var inferred = Small(epochs: 1);
        inferred.AddBeginEnd = true;
        inferred.TargetVocabulary = null;
        var bare = Reversal(16, 7).Select(p => new Pair { Source = p.Source, Target = p.Target[1..^1] }).ToList();
        var inferredModel = ml.SequenceToSequence().Trainers.Recurrent(inferred).Fit(ml.Data.LoadFromEnumerable(bare));
        Assert.AreEqual(10, inferredModel.ModelSettings.BeginId);
        Assert.AreEqual(12, inferredModel.ModelSettings.TargetVocabularySize);
        Assert.IsNull(inferredModel.ModelSettings.PredictedTextColumnName);
    }

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }
}
