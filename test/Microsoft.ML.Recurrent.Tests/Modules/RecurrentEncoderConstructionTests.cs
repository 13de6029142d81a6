using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Tests.Modules;

[TestClass]
[DoNotParallelize] // constructs modules, draws inputs and runs train-mode dropout from LibTorch's process-wide generator, which trainings beside it seed under a lock
public sealed class RecurrentEncoderConstructionTests
{
    [TestInitialize]
    public void Initialize() => TorchRuntime.EnsureInitialized();

    [TestMethod]
    public void DefaultsAreDocumentedValues()
    {
        var settings = new RecurrentEncoderSettings();
        Assert.AreEqual(RecurrentCellType.Lstm, settings.CellType);
        Assert.AreEqual(128, settings.HiddenSize);
        Assert.AreEqual(1, settings.Layers);
        Assert.IsFalse(settings.Bidirectional);
        Assert.AreEqual(0.0, settings.Dropout);
        Assert.AreEqual(0.0, settings.EmbeddingDropout);
        Assert.IsFalse(settings.FreezeEmbeddings);
        using var encoder = new RecurrentEncoder(settings with { VocabularySize = 5 });
        Assert.AreEqual(100L, encoder.InputSize, "default embedding size");
        Assert.AreEqual(0L, RecurrentEncoder.PaddingId);
    }

    [TestMethod]
    public void ForgetGateBiasesSumToOneAndOtherGatesKeepTheirDefaults()
    {
        const int hidden = 5;
        using var encoder = new RecurrentEncoder(new RecurrentEncoderSettings { HiddenSize = hidden, InputSize = 2, Layers = 2, Bidirectional = true });
        foreach (var direction in new[] { encoder.ForwardLayer(0), encoder.BackwardLayer(0), encoder.ForwardLayer(1), encoder.BackwardLayer(1) })
        {
            var p = direction.Inner.named_parameters().ToDictionary(n => n.name, n => n.parameter);
            var input = TensorAssert.Values(p["bias_ih_l0"].detach());
            var recurrent = TensorAssert.Values(p["bias_hh_l0"].detach());
            Assert.HasCount(4 * hidden, input);
            for (int k = hidden; k < 2 * hidden; k++)
            {
                Assert.AreEqual(1f, input[k], "bias_ih forget slice");
                Assert.AreEqual(0f, recurrent[k], "bias_hh forget slice");
            }
            Assert.IsTrue(input.Take(hidden).Any(v => v != 1f), "the input-gate bias keeps its random default");
            Assert.IsTrue(input.Take(hidden).All(v => Math.Abs(v) <= 1 / Math.Sqrt(hidden)), "defaults are uniform in ±1/sqrt(hidden)");
        }
    }

    [TestMethod]
    public void ParametersAreRegisteredPerLayerAndDirection()
    {
        using var encoder = new RecurrentEncoder(new RecurrentEncoderSettings
        {
            CellType = RecurrentCellType.Gru, HiddenSize = 3, InputSize = 2, Layers = 2, Bidirectional = true,
        });
        var names = encoder.named_parameters().Select(n => n.name).ToList();
        Assert.HasCount(4 * 4, names, string.Join(", ", names));
        CollectionAssert.Contains(names, "forward_layers.1.rnn.weight_ih_l0");
        CollectionAssert.Contains(names, "backward_layers.0.rnn.bias_hh_l0");
        var secondLayer = encoder.ForwardLayer(1).Inner.named_parameters().ToDictionary(n => n.name, n => n.parameter);
        CollectionAssert.AreEqual(new long[] { 3 * 3, 3 * 2 }, secondLayer["weight_ih_l0"].shape, "layer 2 reads [forward ; backward]");
    }

    [TestMethod]
    public void TheSameSeedGivesIdenticalParameters()
    {
        var settings = new RecurrentEncoderSettings { HiddenSize = 4, VocabularySize = 7, EmbeddingSize = 3, Layers = 2, Bidirectional = true };
        torch.manual_seed(123);
        using var first = new RecurrentEncoder(settings);
        torch.manual_seed(123);
        using var second = new RecurrentEncoder(settings);
        var a = first.named_parameters().ToList();
        var b = second.named_parameters().ToList();
        Assert.HasCount(a.Count, b);
        for (int k = 0; k < a.Count; k++)
        {
            Assert.AreEqual(a[k].name, b[k].name);
            CollectionAssert.AreEqual(TensorAssert.Values(a[k].parameter.detach()), TensorAssert.Values(b[k].parameter.detach()), a[k].name);
        }
    }

    [TestMethod]
    public void InvalidSettingsNameTheOffendingParameter()
    {
        void Expect(string parameter, RecurrentEncoderSettings settings)
        {
            var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new RecurrentEncoder(settings).Dispose());
            Assert.AreEqual(parameter, error.ParamName, error.Message);
        }
        var valid = new RecurrentEncoderSettings { HiddenSize = 2, InputSize = 2 };
        Expect("HiddenSize", valid with { HiddenSize = 0 });
        Expect("Layers", valid with { Layers = 0 });
        Expect("Dropout", valid with { Dropout = 1.0 });
        Expect("Dropout", valid with { Dropout = -0.1 });
        Expect("Dropout", valid with { Dropout = double.NaN });
        Expect("EmbeddingDropout", valid with { EmbeddingDropout = 1.5 });
        Expect("InputSize", valid with { InputSize = 0 });
        Expect("VocabularySize", valid with { VocabularySize = 1 });
        Expect("VocabularySize", valid with { VocabularySize = -3 });
        Expect("VocabularySize", valid with { VocabularySize = 5, EmbeddingMatrix = new float[4, 2] });
        Expect("VocabularySize", valid with { EmbeddingMatrix = new float[1, 2] });
        Expect("EmbeddingSize", valid with { EmbeddingSize = 3, EmbeddingMatrix = new float[4, 2] });
        Expect("EmbeddingSize", valid with { VocabularySize = 4, EmbeddingSize = 0 });
        Expect("CellType", valid with { CellType = (RecurrentCellType)42 });
    }

    [TestMethod]
    public void ForwardRejectsBadInputsWithClearMessages()
    {
        using var scope = NewDisposeScope();
        using var features = new RecurrentEncoder(new RecurrentEncoderSettings { HiddenSize = 2, InputSize = 3 });
        using var tokens = new RecurrentEncoder(new RecurrentEncoderSettings { HiddenSize = 2, VocabularySize = 5, EmbeddingSize = 2 });
        var x = randn(2, 4, 3);
        var ids = tensor(new long[,] { { 1, 2, 0 }, { 4, 0, 0 } });

        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => features.call(x, tensor(new long[] { 0, 2 }))).Message, "1..4");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => features.call(x, tensor(new long[] { 5, 2 }))).Message, "1..4");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => features.call(x, tensor(new long[] { 2 }))).Message, "one entry per sequence");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => features.call(x, tensor(new long[,] { { 2, 2 } }))).Message, "one-dimensional");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => features.call(randn(2, 4), tensor(new long[] { 2, 2 }))).Message, "[batch, time, features]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => features.call(randn(2, 4, 5), tensor(new long[] { 2, 2 }))).Message, "3 features");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => features.call(ids, tensor(new long[] { 2, 2 }))).Message, "[batch, time, features]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => tokens.call(x, tensor(new long[] { 2, 2 }))).Message, "[batch, time]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => tokens.call(ids.to_type(ScalarType.Float32), tensor(new long[] { 2, 1 }))).Message, "int64");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => tokens.call(ids + 1, tensor(new long[] { 2, 1 }))).Message, "0..4");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => tokens.call(ids - 1, tensor(new long[] { 2, 1 }))).Message, "0..4");
    }

    [TestMethod]
    [DataRow(RecurrentCellType.Lstm, false, 1)]
    [DataRow(RecurrentCellType.Gru, true, 3)]
    [DataRow(RecurrentCellType.RnnRelu, true, 2)]
    public void OutputShapesFollowHiddenSizeAndDirections(RecurrentCellType cell, bool bidirectional, int layers)
    {
        using var scope = NewDisposeScope();
        using var encoder = new RecurrentEncoder(new RecurrentEncoderSettings
        {
            CellType = cell, HiddenSize = 6, Layers = layers, Bidirectional = bidirectional, VocabularySize = 9, EmbeddingSize = 4,
        });
        var output = encoder.call(randint(0, 9, [5, 7], dtype: ScalarType.Int64), tensor(new long[] { 7, 1, 3, 7, 2 }));
        long width = 6 * (bidirectional ? 2 : 1);
        Assert.AreEqual(width, encoder.OutputSize);
        Assert.AreEqual(bidirectional ? 2 : 1, encoder.DirectionCount);
        CollectionAssert.AreEqual(new[] { 5L, 7, width }, output.Sequence.shape);
        CollectionAssert.AreEqual(new[] { 5L, width }, output.Final.shape);
        Assert.AreEqual(ScalarType.Float32, output.Final.dtype);
    }
}
