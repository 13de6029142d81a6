using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Runtime;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Tests.Modules;

[TestClass]
public sealed class SequenceMasksTests
{
    [TestInitialize]
    public void Initialize() => TorchRuntime.EnsureInitialized();

    [TestMethod]
    public void MaskIsTrueExactlyBeforeEachLength()
    {
        using var scope = NewDisposeScope();
        var mask = SequenceMasks.FromLengths(tensor(new long[] { 1, 3, 2 }), 3);
        CollectionAssert.AreEqual(new long[] { 3, 3 }, mask.shape);
        CollectionAssert.AreEqual(
            new[] { true, false, false, true, true, true, true, true, false },
            mask.data<bool>().ToArray());
    }

    [TestMethod]
    public void ReverseIndexReversesWithinLengthAndKeepsPaddingInPlace()
    {
        using var scope = NewDisposeScope();
        var index = SequenceMasks.ReverseIndex(tensor(new long[] { 3, 1, 5 }), 5);
        CollectionAssert.AreEqual(
            new long[] { 2, 1, 0, 3, 4, /**/ 0, 1, 2, 3, 4, /**/ 4, 3, 2, 1, 0 },
            index.data<long>().ToArray());
    }

    [TestMethod]
    public void ReverseWithinLengthMatchesAManualReversalAndIsItsOwnInverse()
    {
        using var scope = NewDisposeScope();
        var sequence = arange(2 * 4 * 2, dtype: ScalarType.Float32).view(2, 4, 2);
        var lengths = tensor(new long[] { 2, 4 });
        var reversed = SequenceMasks.ReverseWithinLength(sequence, lengths);

        var expected = sequence.clone();
        expected[0, TensorIndex.Slice(0, 2)] = sequence[0, TensorIndex.Slice(0, 2)].flip(0);
        expected[1] = sequence[1].flip(0);
        TensorAssert.AreClose(expected, reversed, 0, "reversed");
        TensorAssert.AreClose(sequence, SequenceMasks.ReverseWithinLength(reversed, lengths), 0, "reversed twice");
    }

    [TestMethod]
    public void LastValidPicksTheStepBeforeEachLength()
    {
        using var scope = NewDisposeScope();
        var sequence = arange(3 * 4 * 2, dtype: ScalarType.Float32).view(3, 4, 2);
        var last = SequenceMasks.LastValid(sequence, tensor(new long[] { 1, 4, 2 }));
        CollectionAssert.AreEqual(new float[] { 0, 1, 14, 15, 18, 19 }, TensorAssert.Values(last));
    }

    [TestMethod]
    public void ValidateRejectsLengthsOutsideTheBatchWidthAndWrongShapes()
    {
        using var scope = NewDisposeScope();
        var tooLong = Assert.ThrowsExactly<ArgumentException>(() => SequenceMasks.Validate(tensor(new long[] { 2, 5 }), 2, 4, "lengths"));
        StringAssert.Contains(tooLong.Message, "1..4");
        Assert.ThrowsExactly<ArgumentException>(() => SequenceMasks.Validate(tensor(new long[] { 0, 2 }), 2, 4, "lengths"));
        Assert.ThrowsExactly<ArgumentException>(() => SequenceMasks.Validate(tensor(new long[] { 2, 2, 2 }), 2, 4, "lengths"));
        Assert.ThrowsExactly<ArgumentException>(() => SequenceMasks.Validate(tensor(new float[] { 2, 2 }), 2, 4, "lengths"));
        SequenceMasks.Validate(tensor(new long[] { 1, 4 }), 2, 4, "lengths");
    }
}
