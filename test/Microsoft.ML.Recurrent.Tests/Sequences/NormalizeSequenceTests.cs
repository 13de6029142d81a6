using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.ModelHost;
using Microsoft.ML.Recurrent.Sequences;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Sequences;

[TestClass]
public sealed class NormalizeSequenceTests
{
    private sealed class Row
    {
        [VectorType]
        public float[] Values { get; set; } = [];
    }

    private sealed class Normalized
    {
        [VectorType]
        public float[] Scaled { get; set; } = [];
    }

    // Two interleaved features: even positions around 10, odd positions around -1000.
    private static readonly float[][] Series = [[10, -1000, 12, -990], [8, -1010], [], [11, -1005, 9, -995, 10, -1000]];

    private static IDataView Load(MLContext ml, IEnumerable<float[]> rows) => ml.Data.LoadFromEnumerable(rows.Select(v => new Row { Values = v }));

    private static (double Mean, double Std, double Min, double Max) Stats(IEnumerable<float> values)
    {
        var list = values.Select(v => (double)v).ToList();
        double mean = list.Average();
        return (mean, Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / list.Count), list.Min(), list.Max());
    }

    [TestMethod]
    public void StatisticsCoverAllElementsOfAllRows()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.NormalizeSequence("Scaled", "Values").Fit(Load(ml, Series));
        var expected = Stats(Series.SelectMany(v => v));
        Assert.AreEqual(expected.Mean, model.Offsets[0], 1e-9);
        Assert.AreEqual(expected.Std, model.Scales[0], 1e-9);
        var output = ml.Data.CreateEnumerable<Normalized>(model.Transform(Load(ml, Series)), false).ToList();
        CollectionAssert.AreEqual(Series.Select(s => s.Length).ToArray(), output.Select(o => o.Scaled.Length).ToArray());
        var all = output.SelectMany(o => o.Scaled).ToList();
        Assert.AreEqual(0, all.Average(), 1e-5);
        Assert.AreEqual(1, Stats(all).Std, 1e-5);
    }

    [TestMethod]
    public void FeaturesGetTheirOwnStatisticsAndInverseRoundTrips()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.NormalizeSequence("Scaled", "Values", featureCount: 2).Fit(Load(ml, Series));
        for (int f = 0; f < 2; f++)
        {
            var expected = Stats(Series.SelectMany(v => v.Where((_, i) => i % 2 == f)));
            Assert.AreEqual(expected.Mean, model.Offsets[f], 1e-9);
            Assert.AreEqual(expected.Std, model.Scales[f], 1e-9);
        }
        var output = ml.Data.CreateEnumerable<Normalized>(model.Transform(Load(ml, Series)), false).ToList();
        for (int row = 0; row < Series.Length; row++)
        {
            var back = new float[output[row].Scaled.Length];
            model.Inverse(output[row].Scaled, back);
            for (int i = 0; i < back.Length; i++)
            {
                Assert.AreEqual(Series[row][i], back[i], 1e-5 * Math.Max(1, Math.Abs(Series[row][i])));
                Assert.AreEqual(back[i], model.Inverse(output[row].Scaled[i], i % 2), 1e-6);
                Assert.AreEqual(output[row].Scaled[i], model.Normalize(Series[row][i], i % 2), 1e-6);
            }
        }
    }

    [TestMethod]
    public void MinMaxMapsTheFittedRangeToZeroOne()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.NormalizeSequence("Scaled", "Values", NormalizationMode.MinMax, featureCount: 2).Fit(Load(ml, Series));
        CollectionAssert.AreEqual(new[] { 8.0, -1010.0 }, model.Offsets.ToArray());
        CollectionAssert.AreEqual(new[] { 4.0, 20.0 }, model.Scales.ToArray());
        var values = ml.Data.CreateEnumerable<Normalized>(model.Transform(Load(ml, Series)), false).SelectMany(o => o.Scaled).ToList();
        Assert.AreEqual(0f, values.Min());
        Assert.AreEqual(1f, values.Max());
        CollectionAssert.AreEqual(new[] { 0.5f, 0.5f }, new[] { model.Normalize(10, 0), model.Normalize(-1000, 1) });
    }

    [TestMethod]
    public void ConstantFeaturesGetScaleOne()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.NormalizeSequence("Scaled", "Values").Fit(Load(ml, [[5, 5], [5]]));
        Assert.AreEqual(5.0, model.Offsets[0]);
        Assert.AreEqual(1.0, model.Scales[0]);
    }

    [TestMethod]
    public void NonFiniteValuesAndBadLengthsNameTheColumnAndRow()
    {
        var ml = new MLContext(seed: 1);
        var nan = Assert.ThrowsExactly<InvalidOperationException>(
            () => ml.Transforms.NormalizeSequence("Scaled", "Values").Fit(Load(ml, [[1, 2], [3], [4, float.NaN]])));
        StringAssert.Contains(nan.Message, "row 2 of column 'Values'");
        var infinity = Assert.ThrowsExactly<InvalidOperationException>(
            () => ml.Transforms.NormalizeSequence("Scaled", "Values").Fit(Load(ml, [[float.PositiveInfinity]])));
        StringAssert.Contains(infinity.Message, "row 0 of column 'Values'");
        var odd = Assert.ThrowsExactly<InvalidOperationException>(
            () => ml.Transforms.NormalizeSequence("Scaled", "Values", featureCount: 2).Fit(Load(ml, [[1, 2], [1, 2, 3]])));
        StringAssert.Contains(odd.Message, "row 1 of column 'Values' has 3 elements");

        // At scoring time NaN is rejected too (documented: forecasts need clean data).
        var model = ml.Transforms.NormalizeSequence("Scaled", "Values").Fit(Load(ml, [[1, 2]]));
        var engine = ml.Model.CreatePredictionEngine<Row, Normalized>(model);
        var scoring = Assert.ThrowsExactly<InvalidOperationException>(() => engine.Predict(new Row { Values = [1, float.NaN] }));
        StringAssert.Contains(scoring.Message, "column 'Values'");
        // Enough rows for ML.NET to score in parallel: the row reported is still the row's index in the data.
        var transformed = model.Transform(Load(ml, Enumerable.Range(0, 5000).Select(i => i == 3700 ? new[] { float.NaN } : new float[] { i })));
        // ML.NET's parallel cursors wrap the error; the component's own exception is in the chain.
        Exception? cursorError = Assert.Throws<Exception>(() => transformed.GetColumn<float[]>("Scaled").ToList());
        while (cursorError is not null && !cursorError.Message.StartsWith("NormalizeSequence", StringComparison.Ordinal))
            cursorError = cursorError.InnerException;
        Assert.IsInstanceOfType<InvalidOperationException>(cursorError);
        StringAssert.Contains(cursorError.Message, "row 3700 of column 'Values'");
    }

    [TestMethod]
    public void WrongColumnTypeAndSettingsAreRejected()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new { Text = "x", Number = 1.0 } });
        var chain = ml.Transforms.CopyColumns("Copy", "Text").Append(ml.Transforms.NormalizeSequence("Out", "Text"));
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => chain.Fit(data));
        StringAssert.Contains(error.Message, "'Text'");
        StringAssert.Contains(error.Message, "expected a vector of Single");
        var scalar = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.NormalizeSequence("Out", "Number").Fit(data));
        StringAssert.Contains(scalar.Message, "'Number'");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.NormalizeSequence("Out", "In", featureCount: 0));
    }

    [TestMethod]
    public void SavedModelGivesIdenticalRowsInAFreshProcess()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 1);
        var data = Load(ml, Series);
        var pipeline = ml.Transforms.NormalizeSequence("Scaled", "Values", featureCount: 2)
            .Append(ml.Transforms.NormalizeSequence("Range", "Values", NormalizationMode.MinMax))
            .Append(ml.Transforms.PadSequence("Padded", 6, "Scaled"))
            .Append(ml.Transforms.NormalizeMinMax("Builtin", "Padded"));
        var model = pipeline.Fit(data);
        ml.Model.Save(model, data.Schema, folder.File("normalize.zip"));
        using (var stream = File.Create(folder.File("input.idv")))
            ml.Data.SaveAsBinary(data, stream);

        string[] columns = ["Scaled", "Range", "Builtin"];
        var expected = RowFormatter.FormatTransform(model, data, columns);
        CollectionAssert.AreEqual(expected, FreshProcess.Score(folder.File("normalize.zip"), folder.File("input.idv"), "transform", columns));
        CollectionAssert.AreEqual(expected, FreshProcess.Score(folder.File("normalize.zip"), folder.File("input.idv"), "rowmapper", columns));
    }
}
