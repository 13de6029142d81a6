using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Tests.Onnx;
using Microsoft.ML.Recurrent.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Tests.Modules;

/// <summary>Pooling over time for sequence classifiers and regressors: masks, values, training, saving and ONNX.</summary>
[TestClass]
public sealed class SequencePoolingTests
{
    [TestInitialize]
    public void Initialize() => TorchRuntime.EnsureInitialized();

    private static SequenceClassifierNetwork Network(SequencePooling pooling, bool bidirectional = true, int seed = 3)
    {
        var network = TorchSeeding.Create(seed, () => new SequenceClassifierNetwork(
            new RecurrentEncoderSettings { HiddenSize = 5, VocabularySize = 12, EmbeddingSize = 4, Bidirectional = bidirectional, Layers = 2 }, 2, pooling: pooling));
        network.eval();
        return network;
    }

    [TestMethod]
    [DataRow(SequencePooling.Last)]
    [DataRow(SequencePooling.Max)]
    [DataRow(SequencePooling.Mean)]
    [DataRow(SequencePooling.Attention)]
    public void PaddingNeverChangesAPooledResult(SequencePooling pooling)
    {
        using var scope = NewDisposeScope();
        using var network = Network(pooling);
        using var noGrad = no_grad();
        var alone = network.Pool(tensor(new long[,] { { 3, 7, 2, 9 } }), tensor(new long[] { 4 }));
        // The same sequence in a wider batch whose padded steps hold arbitrary ids: only the mask may keep them out.
        var padded = network.Pool(tensor(new long[,] { { 3, 7, 2, 9, 11, 5, 8 }, { 1, 4, 6, 2, 3, 10, 7 } }), tensor(new long[] { 4, 7 }));
        TensorAssert.AreClose(alone[0], padded[0], 1e-6, $"{pooling}: padding changed the pooled vector");
    }

    [TestMethod]
    public void PooledValuesEqualAnIndependentComputationOverTheRealSteps()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(new long[,] { { 3, 7, 2, 9, 0 }, { 5, 1, 0, 0, 0 } });
        var lengths = tensor(new long[] { 4, 2 });
        int[] real = [4, 2];
        foreach (var pooling in new[] { SequencePooling.Max, SequencePooling.Mean, SequencePooling.Attention })
        {
            using var network = Network(pooling);
            var sequence = network.Encoder.call(ids, lengths).Sequence.data<float>().ToArray(); // [2, 5, 10]
            var pooled = network.Pool(ids, lengths).data<float>().ToArray();
            int hidden = (int)network.Encoder.OutputSize;
            for (int b = 0; b < 2; b++)
            {
                var expected = new double[hidden];
                if (pooling == SequencePooling.Attention)
                {
                    // softmax over the real steps of v · tanh(W h + b), by hand.
                    var w = network.AttentionProjection!.weight!.data<float>().ToArray();
                    var bias = network.AttentionProjection!.bias!.data<float>().ToArray();
                    var v = network.AttentionContext!.weight!.data<float>().ToArray();
                    var scores = new double[real[b]];
                    for (int t = 0; t < real[b]; t++)
                        for (int i = 0; i < hidden; i++)
                        {
                            double z = bias[i];
                            for (int j = 0; j < hidden; j++)
                                z += w[i * hidden + j] * sequence[(b * 5 + t) * hidden + j];
                            scores[t] += v[i] * Math.Tanh(z);
                        }
                    double max = scores.Max(), total = scores.Sum(s => Math.Exp(s - max));
                    for (int t = 0; t < real[b]; t++)
                        for (int i = 0; i < hidden; i++)
                            expected[i] += Math.Exp(scores[t] - max) / total * sequence[(b * 5 + t) * hidden + i];
                }
                else
                {
                    for (int i = 0; i < hidden; i++)
                    {
                        var values = Enumerable.Range(0, real[b]).Select(t => (double)sequence[(b * 5 + t) * hidden + i]).ToArray();
                        expected[i] = pooling == SequencePooling.Max ? values.Max() : values.Average();
                    }
                }
                for (int i = 0; i < hidden; i++)
                    Assert.AreEqual(expected[i], pooled[b * hidden + i], 1e-5, $"{pooling}: row {b}, feature {i}");
            }
        }
    }

    [TestMethod]
    [DataRow(SequencePooling.Max)]
    [DataRow(SequencePooling.Mean)]
    [DataRow(SequencePooling.Attention)]
    public void EachPoolingLearnsTheOrderTaskAndSurvivesSaveAndLoad(SequencePooling pooling)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(OrderTask.Generate(600, seed: 1));
        var test = ml.Data.LoadFromEnumerable(OrderTask.Generate(200, seed: 2));
        var options = Classification.RecurrentBinaryTrainerTests.SmallOptions();
        options.Pooling = pooling;
        var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(train);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));
        Assert.IsTrue(metrics.Accuracy > 0.85, $"{pooling}: accuracy {metrics.Accuracy}");

        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "pooled.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = new MLContext().Model.Load(path, out _);
        CollectionAssert.AreEqual(model.Transform(test).GetColumn<float>("Score").ToArray(), loaded.Transform(test).GetColumn<float>("Score").ToArray());
        Assert.AreEqual(pooling, ((RecurrentSequenceTransformer)loaded).Settings.Pooling);
    }

    [TestMethod]
    [DataRow(SequencePooling.Max, true)]
    [DataRow(SequencePooling.Mean, false)]
    [DataRow(SequencePooling.Attention, true)]
    public void OnnxExportMatchesTorchSharpForEveryPooling(SequencePooling pooling, bool bidirectional)
    {
        var settings = OnnxParityTests.Settings(SequencePredictionKind.Regression, RecurrentCellType.Lstm, 2, bidirectional, outputSize: 3) with { Pooling = pooling };
        var model = OnnxParityTests.Build(settings, ensemble: 1, seed: 21);
        OnnxParityTests.AssertParity(model, OnnxParityTests.RandomRows(seed: 22, vocabulary: settings.VocabularySize));
    }
}
