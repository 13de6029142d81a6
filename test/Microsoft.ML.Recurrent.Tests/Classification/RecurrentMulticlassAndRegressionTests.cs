using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Classification;

[TestClass]
public sealed class RecurrentMulticlassAndRegressionTests
{
    private sealed class Tagged
    {
        [VectorType]
        public int[] Tokens { get; set; } = [];

        public string Kind { get; set; } = "";
    }

    private sealed class Numeric
    {
        [VectorType]
        public float[] Steps { get; set; } = [];

        public float Label { get; set; }
    }

    // The class is the token that occurs most often; ties cannot happen by construction.
    private static List<Tagged> Majority(int count, int seed)
    {
        var random = new Random(seed);
        string[] names = ["alpha", "beta", "gamma"];
        return Enumerable.Range(0, count).Select(i =>
        {
            int winner = i % 3;
            var tokens = Enumerable.Repeat(5 + winner, 3).Concat(Enumerable.Range(0, 2).Select(_ => 5 + (winner + 1 + random.Next(2)) % 3))
                .OrderBy(_ => random.Next()).ToArray();
            return new Tagged { Tokens = tokens, Kind = names[winner] };
        }).ToList();
    }

    [TestMethod]
    public void MulticlassLearnsAndKeepsTheLabelNames()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Majority(600, 1));
        var test = ml.Data.LoadFromEnumerable(Majority(150, 2));
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 8);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "Kind")
            .Append(ml.MulticlassClassification.Trainers.Recurrent(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedKind", "PredictedLabel"));
        var model = pipeline.Fit(train);
        var scored = model.Transform(test);
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.IsTrue(metrics.MicroAccuracy > 0.9, $"micro accuracy {metrics.MicroAccuracy}");
        var predicted = scored.GetColumn<ReadOnlyMemory<char>>("PredictedKind").Select(m => m.ToString()).ToHashSet();
        CollectionAssert.IsSubsetOf(predicted.ToList(), new[] { "alpha", "beta", "gamma" });
        var scores = scored.GetColumn<float[]>("Score").First();
        Assert.AreEqual(3, scores.Length);
        Assert.AreEqual(1f, scores.Sum(), 1e-5f);
    }

    [TestMethod]
    public void AMissingLabelKeyIsRejectedAtTrainingNamingTheRow()
    {
        var ml = new MLContext(seed: 1);
        var rows = Majority(30, 3);
        var keys = ml.Transforms.Conversion.MapValueToKey("Label", "Kind").Fit(ml.Data.LoadFromEnumerable(rows.Where(r => r.Kind != "gamma")));
        var withUnseen = keys.Transform(ml.Data.LoadFromEnumerable(rows));
        var error = Assert.ThrowsExactly<InvalidDataException>(
            () => ml.MulticlassClassification.Trainers.Recurrent(RecurrentBinaryTrainerTests.SmallOptions(epochs: 1)).Fit(withUnseen));
        StringAssert.Contains(error.Message, "'Label'");
        StringAssert.Contains(error.Message, "row index 2");
    }

    [TestMethod]
    public void RegressionOnNumericSequencesLearnsTheirMean()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(4);
        Numeric Make()
        {
            var steps = Enumerable.Range(0, random.Next(2, 9)).Select(_ => (float)random.NextDouble()).ToArray();
            return new Numeric { Steps = steps, Label = steps.Average() };
        }
        var train = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 600).Select(_ => Make()).ToList());
        var test = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 100).Select(_ => Make()).ToList());
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 15);
        options.FeatureColumnName = "Steps";
        options.FeatureSize = 1;
        var model = ml.Regression.Trainers.Recurrent(options).Fit(train);
        var metrics = ml.Regression.Evaluate(model.Transform(test));
        // Predicting the overall mean gives an RMSE of about 0.13 here; the network must do far better.
        Assert.IsTrue(metrics.RootMeanSquaredError < 0.05, $"RMSE {metrics.RootMeanSquaredError}");
        Assert.AreEqual(SequencePredictionKind.Regression, ((RecurrentSequenceTransformer)model).Kind);
    }

    [TestMethod]
    public void NaNInNumericFeaturesIsReportedWithColumnAndRow()
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 5).Select(i => new Numeric { Steps = [1, i == 3 ? float.NaN : 2], Label = 1 }).ToList();
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 1);
        options.FeatureColumnName = "Steps";
        options.FeatureSize = 1;
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.Regression.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(error.Message, "'Steps'");
        StringAssert.Contains(error.Message, "row index 3");
    }
}
