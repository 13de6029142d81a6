using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Tests.Modules;

[TestClass]
[DoNotParallelize] // constructs modules, draws inputs and runs train-mode dropout from LibTorch's process-wide generator, which trainings beside it seed under a lock
public sealed class RecurrentEncoderEmbeddingTests
{
    [TestInitialize]
    public void Initialize() => TorchRuntime.EnsureInitialized();

    private static float[,] Matrix(int rows, int columns)
    {
        var matrix = new float[rows, columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                matrix[r, c] = 1 + r + 0.1f * c;
        return matrix;
    }

    private static void TrainOneStep(RecurrentEncoder encoder)
    {
        using var scope = NewDisposeScope();
        encoder.train();
        var trainable = encoder.parameters().Where(p => p.requires_grad).ToList();
        using var optimizer = optim.SGD(trainable, 0.5);
        var ids = tensor(new long[,] { { 1, 2, 3, 0 }, { 3, 0, 0, 0 } });
        var output = encoder.call(ids, tensor(new long[] { 3, 1 }));
        optimizer.zero_grad();
        (output.Sequence.pow(2).sum() + output.Final.sum()).backward();
        optimizer.step();
    }

    [TestMethod]
    public void RandomEmbeddingsHaveAZeroPaddingRowThatStaysZeroThroughTraining()
    {
        using var scope = NewDisposeScope();
        using var encoder = new RecurrentEncoder(new RecurrentEncoderSettings { HiddenSize = 3, VocabularySize = 6, EmbeddingSize = 4 });
        var weight = encoder.EmbeddingLayer!.weight!;
        Assert.IsTrue(weight.requires_grad);
        TensorAssert.AreExactlyZero(weight[0].detach(), "padding row at creation");
        var before = weight.detach().clone();

        TrainOneStep(encoder);

        TensorAssert.AreExactlyZero(weight[0].detach(), "padding row after a step");
        Assert.IsTrue((weight[1].detach() - before[1]).abs().max().item<float>() > 0, "a used token's row is trained");
        TensorAssert.AreClose(before[5], weight[5].detach(), 0, "an unused token's row is untouched");
    }

    [TestMethod]
    public void PretrainedMatrixIsCopiedWithAZeroPaddingRow()
    {
        using var scope = NewDisposeScope();
        var matrix = Matrix(5, 3);
        using var encoder = new RecurrentEncoder(new RecurrentEncoderSettings { HiddenSize = 2, EmbeddingMatrix = matrix });
        Assert.AreEqual(5L, encoder.VocabularySize);
        Assert.AreEqual(3L, encoder.InputSize);
        var weight = encoder.EmbeddingLayer!.weight!.detach();
        TensorAssert.AreExactlyZero(weight[0], "padding row");
        TensorAssert.AreClose(tensor(matrix)[TensorIndex.Slice(1, 5)], weight[TensorIndex.Slice(1, 5)], 0, "copied rows");
        Assert.AreEqual(1f, matrix[0, 0], "the caller's matrix is not modified");
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void FrozenEmbeddingsReceiveNoGradientAndNoUpdate(bool pretrained)
    {
        using var scope = NewDisposeScope();
        var settings = new RecurrentEncoderSettings { HiddenSize = 3, FreezeEmbeddings = true };
        settings = pretrained ? settings with { EmbeddingMatrix = Matrix(4, 2) } : settings with { VocabularySize = 4, EmbeddingSize = 2 };
        using var encoder = new RecurrentEncoder(settings);
        var weight = encoder.EmbeddingLayer!.weight!;
        Assert.IsFalse(weight.requires_grad);
        var before = weight.detach().clone();
        var recurrentBefore = encoder.ForwardLayer(0).parameters().First().detach().clone();

        TrainOneStep(encoder);

        Assert.IsNull(weight.grad, "a frozen embedding accumulates no gradient");
        TensorAssert.AreClose(before, weight.detach(), 0, "frozen embedding");
        Assert.IsTrue((encoder.ForwardLayer(0).parameters().First().detach() - recurrentBefore).abs().max().item<float>() > 0,
            "the recurrent layer still trains");
    }

    [TestMethod]
    public void EmbeddingDropoutActsInTrainingModeOnly()
    {
        using var scope = NewDisposeScope();
        using var encoder = new RecurrentEncoder(new RecurrentEncoderSettings
        {
            HiddenSize = 3, VocabularySize = 20, EmbeddingSize = 8, EmbeddingDropout = 0.5,
        });
        var ids = randint(1, 20, [4, 6], dtype: ScalarType.Int64);
        var lengths = tensor(new long[] { 6, 6, 6, 6 });
        encoder.eval();
        var a = encoder.call(ids, lengths).Final;
        var b = encoder.call(ids, lengths).Final;
        TensorAssert.AreClose(a, b, 0, "eval mode is deterministic");
        encoder.train();
        using var noGrad = no_grad();
        var c = encoder.call(ids, lengths).Final;
        Assert.IsTrue((c - a).abs().max().item<float>() > 0, "training mode drops embedded inputs");
    }
}
