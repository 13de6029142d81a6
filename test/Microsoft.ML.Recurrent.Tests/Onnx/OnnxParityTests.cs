using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Microsoft.ML.Recurrent.Tests.Onnx;

/// <summary>
/// ONNX Runtime on the exported graph against the TorchSharp transformer's own per-row prediction, for random
/// weights and inputs: every cell type, stacked, bidirectional, a batch of different lengths with padding on both
/// sides, ids outside the vocabulary and an all-padding row.
/// </summary>
[TestClass]
public sealed class OnnxParityTests
{
    private const double Tolerance = 1e-5;

    [TestInitialize]
    public void Initialize() => TorchRuntime.EnsureInitialized();

    [TestMethod]
    [DataRow(RecurrentCellType.Lstm, 2, true)]
    [DataRow(RecurrentCellType.Gru, 2, true)]
    [DataRow(RecurrentCellType.RnnTanh, 2, true)]
    [DataRow(RecurrentCellType.RnnRelu, 2, true)]
    [DataRow(RecurrentCellType.Lstm, 1, false)]
    [DataRow(RecurrentCellType.Gru, 3, false)]
    public void RawOutputsMatchTorchSharp(RecurrentCellType cell, int layers, bool bidirectional)
    {
        // Regression with three outputs: the graph's output is the head's logits, so the encoder is compared directly.
        var settings = Settings(SequencePredictionKind.Regression, cell, layers, bidirectional, outputSize: 3);
        var model = Build(settings, ensemble: 1, seed: 10 + (int)cell * 7 + layers);
        AssertParity(model, RandomRows(seed: layers + (int)cell, vocabulary: settings.VocabularySize));
    }

    [TestMethod]
    [DataRow(SequencePredictionKind.BinaryClassification, 1)]
    [DataRow(SequencePredictionKind.MulticlassClassification, 4)]
    public void EnsembleAveragesMatchTorchSharp(SequencePredictionKind kind, int outputSize)
    {
        var settings = Settings(kind, RecurrentCellType.Lstm, 1, true, outputSize);
        var model = Build(settings, ensemble: 3, seed: 5);
        AssertParity(model, RandomRows(seed: 9, vocabulary: settings.VocabularySize));
    }

    [TestMethod]
    public void FloatFeatureModelsMatchTorchSharp()
    {
        var settings = Settings(SequencePredictionKind.Regression, RecurrentCellType.Gru, 2, true, outputSize: 2) with
        {
            FeatureSize = 3, VocabularySize = 0, EmbeddingSize = 0,
        };
        var model = Build(settings, ensemble: 1, seed: 3);
        var random = new Random(4);
        int[] steps = [5, 1, 3, 0];
        const int time = 6;
        var features = new float[steps.Length * time * 3];
        for (int r = 0; r < steps.Length; r++)
            for (int i = 0; i < steps[r] * 3; i++)
                features[r * time * 3 + i] = (float)(random.NextDouble() * 4 - 2);
        using var session = new InferenceSession(ExportBytes(model));
        var output = Run(session, [
            NamedOnnxValue.CreateFromTensor("features", new DenseTensor<float>(features, [steps.Length, time, 3])),
            NamedOnnxValue.CreateFromTensor("lengths", new DenseTensor<int>(steps.Select(s => s * 3).ToArray(), [steps.Length])),
        ]);
        for (int r = 0; r < steps.Length; r++)
        {
            var expected = model.Predict([], features.AsSpan(r * time * 3, steps[r] * 3));
            AssertClose(expected, output.AsSpan(r * expected.Length, expected.Length), $"row {r}");
        }
    }

    internal static SequenceModelSettings Settings(SequencePredictionKind kind, RecurrentCellType cell, int layers, bool bidirectional, int outputSize) => new()
    {
        Kind = kind,
        FeatureColumnName = "Tokens",
        CellType = cell,
        HiddenSize = 5,
        Layers = layers,
        Bidirectional = bidirectional,
        VocabularySize = 12,
        EmbeddingSize = 4,
        OutputSize = outputSize,
    };

    internal static RecurrentSequenceTransformer Build(SequenceModelSettings settings, int ensemble, int seed)
    {
        var networks = TorchSeeding.Create(seed, () => Enumerable.Range(0, ensemble).Select(_ => (torch.nn.Module)settings.BuildNetwork()).ToList());
        return new RecurrentSequenceTransformer(new MLContext(seed: 1), settings, new(networks));
    }

    internal static byte[] ExportBytes(RecurrentSequenceTransformer model, RecurrentOnnxExportOptions? options = null)
    {
        using var stream = new MemoryStream();
        RecurrentOnnxExporter.Export(model, stream, options);
        return stream.ToArray();
    }

    /// <summary>Rows of different lengths: right padding, left padding, out-of-vocabulary ids, all padding, empty.</summary>
    internal static int[][] RandomRows(int seed, int vocabulary)
    {
        var random = new Random(seed);
        int[] Body(int n) => Enumerable.Range(0, n).Select(_ => random.Next(1, vocabulary)).ToArray();
        return
        [
            Body(7),
            Body(1),
            [0, 0, .. Body(3), 0],
            [.. Body(2), 0, .. Body(2)],      // interior padding stays
            [vocabulary + 5, .. Body(3), -2], // outside the vocabulary: unknown id 1
            [0, 0, 0],
            [],
        ];
    }

    internal static void AssertParity(RecurrentSequenceTransformer model, int[][] rows)
    {
        int time = rows.Max(r => r.Length);
        var ids = new int[rows.Length * time];
        for (int r = 0; r < rows.Length; r++)
            rows[r].CopyTo(ids, r * time);
        using var session = new InferenceSession(ExportBytes(model));
        var output = Run(session, [NamedOnnxValue.CreateFromTensor("tokens", new DenseTensor<int>(ids, [rows.Length, time]))]);
        int width = output.Length / rows.Length;
        for (int r = 0; r < rows.Length; r++)
        {
            // What the transformer's row reader does before Predict: drop padding ids at both ends.
            long[] tokens = rows[r].Select(v => (long)v).ToArray();
            int count = Microsoft.ML.Recurrent.Training.SequenceDataReader.TrimPadding(tokens, tokens.Length);
            var expected = model.Predict(tokens.AsSpan(0, count), []);
            Assert.AreEqual(width, expected.Length);
            AssertClose(expected, output.AsSpan(r * width, width), $"row {r} [{string.Join(' ', rows[r])}]");
        }
    }

    internal static float[] Run(InferenceSession session, IReadOnlyCollection<NamedOnnxValue> inputs)
    {
        using var results = session.Run(inputs);
        return results.Single().AsTensor<float>().ToArray();
    }

    internal static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], actual[i], Tolerance, $"{what}, output {i}: TorchSharp {expected[i]}, ONNX Runtime {actual[i]}");
    }
}
