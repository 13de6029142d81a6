using Microsoft.ML.Recurrent.Sequences;
using static Microsoft.ML.Recurrent.Tests.Reliability.BadInputData;

namespace Microsoft.ML.Recurrent.Tests.Reliability;

/// <summary>PadSequence: empty, long, non-finite or mistyped sequences and impossible settings.</summary>
internal static class PadSequenceBadInputs
{
    private const string Component = "PadSequence";

    private static IDataView Pad(IDataView data, int length = 3, string? lengthColumn = "Length")
        => new MLContext().Transforms.PadSequence("Padded", length, "Values", lengthColumnName: lengthColumn).Fit(data).Transform(data);

    public static IEnumerable<BadInputCase> Cases()
    {
        yield return BadInputCase.Result(Component, "zero-length sequence", () =>
        {
            var output = Pad(Ints([[]]));
            CollectionAssert.AreEqual(new[] { 0, 0, 0 }, Column<int[]>(output, "Padded")[0]);
            Assert.AreEqual(0, Column<int>(output, "Length")[0]);
        });
        yield return BadInputCase.Result(Component, "sequence longer than the length", () =>
            CollectionAssert.AreEqual(new[] { 3, 4, 5 }, Column<int[]>(Pad(Ints([1, 2, 3, 4, 5])), "Padded")[0]));
        yield return BadInputCase.Result(Component, "NaN and infinities", () =>
            CollectionAssert.AreEqual(new[] { float.NaN, float.PositiveInfinity, 0f }, Column<float[]>(Pad(Floats([float.NaN, float.PositiveInfinity])), "Padded")[0]));
        yield return BadInputCase.Result(Component, "empty IDataView", () =>
            Assert.AreEqual(0, Column<int[]>(Pad(Ints()), "Padded").Length));
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "wrong column name", () =>
            new MLContext().Transforms.PadSequence("Padded", 3, "Tokens").Fit(Ints([1])), "'Tokens'");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "wrong column type", () =>
            new MLContext().Transforms.PadSequence("Padded", 3, "Text").Fit(Load(Reviews)), "'Text'");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "absurd hyper-parameter: length 0", () =>
            new MLContext().Transforms.PadSequence("Padded", 0, "Values"), "Length");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "absurd hyper-parameter: NaN pad value", () =>
            new MLContext().Transforms.PadSequence("Padded", 3, "Values", padValue: double.NaN), "PadValue");
    }
}

/// <summary>NormalizeSequence: non-finite, empty, ragged or mistyped sequences and impossible settings.</summary>
internal static class NormalizeSequenceBadInputs
{
    private const string Component = "NormalizeSequence";

    private static NormalizeSequenceTransformer Fit(IDataView data, int featureCount = 1)
        => new MLContext().Transforms.NormalizeSequence("Normalized", "Values", featureCount: featureCount).Fit(data);

    public static IEnumerable<BadInputCase> Cases()
    {
        yield return BadInputCase.Error<InvalidOperationException>(Component, "NaN at fit", () =>
            Fit(Floats([1f, 2f], [float.NaN])), "'Values'", "NaN");
        yield return BadInputCase.Error<InvalidOperationException>(Component, "infinity at transform", () =>
            Column<float[]>(Fit(Floats([1f, 2f])).Transform(Floats([float.PositiveInfinity])), "Normalized"), "'Values'");
        yield return BadInputCase.Error<InvalidOperationException>(Component, "empty IDataView", () =>
            Fit(Floats()), "'Values'", "no values");
        yield return BadInputCase.Result(Component, "zero-length sequence at transform", () =>
            Assert.AreEqual(0, Column<float[]>(Fit(Floats([1f, 2f])).Transform(Floats([[]])), "Normalized")[0].Length));
        yield return BadInputCase.Result(Component, "single row of one constant value", () =>
            CollectionAssert.AreEqual(new[] { 0f }, Column<float[]>(Fit(Floats([5f])).Transform(Floats([5f])), "Normalized")[0]));
        yield return BadInputCase.Error<InvalidOperationException>(Component, "vector size not a multiple of the feature count", () =>
            Fit(Floats([1f, 2f, 3f]), featureCount: 2), "'Values'", "FeatureCount");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "wrong column name", () =>
            new MLContext().Transforms.NormalizeSequence("Normalized", "Series").Fit(Floats([1f])), "'Series'");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "wrong column type", () =>
            new MLContext().Transforms.NormalizeSequence("Normalized", "Values").Fit(Ints([1])), "'Values'");
        yield return BadInputCase.Error<ArgumentOutOfRangeException>(Component, "absurd hyper-parameter: feature count 0", () =>
            new MLContext().Transforms.NormalizeSequence("Normalized", "Values", featureCount: 0), "FeatureCount");
    }
}
