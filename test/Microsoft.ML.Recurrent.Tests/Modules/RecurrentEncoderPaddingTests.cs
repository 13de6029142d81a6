using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Tests.Modules;

[TestClass]
[DoNotParallelize] // constructs modules, draws inputs and runs train-mode dropout from LibTorch's process-wide generator, which trainings beside it seed under a lock
public sealed class RecurrentEncoderPaddingTests
{
    private const long Features = 3;
    private const int Hidden = 4;
    private const double Tolerance = 1e-5;

    [TestInitialize]
    public void Initialize() => TorchRuntime.EnsureInitialized();

    public static IEnumerable<object[]> Configurations()
    {
        foreach (var cell in Enum.GetValues<RecurrentCellType>())
            foreach (bool bidirectional in new[] { false, true })
                foreach (int layers in new[] { 1, 2 })
                    yield return [cell, bidirectional, layers];
    }

    [TestMethod]
    [DynamicData(nameof(Configurations))]
    public void PaddedSequencesEncodeExactlyLikeTheSameSequencesAlone(RecurrentCellType cell, bool bidirectional, int layers)
    {
        using var scope = NewDisposeScope();
        // Dropout is set to check that eval mode disables it; the comparison would fail otherwise.
        using var encoder = new RecurrentEncoder(new RecurrentEncoderSettings
        {
            CellType = cell, HiddenSize = Hidden, Layers = layers, Bidirectional = bidirectional, InputSize = (int)Features, Dropout = 0.5,
        });
        encoder.eval();
        long[] lengths = [3, 6, 1];
        const long width = 6;
        // Padding is filled with large non-zero values: any leak into valid positions would show.
        var batch = randn(lengths.Length, width, Features) * 5;

        var output = encoder.call(batch, tensor(lengths));
        long outputSize = Hidden * (bidirectional ? 2 : 1);
        CollectionAssert.AreEqual(new[] { lengths.Length, width, outputSize }, output.Sequence.shape);
        CollectionAssert.AreEqual(new[] { lengths.Length, outputSize }, output.Final.shape);

        for (int b = 0; b < lengths.Length; b++)
        {
            long length = lengths[b];
            var alone = batch[TensorIndex.Slice(b, b + 1), TensorIndex.Slice(0, length)];
            var reference = encoder.call(alone, tensor(new[] { length }));
            string where = $"{cell}, bidirectional={bidirectional}, layers={layers}, sequence {b} (length {length})";
            TensorAssert.AreClose(reference.Final[0], output.Final[b], Tolerance, $"{where}: final");
            TensorAssert.AreClose(reference.Sequence[0], output.Sequence[b, TensorIndex.Slice(0, length)], Tolerance, $"{where}: sequence");
            TensorAssert.AreExactlyZero(output.Sequence[b, TensorIndex.Slice(length, width)], $"{where}: padded positions");
        }
    }

    [TestMethod]
    public void WideningThePaddingChangesNothing()
    {
        using var scope = NewDisposeScope();
        using var encoder = new RecurrentEncoder(new RecurrentEncoderSettings
        {
            CellType = RecurrentCellType.Gru, HiddenSize = Hidden, Layers = 2, Bidirectional = true, VocabularySize = 10, EmbeddingSize = 5,
        });
        encoder.eval();
        var narrow = tensor(new long[,] { { 3, 4, 5, 0 }, { 1, 2, 0, 0 } });
        var wide = tensor(new long[,] { { 3, 4, 5, 0, 7, 7, 7 }, { 1, 2, 9, 9, 9, 9, 9 } });
        var lengths = tensor(new long[] { 3, 2 });
        var a = encoder.call(narrow, lengths);
        var b = encoder.call(wide, lengths);
        TensorAssert.AreClose(a.Final, b.Final, Tolerance, "final");
        TensorAssert.AreClose(a.Sequence, b.Sequence[TensorIndex.Colon, TensorIndex.Slice(0, 4)], Tolerance, "sequence");
        TensorAssert.AreExactlyZero(b.Sequence[TensorIndex.Colon, TensorIndex.Slice(4, 7)], "padded positions");
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void BackwardFinalStateEqualsTheBackwardModuleRunOnTheFlippedSequence(int layers)
    {
        using var scope = NewDisposeScope();
        using var encoder = new RecurrentEncoder(new RecurrentEncoderSettings
        {
            CellType = RecurrentCellType.Lstm, HiddenSize = Hidden, Layers = layers, Bidirectional = true, InputSize = (int)Features,
        });
        encoder.eval();
        long[] lengths = [2, 5];
        var batch = randn(2, 5, Features);
        var output = encoder.call(batch, tensor(lengths));

        for (int b = 0; b < lengths.Length; b++)
        {
            // Independent recomputation, layer by layer: torch.flip on the unpadded sequence, no masks or gathers.
            var x = batch[TensorIndex.Slice(b, b + 1), TensorIndex.Slice(0, lengths[b])];
            Tensor forward = x, backward = x;
            for (int layer = 0; layer < layers; layer++)
            {
                forward = encoder.ForwardLayer(layer).call(x);
                backward = encoder.BackwardLayer(layer).call(x.flip(1)).flip(1);
                x = cat([forward, backward], 2);
            }
            var expectedFinal = cat([forward[0, -1], backward[0, 0]], 0);
            TensorAssert.AreClose(expectedFinal, output.Final[b], Tolerance, $"sequence {b}: final");
            TensorAssert.AreClose(x[0], output.Sequence[b, TensorIndex.Slice(0, lengths[b])], Tolerance, $"sequence {b}: sequence");
        }
    }

    [TestMethod]
    public void LstmDirectionMatchesAHandWrittenLstmCell()
    {
        using var scope = NewDisposeScope();
        using var encoder = new RecurrentEncoder(new RecurrentEncoderSettings { HiddenSize = Hidden, InputSize = (int)Features });
        encoder.eval();
        var x = randn(1, 4, Features);
        var output = encoder.call(x, tensor(new long[] { 4 }));

        var p = encoder.ForwardLayer(0).Inner.named_parameters().ToDictionary(n => n.name, n => n.parameter);
        var h = zeros(1, Hidden);
        var c = zeros(1, Hidden);
        using (no_grad())
        {
            for (int t = 0; t < 4; t++)
            {
                var gates = x[TensorIndex.Colon, t].matmul(p["weight_ih_l0"].t()) + p["bias_ih_l0"]
                    + h.matmul(p["weight_hh_l0"].t()) + p["bias_hh_l0"];
                var chunks = gates.chunk(4, 1);
                var (i, f, g, o) = (chunks[0].sigmoid(), chunks[1].sigmoid(), chunks[2].tanh(), chunks[3].sigmoid());
                c = f * c + i * g;
                h = o * c.tanh();
                TensorAssert.AreClose(h[0], output.Sequence[0, t], Tolerance, $"step {t}");
            }
        }
        TensorAssert.AreClose(h[0], output.Final[0], Tolerance, "final");
    }
}
