using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Text;

namespace Microsoft.ML.Recurrent.Tests.Text;

/// <summary>NB-SVM's log-count-ratio weighting (WeightByLogCountRatio): values, sparsity, slot names, saving and errors.</summary>
[TestClass]
public sealed class LogCountRatioTests
{
    private const int Terms = 4;

    private sealed class Row
    {
        [VectorType(Terms)]
        public float[] Counts { get; set; } = [];

        public bool Label { get; set; }
    }

    private sealed class Unlabeled
    {
        [VectorType(Terms)]
        public float[] Counts { get; set; } = [];
    }

    private sealed class NumericLabel
    {
        [VectorType(Terms)]
        public float[] Counts { get; set; } = [];

        public float Label { get; set; }

        public string Text { get; set; } = "x";
    }

    private sealed class Weighted
    {
        [VectorType(Terms)]
        public float[] Features { get; set; } = [];
    }

    // Term 0 only in positive rows, term 1 only in negative rows, term 2 in both alike, term 3 in no row.
    private static readonly Row[] Rows =
    [
        new() { Counts = [3, 0, 1, 0], Label = true },
        new() { Counts = [1, 0, 0, 0], Label = true },
        new() { Counts = [0, 2, 1, 0], Label = false },
        new() { Counts = [0, 1, 0, 0], Label = false },
        new() { Counts = [0, 0, 1, 0], Label = false },
    ];

    /// <summary>Wang and Manning's r = log((p / |p|1) / (q / |q|1)), p and q the smoothed per-class sums, written out here.</summary>
    private static double[] ExpectedRatios(bool binarize, double alpha)
    {
        var p = Enumerable.Repeat(alpha, Terms).ToArray();
        var q = Enumerable.Repeat(alpha, Terms).ToArray();
        foreach (var row in Rows)
            for (int i = 0; i < Terms; i++)
                (row.Label ? p : q)[i] += binarize ? Math.Sign(row.Counts[i]) : row.Counts[i];
        return Enumerable.Range(0, Terms).Select(i => Math.Log(p[i] / p.Sum()) - Math.Log(q[i] / q.Sum())).ToArray();
    }

    private static float[][] Transformed(MLContext ml, ITransformer model, IDataView data)
        => ml.Data.CreateEnumerable<Weighted>(model.Transform(data), reuseRowObject: false).Select(w => w.Features).ToArray();

    [TestMethod]
    [DataRow(true, 1f)]
    [DataRow(false, 0.5f)]
    public void RatiosAndOutputsMatchTheFormula(bool binarize, float smoothing)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var model = ml.Transforms.Text.WeightByLogCountRatio("Features", "Counts", smoothing: smoothing, binarize: binarize).Fit(data);
        var expected = ExpectedRatios(binarize, smoothing);
        for (int i = 0; i < Terms; i++)
            Assert.AreEqual(expected[i], model.Ratios[i], 1e-6, $"term {i}");
        Assert.IsTrue(model.Ratios[0] > 0 && model.Ratios[1] < 0, "a positive-only term weighs up, a negative-only term down");

        var output = Transformed(ml, model, data);
        for (int r = 0; r < Rows.Length; r++)
            for (int i = 0; i < Terms; i++)
            {
                double count = binarize ? Math.Sign(Rows[r].Counts[i]) : Rows[r].Counts[i];
                Assert.AreEqual(expected[i] * count, output[r][i], 1e-6, $"row {r}, term {i}");
            }
    }

    [TestMethod]
    public void TheOutputIsSparseWhereTheInputIsAndKeepsTheSlotNames()
    {
        var ml = new MLContext(seed: 1);
        var texts = new[] { ("good fun film", true), ("fun and good", true), ("dull film", false), ("dull and slow plot", false) };
        var data = ml.Data.LoadFromEnumerable(texts.Select(t => new { Text = t.Item1, Label = t.Item2 }));
        var pipeline = ml.Transforms.Text.ProduceWordBags("Bag", "Text", ngramLength: 1)
            .Append(ml.Transforms.Text.WeightByLogCountRatio("Weighted", "Bag"));
        var model = pipeline.Fit(data);
        var scored = model.Transform(data);

        var bagNames = default(VBuffer<ReadOnlyMemory<char>>);
        var weightedNames = default(VBuffer<ReadOnlyMemory<char>>);
        scored.Schema["Bag"].GetSlotNames(ref bagNames);
        scored.Schema["Weighted"].GetSlotNames(ref weightedNames);
        CollectionAssert.AreEqual(bagNames.DenseValues().Select(n => n.ToString()).ToArray(), weightedNames.DenseValues().Select(n => n.ToString()).ToArray());
        var estimatorShape = pipeline.GetOutputSchema(Microsoft.ML.Recurrent.MLNetBridge.SchemaChecks.ShapeOf(data.Schema));
        Assert.IsTrue(estimatorShape.First(c => c.Name == "Weighted").Annotations.Any(a => a.Name == "SlotNames"), "the estimator promises the slot names");

        var names = bagNames.DenseValues().Select(n => n.ToString()).ToList();
        using var cursor = scored.GetRowCursor(scored.Schema);
        var getWeighted = cursor.GetGetter<VBuffer<float>>(scored.Schema["Weighted"]);
        var weighted = default(VBuffer<float>);
        cursor.MoveNext();
        getWeighted(ref weighted);
        Assert.IsFalse(weighted.IsDense, "three terms of a larger vocabulary stay sparse");
        CollectionAssert.AreEquivalent(new[] { "good", "fun", "film" }, weighted.GetIndices().ToArray().Select(i => names[i]).ToArray());
        var ratios = model.LastTransformer.Ratios;
        Assert.IsTrue(ratios[names.IndexOf("good")] > 0 && ratios[names.IndexOf("dull")] < 0 && ratios[names.IndexOf("and")] == 0,
            "a term in both classes alike weighs zero (both classes hold six term occurrences)");
    }

    [TestMethod]
    public void SaveAndLoadGiveTheSameOutputAndScoringNeedsNoLabel()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var model = ml.Transforms.Text.WeightByLogCountRatio("Features", "Counts").Fit(data);
        var unlabeled = ml.Data.LoadFromEnumerable(Rows.Select(r => new Unlabeled { Counts = r.Counts }));
        var expected = Transformed(ml, model, unlabeled);

        using var stream = new MemoryStream();
        ml.Model.Save(model, unlabeled.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext(seed: 2).Model.Load(stream, out _);
        var actual = Transformed(ml, loaded, unlabeled);
        for (int r = 0; r < Rows.Length; r++)
            CollectionAssert.AreEqual(expected[r], actual[r], $"row {r}");
        var engine = ml.Model.CreatePredictionEngine<Unlabeled, Weighted>(loaded);
        CollectionAssert.AreEqual(expected[0], engine.Predict(new Unlabeled { Counts = Rows[0].Counts }).Features);
    }

    [TestMethod]
    public void WrongColumnsAreRejectedBeforeFittingNamingTheColumn()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows.Select(r => new NumericLabel { Counts = r.Counts, Label = r.Label ? 1 : 0 }));
        var shape = Microsoft.ML.Recurrent.MLNetBridge.SchemaChecks.ShapeOf(data.Schema);
        var label = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Text.WeightByLogCountRatio("F", "Counts").GetOutputSchema(shape));
        StringAssert.Contains(label.Message, "'Label'");
        StringAssert.Contains(label.Message, "Boolean");
        var input = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Text.WeightByLogCountRatio("F", "Text").Fit(data));
        StringAssert.Contains(input.Message, "'Text'");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Text.WeightByLogCountRatio("F", "Counts", smoothing: 0));
    }

    [TestMethod]
    public void NegativeCountsAndASingleClassAreClearErrors()
    {
        var ml = new MLContext(seed: 1);
        var negative = Rows.Select((r, i) => new Row { Counts = i == 2 ? [0, -1, 0, 0] : r.Counts, Label = r.Label });
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Transforms.Text.WeightByLogCountRatio("F", "Counts").Fit(ml.Data.LoadFromEnumerable(negative)));
        StringAssert.Contains(error.Message, "row 2 of column 'Counts'");

        var oneClass = ml.Data.LoadFromEnumerable(Rows.Where(r => r.Label));
        error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Transforms.Text.WeightByLogCountRatio("F", "Counts").Fit(oneClass));
        StringAssert.Contains(error.Message, "both classes");
    }
}
