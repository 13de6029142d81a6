using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Recurrent.Tests.Tagging;
using TorchSharp;

namespace Microsoft.ML.Recurrent.Tests.Onnx;

/// <summary>
/// ONNX Runtime on an exported sequence tagger against the TorchSharp transformer: per-token scores (the network's
/// emissions) within 1e-5 and identical predicted tags (in-graph Viterbi with a CRF, argmax without), for tiny models
/// trained a few steps, over a batch of sentences of different lengths with unseen words and an empty row.
/// </summary>
[TestClass]
public sealed class TaggingOnnxParityTests
{
    private const double Tolerance = 1e-5;

    /// <summary>Largest |TorchSharp − ONNX Runtime| score seen by the tests of this class (reported in the test log).</summary>
    private static double s_maxDifference;

    [TestInitialize]
    public void Initialize() => TorchRuntime.EnsureInitialized();

    [TestMethod]
    [DataRow(RecurrentCellType.Lstm, 1, true, true, 4)]
    [DataRow(RecurrentCellType.Lstm, 2, true, true, 0)]
    [DataRow(RecurrentCellType.Lstm, 1, false, true, 4)]
    [DataRow(RecurrentCellType.Gru, 2, true, false, 4)]
    [DataRow(RecurrentCellType.Gru, 1, false, false, 0)]
    [DataRow(RecurrentCellType.RnnTanh, 2, true, true, 4)]
    [DataRow(RecurrentCellType.RnnRelu, 1, false, true, 4)]
    public void ScoresAndTagsMatchTorchSharp(RecurrentCellType cell, int layers, bool crf, bool characters, int casing)
    {
        // A few epochs, so that the models predict several different tags rather than "O" everywhere.
        var model = Train(cell, layers, crf, characters, casing, seed: 3 + (int)cell + layers, epochs: 6);
        int distinct = AssertParity(model, TestSentences(), time: null);
        Assert.IsTrue(distinct > 2, $"only {distinct} different tags predicted: the comparison should cover several");
    }

    [TestMethod]
    public void FixedLengthExportWithExtraPaddingMatchesTorchSharp()
    {
        var model = Train(RecurrentCellType.Lstm, 1, crf: true, characters: true, casing: 4, seed: 11, epochs: 6);
        AssertParity(model, TestSentences(), time: 40);
    }

    [TestMethod]
    public void ScoresAndTagsMatchWithOnnxRuntimeGraphOptimizationsOff()
    {
        // The graph must be right as written, not only after ONNX Runtime's rewrites (and vice versa: an optimizer
        // rewrite of Gather over a descending Range once emptied the tags output).
        var model = Train(RecurrentCellType.Lstm, 2, crf: true, characters: true, casing: 4, seed: 8, epochs: 6);
        AssertParity(model, TestSentences(), time: null, GraphOptimizationLevel.ORT_DISABLE_ALL);
    }

    [TestMethod]
    public void BadArgumentsAreRejectedWithTheirNames()
    {
        var model = Train(RecurrentCellType.Gru, 1, crf: false, characters: false, casing: 0, seed: 4);
        using var stream = new MemoryStream();
        Assert.ThrowsExactly<ArgumentNullException>(() => RecurrentOnnxExporter.Export((SequenceTaggingTransformer)null!, stream));
        var error = Assert.ThrowsExactly<ArgumentException>(() => RecurrentOnnxExporter.Export(model, stream,
            new SequenceTaggingOnnxExportOptions { TagsOutputName = "scores" }));
        StringAssert.Contains(error.Message, "must differ");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => RecurrentOnnxExporter.Export(model, stream,
            new SequenceTaggingOnnxExportOptions { SequenceLength = 0 }));
        Assert.ThrowsExactly<ArgumentException>(() => RecurrentOnnxExporter.FindTaggingModel(new TransformerChain<ITransformer>()));
        Assert.AreSame(model, RecurrentOnnxExporter.FindTaggingModel(new TransformerChain<ITransformer>(model)));
    }

    [TestMethod]
    public void ViterbiFollowsStrongTransitionsLikeTorchSharp()
    {
        // Large transition scores make the best path differ from the per-token argmax, so the in-graph back-pointers
        // are exercised, not only the last tag.
        var model = Train(RecurrentCellType.Gru, 1, crf: true, characters: false, casing: 0, seed: 5);
        var crf = ((TaggerNetwork)model.Networks[0]).Crf!;
        using (torch.no_grad())
        {
            crf.Transitions.copy_(TorchSeeding.Create(7, () => torch.randn(crf.TagCount, crf.TagCount)) * 4);
            crf.EndTransitions.copy_(TorchSeeding.Create(8, () => torch.randn(crf.TagCount)) * 4);
        }
        var sentences = TestSentences();
        AssertParity(model, sentences, time: null);
        var emissions = TorchEmissions(model, sentences, sentences.Max(s => s.Length));
        var predicted = model.Predict(sentences);
        bool differs = false;
        for (int r = 0; r < sentences.Length; r++)
            for (int t = 0; t < sentences[r].Length; t++)
                differs |= model.Tags[ArgMax(emissions[r][t])] != predicted[r][t];
        Assert.IsTrue(differs, "The transitions were meant to move at least one tag away from its per-token argmax.");
    }

    [TestMethod]
    public void MetadataCarriesTheSettingsForEncodingAndDecoding()
    {
        var model = Train(RecurrentCellType.Lstm, 1, crf: false, characters: true, casing: 4, seed: 2);
        using var session = new InferenceSession(Export(model, null));
        var features = SequenceTaggingOnnxFeatures.FromMetadata(session.ModelMetadata.CustomMetadataMap);
        CollectionAssert.AreEqual(model.Tags.ToArray(), features.Tags.ToArray());
        Assert.AreEqual(model.ModelSettings.Words.Length, features.Settings.Words.Length);
        Assert.AreEqual("SequenceTagging", session.ModelMetadata.CustomMetadataMap["recurrent.kind"]);
        Assert.ThrowsExactly<ArgumentException>(() => SequenceTaggingOnnxFeatures.FromMetadata(new Dictionary<string, string>()));
        Assert.ThrowsExactly<ArgumentException>(() => features.Encode([["a", "b", "c"]], time: 2));
    }

    internal static SequenceTaggingTransformer Train(RecurrentCellType cell, int layers, bool crf, bool characters, int casing, int seed, int epochs = 1)
    {
        var ml = new MLContext(seed: 1);
        var options = TaggingTestData.SmallOptions(epochs);
        options.HiddenSize = 6;
        options.WordEmbeddingSize = 5;
        options.CharacterEmbeddingSize = 4;
        options.CharacterFilters = 3;
        options.MaxWordCharacters = 6;
        options.CasingEmbeddingSize = casing;
        options.CharacterFeatures = characters;
        options.CellType = cell;
        options.Layers = layers;
        options.UseCrf = crf;
        options.Seed = seed;
        options.LearningRate = 0.05;
        return ml.SequenceTagging().Trainers.BiLstm(options).Fit(ml.Data.LoadFromEnumerable(TaggingTestData.Generate(40, seed)));
    }

    /// <summary>Sentences of different lengths: seen words, unseen words and characters, a word longer than MaxWordCharacters, one token, none.</summary>
    internal static string[][] TestSentences() =>
    [
        .. TaggingTestData.Generate(3, seed: 99).Select(r => r.Tokens),
        ["Zyxwvutsrq", "Ünknown", "visited", "Mary", "in", "Oslo", "yesterday", "."],
        ["Paris"],
        [],
        ["the", "Globex", "office", "closed", "."],
    ];

    internal static byte[] Export(SequenceTaggingTransformer model, SequenceTaggingOnnxExportOptions? options)
    {
        using var stream = new MemoryStream();
        RecurrentOnnxExporter.Export(model, stream, options);
        return stream.ToArray();
    }

    /// <summary>Asserts parity and returns the number of different tags predicted.</summary>
    private static int AssertParity(SequenceTaggingTransformer model, string[][] sentences, int? time,
        GraphOptimizationLevel optimization = GraphOptimizationLevel.ORT_ENABLE_ALL)
    {
        int width = time ?? sentences.Max(s => s.Length);
        var encoder = new SequenceTaggingOnnxFeatures(model.ModelSettings);
        var input = encoder.Encode(sentences, width);
        using var sessionOptions = new SessionOptions { GraphOptimizationLevel = optimization };
        using var session = new InferenceSession(Export(model, new SequenceTaggingOnnxExportOptions { SequenceLength = time }), sessionOptions);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("features", new DenseTensor<int>(input, [sentences.Length, width, encoder.StepSize]))]);
        var scores = results.Single(r => r.Name == "scores").AsTensor<float>().ToArray();
        var tagIds = results.Single(r => r.Name == "tags").AsTensor<long>().ToArray();
        int tagCount = model.Tags.Count;
        Assert.AreEqual(sentences.Length * width * tagCount, scores.Length);

        var expectedScores = TorchEmissions(model, sentences, sentences.Max(s => s.Length));
        var expectedTags = model.Predict(sentences);
        var onnxTags = encoder.Decode(tagIds, width);
        double maxDifference = 0;
        for (int r = 0; r < sentences.Length; r++)
        {
            CollectionAssert.AreEqual(expectedTags[r], onnxTags[r], $"row {r} [{string.Join(' ', sentences[r])}]");
            for (int t = 0; t < width; t++)
            {
                for (int k = 0; k < tagCount; k++)
                {
                    float actual = scores[(r * width + t) * tagCount + k];
                    // Past a row's length the graph writes 0 and a tag index of −1.
                    float expected = t < sentences[r].Length ? expectedScores[r][t][k] : 0f;
                    maxDifference = Math.Max(maxDifference, Math.Abs(expected - actual));
                    Assert.AreEqual(expected, actual, Tolerance, $"row {r}, token {t}, tag {k}");
                }
                if (t >= sentences[r].Length)
                    Assert.AreEqual(-1L, tagIds[r * width + t], $"row {r}, padding step {t}");
            }
        }
        s_maxDifference = Math.Max(s_maxDifference, maxDifference);
        Console.WriteLine($"max |TorchSharp - ONNX Runtime| score difference: {maxDifference:E2} (class so far {s_maxDifference:E2}), " +
            $"largest |score| {scores.Max(Math.Abs):F2}; " +
            $"distinct predicted tags: {expectedTags.SelectMany(t => t).Distinct().Count()}");
        return expectedTags.SelectMany(t => t).Distinct().Count();
    }

    /// <summary>The TorchSharp network's emissions for the batch, as the transformer computes them before decoding.</summary>
    private static float[][][] TorchEmissions(SequenceTaggingTransformer model, string[][] sentences, int time)
    {
        var network = (TaggerNetwork)model.Networks[0];
        var encoder = new TokenFeatures.Encoder(model.ModelSettings);
        var rows = sentences.Where(s => s.Length > 0).ToArray();
        var steps = new float[rows.Length * time * encoder.StepSize];
        for (int r = 0; r < rows.Length; r++)
            encoder.Encode(rows[r], steps.AsSpan(r * time * encoder.StepSize, rows[r].Length * encoder.StepSize));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var output = network.call(torch.tensor(steps, [rows.Length, time, encoder.StepSize]),
            torch.tensor(rows.Select(s => (long)s.Length).ToArray()));
        var flat = output.data<float>().ToArray();
        int tags = (int)output.shape[2], next = 0;
        var result = new float[sentences.Length][][];
        for (int i = 0; i < sentences.Length; i++)
        {
            // Empty sentences are not in the batch (the transformer skips them too).
            int row = sentences[i].Length == 0 ? -1 : next++;
            result[i] = Enumerable.Range(0, sentences[i].Length).Select(t => flat.AsSpan((row * time + t) * tags, tags).ToArray()).ToArray();
        }
        return result;
    }

    private static int ArgMax(float[] values) => Array.IndexOf(values, values.Max());
}
