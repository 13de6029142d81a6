using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Tests.Training;

[TestClass]
public sealed class SequenceDataReaderTests
{
    private static readonly MLContext Context = new(seed: 1);

    [TestMethod]
    public void ReadsTokenSequencesAndFloatLabels()
    {
        var data = Context.Data.LoadFromEnumerable(new[]
        {
            new TokenRow { Tokens = [3, 4, 5], Label = 1.5f },
            new TokenRow { Tokens = [7], Label = -2f },
        });
        var dataset = SequenceDataReader.Read(data, "Tokens", 1, "Label", SequenceTargetKind.Value);

        Assert.AreEqual(2, dataset.Count);
        Assert.AreEqual(SequenceInputKind.Tokens, dataset.InputKind);
        CollectionAssert.AreEqual(new[] { 3, 4, 5 }, dataset.GetTokens(0).ToArray());
        CollectionAssert.AreEqual(new[] { 7 }, dataset.GetTokens(1).ToArray());
        Assert.AreEqual(-2f, dataset.GetValue(1));
        Assert.AreEqual(7, dataset.MaxTokenId);
        Assert.AreEqual(3, dataset.MaxLength);
    }

    [TestMethod]
    public void ReadsFeatureSequencesAndKeyLabelsAsClasses()
    {
        var rows = new[]
        {
            new FeatureRow { Features = [1, 2, 3, 4], Label = "b" },
            new FeatureRow { Features = [5, 6], Label = "a" },
            new FeatureRow { Features = [7, 8], Label = "b" },
        };
        var data = Context.Transforms.Conversion.MapValueToKey("Key", "Label").Fit(Context.Data.LoadFromEnumerable(rows)).Transform(Context.Data.LoadFromEnumerable(rows));
        var dataset = SequenceDataReader.Read(data, "Features", 2, "Key", SequenceTargetKind.Class);

        Assert.AreEqual(SequenceInputKind.Features, dataset.InputKind);
        Assert.AreEqual(2, dataset.GetLength(0));
        CollectionAssert.AreEqual(new float[] { 5, 6 }, dataset.GetFeatures(1).ToArray());
        Assert.AreEqual(2, dataset.ClassCount);
        CollectionAssert.AreEqual(new[] { 0, 1, 0 }, Enumerable.Range(0, 3).Select(dataset.GetClass).ToArray(), "key k is class k - 1");
    }

    [TestMethod]
    public void BooleanLabelsBecomeTwoClasses()
    {
        var data = Context.Data.LoadFromEnumerable(new[] { new BoolRow { Tokens = [1], Label = true }, new BoolRow { Tokens = [2], Label = false } });
        var dataset = SequenceDataReader.Read(data, "Tokens", 1, "Label", SequenceTargetKind.Class);
        Assert.AreEqual(2, dataset.ClassCount);
        Assert.AreEqual(1, dataset.GetClass(0));
        Assert.AreEqual(0, dataset.GetClass(1));
    }

    [TestMethod]
    public void AMissingColumnIsNamed()
    {
        var data = Context.Data.LoadFromEnumerable(new[] { new TokenRow { Tokens = [1], Label = 0 } });
        var error = Assert.ThrowsExactly<ArgumentException>(() => SequenceDataReader.Read(data, "Words", 1, "Label", SequenceTargetKind.Value));
        StringAssert.Contains(error.Message, "'Words'");
        error = Assert.ThrowsExactly<ArgumentException>(() => SequenceDataReader.Read(data, "Tokens", 1, "Target", SequenceTargetKind.Value));
        StringAssert.Contains(error.Message, "'Target'");
    }

    [TestMethod]
    public void AWrongColumnTypeIsNamed()
    {
        var data = Context.Data.LoadFromEnumerable(new[] { new FeatureRow { Features = [1, 2], Label = "x" } });
        var error = Assert.ThrowsExactly<ArgumentException>(() => SequenceDataReader.Read(data, "Label", 1, null, SequenceTargetKind.None));
        StringAssert.Contains(error.Message, "'Label'");
        error = Assert.ThrowsExactly<ArgumentException>(() => SequenceDataReader.Read(data, "Features", 2, "Label", SequenceTargetKind.Value));
        StringAssert.Contains(error.Message, "'Label'");
    }

    [TestMethod]
    public void NonFiniteFeaturesAndLabelsNameColumnAndRow()
    {
        var features = Context.Data.LoadFromEnumerable(new[]
        {
            new TokenFeatureRow { Features = [1, 2], Label = 1 },
            new TokenFeatureRow { Features = [1, 2], Label = 1 },
            new TokenFeatureRow { Features = [1, float.NaN], Label = 1 },
        });
        var error = Assert.ThrowsExactly<InvalidDataException>(() => SequenceDataReader.Read(features, "Features", 1, "Label", SequenceTargetKind.Value));
        StringAssert.Contains(error.Message, "'Features'");
        StringAssert.Contains(error.Message, "row index 2");

        var labels = Context.Data.LoadFromEnumerable(new[]
        {
            new TokenFeatureRow { Features = [1], Label = 1 },
            new TokenFeatureRow { Features = [1], Label = float.PositiveInfinity },
        });
        error = Assert.ThrowsExactly<InvalidDataException>(() => SequenceDataReader.Read(labels, "Features", 1, "Label", SequenceTargetKind.Value));
        StringAssert.Contains(error.Message, "'Label'");
        StringAssert.Contains(error.Message, "row index 1");
    }

    [TestMethod]
    public void EmptySequencesAreRejectedOrPaddedOnRequest()
    {
        var data = Context.Data.LoadFromEnumerable(new[] { new TokenRow { Tokens = [1, 2], Label = 0 }, new TokenRow { Tokens = [], Label = 1 } });
        var error = Assert.ThrowsExactly<InvalidDataException>(() => SequenceDataReader.Read(data, "Tokens", 1, "Label", SequenceTargetKind.Value));
        StringAssert.Contains(error.Message, "'Tokens'");
        StringAssert.Contains(error.Message, "row index 1");
        StringAssert.Contains(error.Message, "minimum length of 1");

        var padded = SequenceDataReader.Read(data, "Tokens", 1, "Label", SequenceTargetKind.Value, emptySequences: EmptySequenceHandling.SinglePaddingStep);
        CollectionAssert.AreEqual(new[] { 0 }, padded.GetTokens(1).ToArray());
    }

    [TestMethod]
    public void FeatureLengthsMustBeMultiplesOfTheFeatureSize()
    {
        var data = Context.Data.LoadFromEnumerable(new[] { new TokenFeatureRow { Features = [1, 2, 3, 4], Label = 0 }, new TokenFeatureRow { Features = [1, 2, 3], Label = 0 } });
        var error = Assert.ThrowsExactly<InvalidDataException>(() => SequenceDataReader.Read(data, "Features", 2, "Label", SequenceTargetKind.Value));
        StringAssert.Contains(error.Message, "'Features'");
        StringAssert.Contains(error.Message, "row index 1");
        StringAssert.Contains(error.Message, "multiple of the feature size 2");
    }

    [TestMethod]
    public void AnEmptyDataViewIsRejected()
    {
        var data = Context.Data.LoadFromEnumerable(Array.Empty<TokenRow>());
        var error = Assert.ThrowsExactly<InvalidDataException>(() => SequenceDataReader.Read(data, "Tokens", 1, "Label", SequenceTargetKind.Value));
        StringAssert.Contains(error.Message, "no rows");
    }

    [TestMethod]
    public void PerStepClassesMustMatchTheSequenceLength()
    {
        var data = Context.Data.LoadFromEnumerable(new[]
        {
            new TaggedRow { Tokens = [1, 2, 3], Tags = [0, 1, 2] },
            new TaggedRow { Tokens = [4, 5], Tags = [1] },
        });
        var error = Assert.ThrowsExactly<InvalidDataException>(() => SequenceDataReader.Read(data, "Tokens", 1, "Tags", SequenceTargetKind.StepClasses));
        StringAssert.Contains(error.Message, "'Tags'");
        StringAssert.Contains(error.Message, "row index 1");

        var good = SequenceDataReader.Read(Context.Data.TakeRows(data, 1), "Tokens", 1, "Tags", SequenceTargetKind.StepClasses);
        CollectionAssert.AreEqual(new[] { 0, 1, 2 }, good.GetStepClasses(0).ToArray());
        Assert.AreEqual(3, good.ClassCount);
    }

    private sealed class TokenRow
    {
        [VectorType] public int[] Tokens { get; set; } = [];
        public float Label { get; set; }
    }

    private sealed class BoolRow
    {
        [VectorType] public int[] Tokens { get; set; } = [];
        public bool Label { get; set; }
    }

    private sealed class FeatureRow
    {
        [VectorType] public float[] Features { get; set; } = [];
        public string Label { get; set; } = "";
    }

    private sealed class TokenFeatureRow
    {
        [VectorType] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    private sealed class TaggedRow
    {
        [VectorType] public long[] Tokens { get; set; } = [];
        [VectorType] public int[] Tags { get; set; } = [];
    }
}
