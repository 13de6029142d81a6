using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Modules;

namespace Microsoft.ML.Recurrent.Tests.Classification;

/// <summary>
/// <see cref="RecurrentSequenceTrainerOptions.WideFeatureColumnName"/> (wide and deep): on generated rows whose
/// tokens carry no signal and whose label is the sign of one wide feature, the wide part learns what the recurrent
/// part cannot; the column is saved with the model, read at scoring, and checked before training.
/// </summary>
[TestClass]
public sealed class WideFeatureTests
{
    private const int WideSize = 8;

    private sealed class WideRow
    {
        [VectorType]
        public int[] Tokens { get; set; } = [];

        [VectorType(WideSize)]
        public float[] Wide { get; set; } = [];

        public bool Label { get; set; }
    }

    /// <summary>Random tokens; the label is the sign of wide feature 3, the other wide features are noise (some zero).</summary>
    private static List<WideRow> Rows(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var wide = Enumerable.Range(0, WideSize).Select(j => j % 2 == 0 ? 0f : (float)(random.NextDouble() * 2 - 1)).ToArray();
            bool label = random.Next(2) == 1;
            wide[3] = (label ? 1 : -1) * (float)(0.5 + random.NextDouble());
            var tokens = Enumerable.Range(0, random.Next(3, 7)).Select(_ => random.Next(2, 10)).ToArray();
            return new WideRow { Tokens = tokens, Wide = wide, Label = label };
        }).ToList();
    }

    private static RecurrentSequenceTrainerOptions Options(bool wide)
    {
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 8);
        options.HiddenSize = 8;
        options.WideFeatureColumnName = wide ? nameof(WideRow.Wide) : null;
        return options;
    }

    [TestMethod]
    public void ALinearSignalInTheWideColumnIsLearned()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Rows(300, seed: 1));
        var test = ml.Data.LoadFromEnumerable(Rows(200, seed: 2));
        var wide = ml.BinaryClassification.Evaluate(ml.BinaryClassification.Trainers.Recurrent(Options(wide: true)).Fit(train).Transform(test));
        var deep = ml.BinaryClassification.Evaluate(ml.BinaryClassification.Trainers.Recurrent(Options(wide: false)).Fit(train).Transform(test));
        Assert.IsTrue(wide.Accuracy > 0.95, $"with the wide column: accuracy {wide.Accuracy}");
        Assert.IsTrue(deep.Accuracy < 0.7, $"the tokens alone carry no signal: accuracy {deep.Accuracy}");
    }

    [TestMethod]
    public void TheSavedModelReadsTheWideColumnAndScoresAsBefore()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Rows(120, seed: 3));
        var model = ml.BinaryClassification.Trainers.Recurrent(Options(wide: true)).Fit(train);
        Assert.AreEqual(WideSize, model.ModelSettings.WideFeatureSize);
        Assert.AreEqual(nameof(WideRow.Wide), model.ModelSettings.WideFeatureColumnName);

        var probeRows = Rows(40, seed: 4);
        var probe = ml.Data.LoadFromEnumerable(probeRows);
        var scores = model.Transform(probe).GetColumn<float>("Probability").ToArray();
        string path = Path.Combine(Path.GetTempPath(), $"wide-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var loaded = new MLContext(seed: 2).Model.Load(path, out _);
            CollectionAssert.AreEqual(scores, loaded.Transform(probe).GetColumn<float>("Probability").ToArray(), "batched probabilities after loading");
            var engine = ml.Model.CreatePredictionEngine<WideRow, ScoreRow>(loaded);
            for (int i = 0; i < probeRows.Count; i++)
                Assert.AreEqual(scores[i], engine.Predict(probeRows[i]).Probability, 1e-5, $"PredictionEngine, row {i}");
        }
        finally
        {
            File.Delete(path);
        }

        // The wide part matters: zeroing a row's wide features changes its score.
        var zeroed = probeRows.Select(r => new WideRow { Tokens = r.Tokens, Wide = new float[WideSize], Label = r.Label }).ToList();
        var zeroScores = model.Transform(ml.Data.LoadFromEnumerable(zeroed)).GetColumn<float>("Probability").ToArray();
        Assert.IsTrue(scores.Zip(zeroScores, (a, b) => Math.Abs(a - b)).Max() > 0.1, "the scores depend on the wide features");
    }

    private sealed class ScoreRow
    {
        public float Probability { get; set; }
    }

    private sealed class TokensOnly
    {
        [VectorType]
        public int[] Tokens { get; set; } = [];

        public float Wide { get; set; }

        public bool Label { get; set; }
    }

    [TestMethod]
    public void AMissingOrScalarWideColumnIsRejectedBeforeTraining()
    {
        var ml = new MLContext(seed: 1);
        var trainer = ml.BinaryClassification.Trainers.Recurrent(Options(wide: true));
        var scalar = ml.Data.LoadFromEnumerable(new[] { new TokensOnly { Tokens = [2, 3], Label = true } });
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.GetOutputSchema(Microsoft.ML.Recurrent.MLNetBridge.SchemaChecks.ShapeOf(scalar.Schema)));
        StringAssert.Contains(error.Message, "'Wide'");
        StringAssert.Contains(error.Message, "vector of Single");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(scalar));

        var model = trainer.Fit(ml.Data.LoadFromEnumerable(Rows(40, seed: 5)));
        var withoutWide = ml.Transforms.DropColumns(nameof(WideRow.Wide)).Fit(ml.Data.LoadFromEnumerable(Rows(4, seed: 6)))
            .Transform(ml.Data.LoadFromEnumerable(Rows(4, seed: 6)));
        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Transform(withoutWide));
        StringAssert.Contains(missing.Message, "'Wide'");
    }

    [TestMethod]
    public void TheWideMapStartsAtZeroSoItAddsNothingBeforeTraining()
    {
        // Under the seeding lock, so that no concurrent test's seeded network creation is disturbed.
        using var network = Microsoft.ML.Recurrent.Runtime.TorchSeeding.Create(1,
            () => new SequenceClassifierNetwork(new RecurrentEncoderSettings { HiddenSize = 4, VocabularySize = 10, EmbeddingSize = 3 }, 2, wideSize: 5));
        Assert.AreEqual(0f, network.Wide!.weight!.abs().max().item<float>());
        using var tokens = TorchSharp.torch.tensor(new long[] { 2, 3, 4 }).reshape(1, 3);
        using var lengths = TorchSharp.torch.tensor(new long[] { 3 });
        using var wide = TorchSharp.torch.ones(1, 5);
        network.eval();
        using var withWide = network.Score(tokens, lengths, wide);
        using var without = network.Score(tokens, lengths, TorchSharp.torch.zeros(1, 5));
        Assert.IsTrue(withWide.allclose(without), "an untrained wide map adds zero");
        var missing = Assert.ThrowsExactly<ArgumentException>(() => network.Score(tokens, lengths, null));
        StringAssert.Contains(missing.Message, "5 wide features");
    }

    [TestMethod]
    public void TheNetworkStartsFromMLNetsLogisticRegressionOnTheWideFeatures()
    {
        var rows = Rows(200, seed: 8);
        var ml = new MLContext(seed: 3);
        var data = ml.Data.LoadFromEnumerable(rows);
        var dataset = Microsoft.ML.Recurrent.Training.SequenceDataReader.Read(data, nameof(WideRow.Tokens), 1, nameof(WideRow.Label),
            Microsoft.ML.Recurrent.Training.SequenceTargetKind.Value, wideColumn: nameof(WideRow.Wide));
        var validationRows = Enumerable.Range(150, 50).ToArray();
        var start = WideLinearStart.Fit(SequencePredictionKind.BinaryClassification, dataset, Enumerable.Range(0, 150).ToArray(), dataset, validationRows, 1, seed: 3);

        // Independently: each L2 strength fitted by ML.NET on the 150 rows, the one with the lowest log-loss on the other
        // 50 refitted; the network gives its logits.
        var first = ml.Data.TakeRows(data, 150);
        var rest = ml.Data.SkipRows(data, 150);
        float best = WideLinearStart.L2Candidates.MinBy(l2 => ml.BinaryClassification.Evaluate(ml.BinaryClassification.Trainers
            .LbfgsLogisticRegression(nameof(WideRow.Label), nameof(WideRow.Wide), l1Regularization: 0, l2Regularization: l2).Fit(first).Transform(rest)).LogLoss);
        var reference = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(nameof(WideRow.Label), nameof(WideRow.Wide), l1Regularization: 0, l2Regularization: best)
            .Fit(first);
        var expected = reference.Transform(data).GetColumn<float>("Score").ToArray();

        using var network = Microsoft.ML.Recurrent.Runtime.TorchSeeding.Create(2,
            () => new SequenceClassifierNetwork(new RecurrentEncoderSettings { HiddenSize = 4, VocabularySize = 10, EmbeddingSize = 3 }, 1, wideSize: WideSize));
        start.CopyInto(network);
        network.eval();
        for (int i = 0; i < rows.Count; i += 17)
        {
            using var tokens = TorchSharp.torch.tensor(rows[i].Tokens.Select(t => (long)t).ToArray()).reshape(1, -1);
            using var lengths = TorchSharp.torch.tensor(new long[] { rows[i].Tokens.Length });
            using var wide = TorchSharp.torch.tensor(rows[i].Wide).reshape(1, WideSize);
            using var logit = network.Score(tokens, lengths, wide);
            Assert.AreEqual(expected[i], logit.item<float>(), 1e-4, $"row {i}: the network predicts what the linear model does");
        }
    }

    [TestMethod]
    public void TrainingKeepsTheLinearStartWhenNoEpochBeatsItOnValidation()
    {
        // The wide features separate the classes, so the linear start is already perfect on validation and no epoch
        // can beat it: the model ends as it started, the output layer's weights on the encoding still zero.
        var ml = new MLContext(seed: 1);
        var options = Options(wide: true);
        (options.ValidationFraction, options.Epochs, options.LearningRate) = (0.25, 2, 0.05);
        var trainer = ml.BinaryClassification.Trainers.Recurrent(options);
        var model = trainer.Fit(ml.Data.LoadFromEnumerable(Rows(160, seed: 9)));
        var history = trainer.LastTrainingHistories.Single();
        Assert.AreEqual(1.0, history.Start!.ValidationMetric);
        Assert.AreEqual(0, history.BestEpoch);
        Assert.AreEqual(2, history.Epochs.Count, "both epochs ran");
        var network = (SequenceClassifierNetwork)model.Networks.Single();
        Assert.AreEqual(0f, network.Head.weight!.abs().max().item<float>(), "the start's weights were restored");
        Assert.AreEqual(1.0, Microsoft.ML.Recurrent.Inspection.ModelInspector.Stories(model).Single().Metrics["validation accuracy"]);
    }

    [TestMethod]
    public void AModelWithWideFeaturesIsNotStreamed()
    {
        var ml = new MLContext(seed: 1);
        var options = Options(wide: true);
        options.Bidirectional = false;
        options.Epochs = 1;
        var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(Rows(20, seed: 7)));
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => model.CreateStreamingEngine());
        StringAssert.Contains(error.Message, "wide feature column 'Wide'");
    }
}
