using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Classification;

/// <summary>
/// <see cref="RecurrentSequenceTrainerOptions.ExampleWeightColumnName"/>: with one batch per epoch (so that removing or
/// repeating rows changes no batch but the one), a row of weight 0 is a row left out and a row of weight 2 is a row
/// given twice, with the same seed; only the order of summation differs, so the scores agree to float rounding.
/// </summary>
[TestClass]
public sealed class ExampleWeightTests
{
    private sealed class WeightedRow
    {
        [VectorType]
        public int[] Tokens { get; set; } = [];

        public bool Label { get; set; }

        public float Value { get; set; }

        public float Weight { get; set; } = 1;
    }

    private static List<WeightedRow> Rows() => OrderTask.Generate(40, seed: 6)
        .Select((row, i) => new WeightedRow { Tokens = row.Tokens, Label = row.Label, Value = row.Label ? 1.5f + 0.1f * (i % 3) : -1f })
        .ToList();

    /// <summary>Every fifth row (both labels among them).</summary>
    private static bool Chosen(int index) => index % 5 == 0;

    private static float[] Scores(string task, List<WeightedRow> rows, bool weighted)
    {
        var ml = new MLContext(seed: 1);
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 4);
        // One batch per epoch, a vocabulary fixed in advance and a fixed seed: the runs differ only in their rows.
        (options.BatchSize, options.VocabularySize, options.Seed) = (64, 20, 9);
        options.ExampleWeightColumnName = weighted ? nameof(WeightedRow.Weight) : null;
        var data = ml.Data.LoadFromEnumerable(rows);
        var probe = ml.Data.LoadFromEnumerable(Rows());
        if (task == "binary")
            return ml.BinaryClassification.Trainers.Recurrent(options).Fit(data).Transform(probe).GetColumn<float>("Score").ToArray();
        options.LabelColumnName = nameof(WeightedRow.Value);
        return ml.Regression.Trainers.Recurrent(options).Fit(data).Transform(probe).GetColumn<float>("Score").ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], actual[i], 1e-4, $"{what}, row {i}");
    }

    private static double LargestDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    [TestMethod]
    [DataRow("binary")]
    [DataRow("regression")]
    public void AWeightOfZeroEqualsLeavingTheRowOut(string task)
    {
        var zeroed = Rows().Select((row, i) => { row.Weight = Chosen(i) ? 0 : 1; return row; }).ToList();
        var weighted = Scores(task, zeroed, weighted: true);
        AssertClose(Scores(task, Rows().Where((_, i) => !Chosen(i)).ToList(), weighted: false), weighted, "weight 0 against the row left out");
        double ignored = LargestDifference(Scores(task, Rows(), weighted: false), weighted);
        Assert.IsTrue(ignored > 1e-3, $"the weights change the model (largest difference {ignored})");
    }

    [TestMethod]
    [DataRow("binary")]
    [DataRow("regression")]
    public void AWeightOfTwoEqualsGivingTheRowTwice(string task)
    {
        var doubled = Rows().Select((row, i) => { row.Weight = Chosen(i) ? 2 : 1; return row; }).ToList();
        var weighted = Scores(task, doubled, weighted: true);
        var repeated = Rows().SelectMany((row, i) => Chosen(i) ? new[] { row, row } : [row]).ToList();
        AssertClose(Scores(task, repeated, weighted: false), weighted, "weight 2 against the row given twice");
        double ignored = LargestDifference(Scores(task, Rows(), weighted: false), weighted);
        Assert.IsTrue(ignored > 1e-3, $"the weights change the model (largest difference {ignored})");
    }

    [TestMethod]
    [DataRow(-1f, "row index 3")]
    [DataRow(float.NaN, "row index 3")]
    public void ABadWeightIsRejectedNamingTheColumnAndRow(float weight, string row)
    {
        var rows = Rows();
        rows[3].Weight = weight;
        var ml = new MLContext(seed: 1);
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 1);
        options.ExampleWeightColumnName = nameof(WeightedRow.Weight);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(error.Message, "'Weight'");
        StringAssert.Contains(error.Message, row);
    }

    [TestMethod]
    public void TheFlatOverloadTakesTheWeightColumnAndTheSchemaNeedsIt()
    {
        var ml = new MLContext(seed: 1);
        var trainer = ml.BinaryClassification.Trainers.Recurrent(featureColumnName: "Tokens", exampleWeightColumnName: "Missing");
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(ml.Data.LoadFromEnumerable(Rows())));
        StringAssert.Contains(error.Message, "'Missing'");
        StringAssert.Contains(error.Message, "example weight");
    }
}
