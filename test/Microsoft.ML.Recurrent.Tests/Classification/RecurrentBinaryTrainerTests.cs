using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Tests.Support;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Tests.Classification;

[TestClass]
public sealed class RecurrentBinaryTrainerTests
{
    private sealed class Scored
    {
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    internal static RecurrentSequenceTrainerOptions SmallOptions(int epochs = 6) => new()
    {
        FeatureColumnName = "Tokens",
        HiddenSize = 16,
        EmbeddingSize = 8,
        EmbeddingDropout = 0,
        Epochs = epochs,
        BatchSize = 16,
        LearningRate = 0.01,
    };

    [TestMethod]
    public void LearnsAnOrderSensitiveTaskAndEvaluatesWithMLNet()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(OrderTask.Generate(800, seed: 1));
        var test = ml.Data.LoadFromEnumerable(OrderTask.Generate(200, seed: 2));
        var model = ml.BinaryClassification.Trainers.Recurrent(SmallOptions()).Fit(train);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));
        Assert.IsTrue(metrics.Accuracy > 0.9, $"accuracy {metrics.Accuracy}");
        Assert.IsTrue(metrics.AreaUnderRocCurve > 0.95, $"AUC {metrics.AreaUnderRocCurve}");
    }

    [TestMethod]
    public void PaddingAroundASequenceDoesNotChangeItsScore()
    {
        var ml = new MLContext(seed: 1);
        var rows = OrderTask.Generate(200, seed: 3);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.BinaryClassification.Trainers.Recurrent(SmallOptions(epochs: 1)).Fit(data);
        var padded = ml.Data.LoadFromEnumerable(rows.Select(r => new OrderTask.Row { Tokens = [0, 0, .. r.Tokens, 0, 0, 0], Label = r.Label }));
        var plain = model.Transform(data).GetColumn<float>("Score").ToArray();
        var withPadding = model.Transform(padded).GetColumn<float>("Score").ToArray();
        CollectionAssert.AreEqual(plain, withPadding);
    }

    [TestMethod]
    public void PredictionEngineAgreesWithTransform()
    {
        var ml = new MLContext(seed: 1);
        var rows = OrderTask.Generate(100, seed: 4);
        // Longer than anything in training, and longer than the row readers' initial buffers.
        rows.Add(new OrderTask.Row { Tokens = Enumerable.Range(0, 300).Select(i => 7 + i % 13).Append(5).Append(6).ToArray(), Label = true });
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.BinaryClassification.Trainers.Recurrent(SmallOptions(epochs: 1)).Fit(data);
        var engine = ml.Model.CreatePredictionEngine<OrderTask.Row, Scored>(model);
        var fromTransform = ml.Data.CreateEnumerable<Scored>(model.Transform(data), reuseRowObject: false).ToList();
        // Transform scores length-sorted batches, PredictionEngine one row at a time: matrix products over a batch may
        // sum in another order, so the two agree to float rounding rather than bit for bit.
        for (int i = 0; i < rows.Count; i++)
        {
            var predicted = engine.Predict(rows[i]);
            Assert.AreEqual(fromTransform[i].Score, predicted.Score, 1e-5, $"row {i} Score");
            Assert.AreEqual(fromTransform[i].Probability, predicted.Probability, 1e-5, $"row {i} Probability");
            Assert.AreEqual(predicted.Probability > 0.5f, predicted.PredictedLabel);
        }
        Assert.AreEqual(1 / (1 + MathF.Exp(-fromTransform[0].Score)), fromTransform[0].Probability, 1e-5);
    }

    [TestMethod]
    public void DisposingAPredictionEngineLeavesTheModelUsable()
    {
        var ml = new MLContext(seed: 1);
        var rows = OrderTask.Generate(60, seed: 4);
        var model = ml.Transforms.CopyColumns("Copy", "Tokens").Append(ml.BinaryClassification.Trainers.Recurrent(SmallOptions(epochs: 1)))
            .Fit(ml.Data.LoadFromEnumerable(rows));
        float first;
        using (var engine = ml.Model.CreatePredictionEngine<OrderTask.Row, Scored>(model))
            first = engine.Predict(rows[0]).Score;
        using var second = ml.Model.CreatePredictionEngine<OrderTask.Row, Scored>(model);
        Assert.AreEqual(first, second.Predict(rows[0]).Score);
    }

    [TestMethod]
    [DoNotParallelize]
    public void TheSameSeedGivesTheSameModel()
    {
        float[] Train()
        {
            var ml = new MLContext(seed: 42);
            var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(200, seed: 5));
            var options = SmallOptions(epochs: 2);
            options.EmbeddingDropout = 0.2;
            return ml.BinaryClassification.Trainers.Recurrent(options).Fit(data).Transform(data).GetColumn<float>("Score").ToArray();
        }
        CollectionAssert.AreEqual(Train(), Train());
    }

    [TestMethod]
    public void CancellationStopsTrainingWithinOneBatch()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(400, seed: 6));
        using var cancellation = new CancellationTokenSource();
        int reportsAfterCancel = 0;
        var options = SmallOptions(epochs: 50);
        options.ProgressInterval = 1;
        options.CancellationToken = cancellation.Token;
        options.Progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            if (cancellation.IsCancellationRequested)
                reportsAfterCancel++;
            if (p.Epoch == 1 && p.Batch == 3)
                cancellation.Cancel();
        });
        Assert.ThrowsExactly<OperationCanceledException>(() => ml.BinaryClassification.Trainers.Recurrent(options).Fit(data));
        Assert.IsTrue(reportsAfterCancel <= 1, $"{reportsAfterCancel} batches ran after cancellation");
    }

    [TestMethod]
    public void WrongColumnTypesAreRejectedBeforeAnyTraining()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new { Text = "good", Label = true } });
        int batches = 0;
        var options = SmallOptions();
        options.FeatureColumnName = "Text";
        options.Progress = new SynchronousProgress<TrainingProgress>(_ => batches++);
        var chain = ml.Transforms.CopyColumns("Copy", "Text").Append(ml.BinaryClassification.Trainers.Recurrent(options));
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => chain.Fit(data));
        StringAssert.Contains(error.Message, "'Text'");
        StringAssert.Contains(error.Message, "token ids");
        Assert.AreEqual(0, batches);

        var numericLabel = ml.Data.LoadFromEnumerable(new[] { new OrderTaskFloatLabel { Tokens = [5, 6], Label = 1 } });
        var labelError = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Recurrent(SmallOptions()).Fit(numericLabel));
        StringAssert.Contains(labelError.Message, "label column 'Label'");
        StringAssert.Contains(labelError.Message, "Boolean");
    }

    [TestMethod]
    public void CrossValidateAndTrainTestSplitWorkUnchanged()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(300, seed: 7));
        var results = ml.BinaryClassification.CrossValidate(data, ml.BinaryClassification.Trainers.Recurrent(SmallOptions(epochs: 3)), numberOfFolds: 3);
        Assert.AreEqual(3, results.Count);
        Assert.IsTrue(results.All(r => r.Metrics.Accuracy > 0.6), string.Join(", ", results.Select(r => r.Metrics.Accuracy)));
        var split = ml.Data.TrainTestSplit(data, testFraction: 0.25);
        var model = ml.BinaryClassification.Trainers.Recurrent(SmallOptions(epochs: 1)).Fit(split.TrainSet);
        var counts = ml.BinaryClassification.Evaluate(model.Transform(split.TestSet)).ConfusionMatrix.Counts;
        long testRows = ml.Data.CreateEnumerable<OrderTask.Row>(split.TestSet, reuseRowObject: false).Count();
        Assert.AreEqual(testRows, (long)counts.Sum(row => row.Sum()));
    }

    [TestMethod]
    public void AnEnsembleAveragesItsMembersProbabilities()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(100, seed: 8));
        var options = SmallOptions(epochs: 1);
        options.EnsembleSize = 3;
        var trainer = ml.BinaryClassification.Trainers.Recurrent(options);
        var model = trainer.Fit(data);
        Assert.AreEqual(3, model.EnsembleSize);
        Assert.AreEqual(3, trainer.LastTrainingHistories.Count);
        var probabilities = model.Transform(data).GetColumn<float>("Probability").ToArray();
        Assert.IsTrue(probabilities.All(p => p is > 0 and < 1));
    }

    private sealed class OrderTaskFloatLabel
    {
        [VectorType]
        public int[] Tokens { get; set; } = [];

        public float Label { get; set; }
    }
}

/// <summary>Calls the handler on the reporting thread (Progress&lt;T&gt; would post to the thread pool).</summary>
internal sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
