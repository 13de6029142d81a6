using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Classification;

/// <summary>
/// Transform scores blocks of rows in length-sorted batches; these tests hold it to the row-by-row path
/// (PredictionEngine's): the same values to float rounding, each on its own row, with the input's columns aligned.
/// </summary>
[TestClass]
public sealed partial class BatchScoringTests
{
    private sealed class IdRow
    {
        public int Id { get; set; }

        [VectorType]
        public int[] Tokens { get; set; } = [];

        public bool Label { get; set; }
    }

    private sealed class ScoredIdRow
    {
        public int Id { get; set; }
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    private sealed class Steps
    {
        [VectorType]
        public float[] Values { get; set; } = [];

        public float Label { get; set; }
    }

    private sealed class Value
    {
        public float Score { get; set; }
    }

    private static RecurrentSequenceTransformer TrainBinary(MLContext ml, int ensembleSize = 1)
    {
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 1);
        options.EnsembleSize = ensembleSize;
        return ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(OrderTask.Generate(80, seed: 2)));
    }

    // More rows than one read-ahead block, lengths from 0 to 60, padding around some rows and ids past the vocabulary.
    private static List<IdRow> ScoringRows(int count)
    {
        var random = new Random(9);
        return Enumerable.Range(0, count).Select(i =>
        {
            var tokens = Enumerable.Range(0, random.Next(0, 61)).Select(_ => random.Next(2, 25)).ToList();
            if (i % 7 == 0)
                tokens = [0, 0, .. tokens, 0];
            if (i % 11 == 0)
                tokens.Add(5_000);
            return new IdRow { Id = i, Tokens = tokens.ToArray(), Label = i % 2 == 0 };
        }).ToList();
    }

    [TestMethod]
    public void TransformMatchesThePredictionEngineRowByRowAcrossSeveralBlocks()
    {
        var ml = new MLContext(seed: 1);
        var model = TrainBinary(ml, ensembleSize: 2);
        var rows = ScoringRows(ReadAheadScoredDataView<RecurrentSequenceTransformer.SequenceInput, float[]>.ReadAheadRows * 2 + 37);
        var view = model.Transform(ml.Data.LoadFromEnumerable(rows));
        Assert.IsInstanceOfType<ReadAheadScoredDataView<RecurrentSequenceTransformer.SequenceInput, float[]>>(view, "Transform took the batched path");
        var scored = ml.Data.CreateEnumerable<ScoredIdRow>(view, reuseRowObject: false).ToList();

        using var engine = ml.Model.CreatePredictionEngine<IdRow, ScoredIdRow>(model);
        Assert.HasCount(rows.Count, scored);
        for (int i = 0; i < rows.Count; i++)
        {
            var expected = engine.Predict(rows[i]);
            Assert.AreEqual(i, scored[i].Id, "the input's own columns stay on their row");
            Assert.AreEqual(expected.Score, scored[i].Score, 1e-5, $"row {i} Score");
            Assert.AreEqual(expected.Probability, scored[i].Probability, 1e-5, $"row {i} Probability");
            Assert.AreEqual(scored[i].Probability > 0.5f, scored[i].PredictedLabel, $"row {i} PredictedLabel");
        }
    }

    [TestMethod]
    public void RegressionOnFloatFeaturesMatchesRowByRowAndEvaluates()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(3);
        var rows = Enumerable.Range(0, 300).Select(_ =>
        {
            var values = Enumerable.Range(0, random.Next(1, 12)).Select(_ => (float)random.NextDouble()).ToArray();
            return new Steps { Values = values, Label = values.Sum() };
        }).ToList();
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 1);
        options.FeatureColumnName = nameof(Steps.Values);
        options.FeatureSize = 1;
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Regression.Trainers.Recurrent(options).Fit(data);

        var scored = model.Transform(data);
        var values = ml.Data.CreateEnumerable<Value>(scored, reuseRowObject: false).Select(v => v.Score).ToArray();
        using var engine = ml.Model.CreatePredictionEngine<Steps, Value>(model);
        for (int i = 0; i < rows.Count; i++)
            Assert.AreEqual(engine.Predict(rows[i]).Score, values[i], 1e-5, $"row {i}");
        // The evaluator reads Label from the trailing cursor and Score from the batches, row for row.
        double expectedMse = rows.Select((r, i) => Math.Pow(r.Label - values[i], 2)).Average();
        Assert.AreEqual(expectedMse, ml.Regression.Evaluate(scored).MeanSquaredError, 1e-4);
    }

    [TestMethod]
    public void ShuffledCursorsAndCursorsWithoutScoresStillWork()
    {
        var ml = new MLContext(seed: 1);
        var model = TrainBinary(ml);
        var rows = ScoringRows(300);
        var scored = model.Transform(ml.Data.LoadFromEnumerable(rows));

        // Shuffled: every row once, each Id with its own score.
        var inOrder = ml.Data.CreateEnumerable<ScoredIdRow>(scored, reuseRowObject: false).ToDictionary(r => r.Id);
        var shuffled = ml.Data.CreateEnumerable<ScoredIdRow>(ml.Data.ShuffleRows(scored, seed: 4), reuseRowObject: false).ToList();
        Assert.HasCount(rows.Count, shuffled);
        CollectionAssert.AreNotEqual(inOrder.Keys.ToList(), shuffled.Select(r => r.Id).ToList(), "the rows were shuffled");
        foreach (var row in shuffled)
            Assert.AreEqual(inOrder[row.Id].Score, row.Score, 1e-5, $"Id {row.Id}");

        // Only an input column: no scoring, the rows as they came.
        using var cursor = scored.GetRowCursor([scored.Schema["Id"]]);
        var id = cursor.GetGetter<int>(scored.Schema["Id"]);
        int count = 0, value = 0;
        while (cursor.MoveNext())
        {
            id(ref value);
            Assert.AreEqual((long)value, cursor.Position, "Id and Position agree");
            Assert.AreEqual(count++, value);
        }
        Assert.AreEqual(rows.Count, count);
        Assert.IsFalse(cursor.IsColumnActive(scored.Schema["Score"]));
    }

    [TestMethod]
    public void ABadRowInALaterBlockIsNamed()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(5);
        var rows = Enumerable.Range(0, 300).Select(_ => new Steps { Values = [(float)random.NextDouble(), 1f] }).ToList();
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 1);
        options.FeatureColumnName = nameof(Steps.Values);
        options.FeatureSize = 1;
        var model = ml.Regression.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(rows));
        rows[270].Values = [1f, float.NaN];

        var scored = model.Transform(ml.Data.LoadFromEnumerable(rows));
        var error = Assert.Throws<InvalidOperationException>(() => ml.Data.CreateEnumerable<Value>(scored, reuseRowObject: false).ToList());
        StringAssert.Contains(error.Message, "Column 'Values', row 270");
    }
}
