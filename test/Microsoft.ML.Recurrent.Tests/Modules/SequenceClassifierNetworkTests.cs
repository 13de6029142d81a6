using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Tests.Modules;

[TestClass]
[DoNotParallelize] // constructs modules, draws inputs and runs train-mode dropout from LibTorch's process-wide generator, which trainings beside it seed under a lock
public sealed class SequenceClassifierNetworkTests
{
    [TestInitialize]
    public void Initialize() => TorchRuntime.EnsureInitialized();

    [TestMethod]
    [DataRow(1, false)]
    [DataRow(3, true)]
    public void OutputsOneRowOfLogitsPerSequence(int outputSize, bool bidirectional)
    {
        using var scope = NewDisposeScope();
        using var network = new SequenceClassifierNetwork(
            new RecurrentEncoderSettings { HiddenSize = 4, VocabularySize = 10, EmbeddingSize = 3, Bidirectional = bidirectional }, outputSize, dropout: 0.2);
        network.eval();
        var logits = network.call(tensor(new long[,] { { 1, 2, 3 }, { 4, 0, 0 } }), tensor(new long[] { 3, 1 }));
        CollectionAssert.AreEqual(new long[] { 2, outputSize }, logits.shape);
        Assert.AreEqual(4L * (bidirectional ? 2 : 1), network.Encoder.OutputSize);

        var alone = network.call(tensor(new long[,] { { 4 } }), tensor(new long[] { 1 }));
        TensorAssert.AreClose(alone[0], logits[1], 1e-5, "logits do not depend on padding");
    }

    [TestMethod]
    public void LearnsToSeparateTwoTinyClasses()
    {
        using var scope = NewDisposeScope();
        using var network = new SequenceClassifierNetwork(
            new RecurrentEncoderSettings { CellType = RecurrentCellType.Gru, HiddenSize = 8, VocabularySize = 4, EmbeddingSize = 4 }, outputSize: 1);
        // Class 1 iff the sequence contains token 3; lengths vary so the padding must be ignored.
        var ids = tensor(new long[,] { { 1, 2, 1, 0 }, { 1, 3, 0, 0 }, { 2, 2, 2, 2 }, { 3, 0, 0, 0 }, { 2, 1, 0, 0 }, { 2, 1, 3, 1 } });
        var lengths = tensor(new long[] { 3, 2, 4, 1, 2, 4 });
        var labels = tensor(new float[] { 0, 1, 0, 1, 0, 1 }).unsqueeze(1);
        using var optimizer = optim.Adam(network.parameters(), 0.05);
        var loss = nn.BCEWithLogitsLoss();
        float first = 0, last = 0;
        network.train();
        for (int step = 0; step < 60; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var value = loss.call(network.call(ids, lengths), labels);
            value.backward();
            optimizer.step();
            last = value.item<float>();
            if (step == 0)
                first = last;
        }
        Assert.IsTrue(last < first * 0.2, $"loss fell from {first} to {last}");
        network.eval();
        using var noGrad = no_grad();
        var predictions = network.call(ids, lengths).gt(0).to_type(ScalarType.Float32);
        TensorAssert.AreClose(labels, predictions, 0, "predictions");
    }

    [TestMethod]
    public void InvalidHeadSettingsNameTheParameter()
    {
        var settings = new RecurrentEncoderSettings { HiddenSize = 2, InputSize = 2 };
        Assert.AreEqual("outputSize", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SequenceClassifierNetwork(settings, 0)).ParamName);
        Assert.AreEqual("dropout", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SequenceClassifierNetwork(settings, 1, 1.0)).ParamName);
    }
}
