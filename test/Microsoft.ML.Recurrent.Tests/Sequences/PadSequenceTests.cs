using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.ModelHost;
using Microsoft.ML.Recurrent.Sequences;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Sequences;

[TestClass]
public sealed class PadSequenceTests
{
    private sealed class Row
    {
        [VectorType]
        public float[] Values { get; set; } = [];
    }

    private sealed class Padded
    {
        [VectorType(4)]
        public float[] Padded4 { get; set; } = [];

        public int Length { get; set; }
    }

    private static readonly float[][] Inputs = [[1, 2, 3, 4, 5, 6], [1, 2], [], [7, 8, 9, 10]];

    [TestMethod]
    [DataRow(SequenceEnd.End, SequenceEnd.Start, "3,4,5,6|1,2,0,0|0,0,0,0|7,8,9,10")]
    [DataRow(SequenceEnd.End, SequenceEnd.End, "1,2,3,4|1,2,0,0|0,0,0,0|7,8,9,10")]
    [DataRow(SequenceEnd.Start, SequenceEnd.Start, "3,4,5,6|0,0,1,2|0,0,0,0|7,8,9,10")]
    [DataRow(SequenceEnd.Start, SequenceEnd.End, "1,2,3,4|0,0,1,2|0,0,0,0|7,8,9,10")]
    [DataRow(SequenceEnd.End, SequenceEnd.Middle, "1,2,5,6|1,2,0,0|0,0,0,0|7,8,9,10")]
    [DataRow(SequenceEnd.Start, SequenceEnd.Middle, "1,2,5,6|0,0,1,2|0,0,0,0|7,8,9,10")]
    public void PaddingAndTruncationFollowKerasSemantics(SequenceEnd padding, SequenceEnd truncation, string expected)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Inputs.Select(v => new Row { Values = v }));
        var model = ml.Transforms.PadSequence("Padded4", 4, "Values", padding, truncation, lengthColumnName: "Length").Fit(data);
        var rows = ml.Data.CreateEnumerable<Padded>(model.Transform(data), reuseRowObject: false).ToList();
        Assert.AreEqual(expected, string.Join('|', rows.Select(r => string.Join(',', r.Padded4))));
        CollectionAssert.AreEqual(new[] { 4, 2, 0, 4 }, rows.Select(r => r.Length).ToArray());
    }

    [TestMethod]
    public void MiddleTruncationKeepsTheLongerHalfAtTheHeadForAnOddLength()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { Values = [1, 2, 3, 4, 5, 6, 7] } });
        var model = ml.Transforms.PadSequence("Padded3", 3, "Values", truncation: SequenceEnd.Middle).Fit(data);
        CollectionAssert.AreEqual(new float[] { 1, 2, 7 }, model.Transform(data).GetColumn<float[]>("Padded3").Single());
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.PadSequence("Padded3", 3, "Values", padding: SequenceEnd.Middle));
        StringAssert.Contains(error.Message, "only truncation can take the middle");
    }

    [TestMethod]
    public void PredictionEngineGivesTheSameRowsAsTransform()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Inputs.Select(v => new Row { Values = v }));
        var model = ml.Transforms.PadSequence("Padded4", 4, "Values", padValue: -1, lengthColumnName: "Length").Fit(data);
        var engine = ml.Model.CreatePredictionEngine<Row, Padded>(model);
        var fromEngine = Inputs.Select(v => engine.Predict(new Row { Values = v })).Select(p => string.Join(',', p.Padded4) + ";" + p.Length);
        var fromTransform = ml.Data.CreateEnumerable<Padded>(model.Transform(data), false).Select(p => string.Join(',', p.Padded4) + ";" + p.Length);
        CollectionAssert.AreEqual(fromTransform.ToList(), fromEngine.ToList());
        Assert.AreEqual("1,2,-1,-1;2", fromEngine.ElementAt(1));
    }

    [TestMethod]
    public void KeyColumnsStayKeysWithTheirValueNames()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new { Text = "b a c" }, new { Text = "a" } });
        var pipeline = ml.Transforms.Text.TokenizeIntoWords("Words", "Text")
            .Append(ml.Transforms.Conversion.MapValueToKey("Ids", "Words"))
            .Append(ml.Transforms.PadSequence("Padded", 5, "Ids"))
            .Append(ml.Transforms.Conversion.MapKeyToValue("Back", "Padded"));
        var output = pipeline.Fit(data).Transform(data);
        Assert.IsInstanceOfType<KeyDataViewType>(((VectorDataViewType)output.Schema["Padded"].Type).ItemType);
        var back = output.GetColumn<VBuffer<ReadOnlyMemory<char>>>("Back").First().DenseValues().Select(m => m.ToString()).ToArray();
        CollectionAssert.AreEqual(new[] { "b", "a", "c", "", "" }, back);
    }

    [TestMethod]
    public void WrongColumnTypeIsRejectedBeforeFitting()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new { Text = "x" } });
        // The chain checks every estimator's output schema before fitting the first one.
        var chain = ml.Transforms.CopyColumns("Copy", "Text").Append(ml.Transforms.PadSequence("Out", 3, "Text"));
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => chain.Fit(data));
        StringAssert.Contains(error.Message, "'Text'");
        StringAssert.Contains(error.Message, "expected a vector");
        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.PadSequence("Out", 3, "Nope").Fit(data));
        StringAssert.Contains(missing.Message, "'Nope' was not found");
    }

    [TestMethod]
    public void AbsurdSettingsAreRejected()
    {
        var ml = new MLContext();
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.PadSequence("Out", 0, "In"));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.PadSequence("Out", 3, "In", padValue: double.NaN));
    }

    [TestMethod]
    public void SavedModelGivesIdenticalRowsInAFreshProcess()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Inputs.Select(v => new Row { Values = v }));
        var model = ml.Transforms.PadSequence("Padded4", 4, "Values", SequenceEnd.Start, lengthColumnName: "Length").Fit(data);
        ml.Model.Save(model, data.Schema, folder.File("pad.zip"));
        using (var stream = File.Create(folder.File("input.idv")))
            ml.Data.SaveAsBinary(data, stream);

        var expected = RowFormatter.FormatTransform(model, data, ["Padded4", "Length"]);
        CollectionAssert.AreEqual(expected, FreshProcess.Score(folder.File("pad.zip"), folder.File("input.idv"), "transform", "Padded4", "Length"));
        CollectionAssert.AreEqual(expected, FreshProcess.Score(folder.File("pad.zip"), folder.File("input.idv"), "rowmapper", "Padded4", "Length"));
    }
}
