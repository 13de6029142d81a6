using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Tests.LanguageModeling;
using Microsoft.ML.Recurrent.Tests.Support;
using TorchSharp;

namespace Microsoft.ML.Recurrent.Tests.Onnx;

/// <summary>
/// The exported language-model graph on ONNX Runtime against the TorchSharp network it came from, for tiny models
/// trained a few steps on <see cref="TinyCorpus"/>: every cell type, 1 and 2 layers, tied and untied decoders.
/// </summary>
[TestClass]
public sealed class LanguageModelOnnxParityTests
{
    private const double Tolerance = 1e-5;
    private static readonly ConcurrentDictionary<(RecurrentCellType, int, bool), LanguageModelTransformer> Models = new();

    /// <summary>Largest |TorchSharp − ONNX Runtime| seen by this class, printed by the tests for the record.</summary>
    private static double _largestDifference;

    [TestInitialize]
    public void Initialize() => TorchRuntime.EnsureInitialized();

    [TestMethod]
    [DataRow(RecurrentCellType.Lstm, 1, false)]
    [DataRow(RecurrentCellType.Lstm, 2, true)]
    [DataRow(RecurrentCellType.Gru, 1, true)]
    [DataRow(RecurrentCellType.Gru, 2, false)]
    [DataRow(RecurrentCellType.RnnTanh, 2, true)]
    [DataRow(RecurrentCellType.RnnRelu, 1, false)]
    public void WholePromptFromAnyStateMatchesTorchSharp(RecurrentCellType cell, int layers, bool tied)
    {
        var model = Train(cell, layers, tied);
        var settings = model.ModelSettings;
        var random = new Random(layers * 10 + (int)cell);
        const int batch = 3, steps = 7;
        // Any id of the embedding table, padding id 0 included: the graph reads ids as the network does.
        long[] ids = Enumerable.Range(0, batch * steps).Select(_ => (long)random.Next(0, settings.VocabularySize)).ToArray();
        var state = RandomState(settings, batch, random);

        using var session = new InferenceSession(Export(model));
        var onnx = Run(session, ids, batch, state);
        var (logits, stateOut) = TorchForward(model, ids, batch, state);
        AssertClose(logits, onnx.Logits, "logits");
        AssertClose(stateOut.H, onnx.State.H, "state_h_out");
        if (cell == RecurrentCellType.Lstm)
            AssertClose(stateOut.C!, onnx.State.C!, "state_c_out");
        Console.WriteLine($"largest |TorchSharp - ONNX Runtime| so far: {_largestDifference:E2}");
    }

    [TestMethod]
    [DataRow(RecurrentCellType.Lstm, 1, false)]
    [DataRow(RecurrentCellType.Lstm, 2, true)]
    [DataRow(RecurrentCellType.Gru, 1, true)]
    [DataRow(RecurrentCellType.Gru, 2, false)]
    [DataRow(RecurrentCellType.RnnTanh, 2, true)]
    [DataRow(RecurrentCellType.RnnRelu, 1, false)]
    public void StepByStepWithStateCarryMatchesWholePromptAndTorchSharp(RecurrentCellType cell, int layers, bool tied)
    {
        var model = Train(cell, layers, tied);
        var settings = model.ModelSettings;
        var random = new Random(7 + layers);
        const int batch = 2, steps = 6;
        long[] ids = Enumerable.Range(0, batch * steps).Select(_ => (long)random.Next(1, settings.VocabularySize)).ToArray();
        var zero = ZeroState(settings, batch);
        int vocabulary = settings.VocabularySize;

        using var session = new InferenceSession(Export(model));
        var whole = Run(session, ids, batch, zero);
        var onnxState = zero;
        State? torchState = null;
        for (int t = 0; t < steps; t++)
        {
            long[] column = Enumerable.Range(0, batch).Select(b => ids[b * steps + t]).ToArray();
            var step = Run(session, column, batch, onnxState);
            onnxState = step.State;
            var (torchLogits, nextTorchState) = TorchForward(model, column, batch, torchState ?? zero);
            torchState = nextTorchState;
            for (int b = 0; b < batch; b++)
            {
                var wholeRow = whole.Logits.AsSpan((b * steps + t) * vocabulary, vocabulary);
                AssertClose(wholeRow, step.Logits.AsSpan(b * vocabulary, vocabulary), $"step {t}, row {b}: ONNX stepwise vs ONNX whole prompt");
                AssertClose(torchLogits.AsSpan(b * vocabulary, vocabulary), step.Logits.AsSpan(b * vocabulary, vocabulary), $"step {t}, row {b}: TorchSharp stepwise vs ONNX stepwise");
            }
        }
        AssertClose(whole.State.H, onnxState.H, "final hidden state, stepwise vs whole");
        AssertClose(torchState!.H, onnxState.H, "final hidden state, TorchSharp vs ONNX");
        if (cell == RecurrentCellType.Lstm)
            AssertClose(whole.State.C!, onnxState.C!, "final cell state, stepwise vs whole");
        Console.WriteLine($"largest |TorchSharp - ONNX Runtime| so far: {_largestDifference:E2}");
    }

    [TestMethod]
    [DataRow(RecurrentCellType.Lstm, 2, true)]
    [DataRow(RecurrentCellType.Gru, 2, false)]
    [DataRow(RecurrentCellType.RnnTanh, 2, true)]
    [DataRow(RecurrentCellType.RnnRelu, 1, false)]
    public void GreedyGenerationOnOnnxRuntimeEqualsTheTransformers(RecurrentCellType cell, int layers, bool tied)
    {
        var model = Train(cell, layers, tied);
        var settings = model.ModelSettings;
        const int count = 15;
        // The prompt as Generate("the cat") builds it: the end-of-sequence id, then the words without <s> and </s>.
        int end = settings.EndOfSequenceId!.Value;
        int[] prompt = [end, .. model.Encode("the cat")[1..^1]];
        var expected = model.GenerateIds(prompt, new GenerationOptions { Temperature = 0, MaximumTokens = count, StopAtEndOfSequence = false }).ToList();

        using var session = new InferenceSession(Export(model));
        var generated = OnnxGreedy(session, settings, prompt, count, stopAtEnd: false);
        CollectionAssert.AreEqual(expected, generated, $"transformer: {string.Join(' ', expected)}; ONNX: {string.Join(' ', generated)}");
    }

    [TestMethod]
    public void TheSharedTinyCorpusModelContinuesEverySubjectIdenticallyOnOnnxRuntime()
    {
        // A longer-trained model (16 units, 4 epochs): sharper logits, and generation that stops at </s>.
        var model = TinyCorpus.Model.Model;
        var settings = model.ModelSettings;
        using var session = new InferenceSession(Export(model));
        foreach (string subject in new[] { "the cat", "a dog", "the bird", "my friend", "" })
        {
            int[] prompt = [settings.EndOfSequenceId!.Value, .. model.Encode(subject)[1..^1]];
            var expected = model.GenerateIds(prompt, new GenerationOptions { Temperature = 0, MaximumTokens = 20 }).ToList();
            Assert.IsTrue(expected.Count is > 0 and < 20, $"'{subject}': a line that ends ({expected.Count} tokens)");
            CollectionAssert.AreEqual(expected, OnnxGreedy(session, settings, prompt, 20, stopAtEnd: true), $"'{subject}'");
        }
    }

    [TestMethod]
    public void TheGenerationLoopOfTheDocsGivesWhatGenerateGives()
    {
        var (ml, tokenizer, trained, data) = TinyCorpus.Model;
        using var folder = new TempFolder();
        ml.Model.Save(tokenizer.Append(trained), data.Schema, folder.File("lm.zip"));
        var mlContext = new MLContext();

        // --- the snippets of docs/onnx.md, "Language models", with temporary file paths ---
        var lm = RecurrentOnnxExporter.FindLanguageModel(mlContext.Model.Load(folder.File("lm.zip"), out _));
        RecurrentOnnxExporter.Export(lm, folder.File("lm.onnx"));

        var settings = lm.ModelSettings;
        using var session = new InferenceSession(folder.File("lm.onnx"));
        int[] stateShape = [settings.Layers, 1, settings.HiddenSize];
        var h = new DenseTensor<float>(stateShape);                          // zeros: a fresh start
        var c = new DenseTensor<float>(stateShape);                          // cell state: LSTM only
        int[] encoded = lm.Encode("the cat");                                // <s> the cat </s>
        int[] input = [settings.EndOfSequenceId!.Value, .. encoded[1..^1]];  // as Generate reads a prompt
        var generated = new List<int>();
        for (int n = 0; n < 20; n++)
        {
            var feeds = new List<NamedOnnxValue>
            {
                NamedOnnxValue.CreateFromTensor("tokens", new DenseTensor<int>(input, [1, input.Length])),
                NamedOnnxValue.CreateFromTensor("state_h", h),
            };
            if (settings.CellType == RecurrentCellType.Lstm)
                feeds.Add(NamedOnnxValue.CreateFromTensor("state_c", c));
            using var results = session.Run(feeds);
            var logits = results.First(r => r.Name == "logits").AsTensor<float>();  // [1, steps, vocabulary]
            int last = input.Length - 1, next = -1;
            for (int id = 3; id < settings.VocabularySize; id++)            // greedy, never padding 0, <unk> 1, <s> 2
            {
                if (next < 0 || logits[0, last, id] > logits[0, last, next])
                    next = id;
            }
            if (next == settings.EndOfSequenceId)
                break;
            generated.Add(next);
            // Copy the state before the results are disposed; the next call reads only the new token.
            h = new DenseTensor<float>(results.First(r => r.Name == "state_h_out").AsTensor<float>().ToArray(), stateShape);
            if (settings.CellType == RecurrentCellType.Lstm)
                c = new DenseTensor<float>(results.First(r => r.Name == "state_c_out").AsTensor<float>().ToArray(), stateShape);
            input = [next];
        }
        string text = lm.Decode(generated);
        // --- end of the documented snippet ---

        string expected = trained.Generate("the cat", new GenerationOptions { Temperature = 0, MaximumTokens = 20 });
        Assert.AreEqual(expected.Trim(), text, "Generate's greedy continuation");
    }

    [TestMethod]
    public void IdsOutsideTheVocabularyFailOnBothRuntimes()
    {
        var model = Train(RecurrentCellType.Lstm, 1, false);
        var settings = model.ModelSettings;
        using var session = new InferenceSession(Export(model));
        foreach (long bad in new long[] { settings.VocabularySize, settings.VocabularySize + 7, -1, -settings.VocabularySize })
        {
            long[] ids = [4, bad, 5];
            // The TorchSharp network's embedding rejects the id; so must the graph (ONNX Gather would read a negative id from the end).
            Assert.Throws<Exception>(() => TorchForward(model, ids, 1, ZeroState(settings, 1)), $"TorchSharp, id {bad}");
            Assert.ThrowsExactly<OnnxRuntimeException>(() => Run(session, ids, 1, ZeroState(settings, 1)), $"ONNX Runtime, id {bad}");
        }
    }

    [TestMethod]
    public void TiedModelsStoreTheSharedMatrixOnceAndUntiedModelsTwoMatrices()
    {
        foreach (bool tied in new[] { true, false })
        {
            var model = Train(tied ? RecurrentCellType.Gru : RecurrentCellType.Lstm, 1, tied);
            var settings = model.ModelSettings;
            var graph = RecurrentOnnxExporter.BuildModel(model, new LanguageModelOnnxExportOptions()).Graph;
            var tables = graph.Initializer.Where(i => i.Dims.SequenceEqual(new long[] { settings.VocabularySize, settings.HiddenSize })).Select(i => i.Name).ToList();
            var gemm = graph.Node.Single(n => n.OpType == "Gemm");
            var gather = graph.Node.Single(n => n.OpType == "Gather" && tables.Contains(n.Input[0]));
            Assert.AreEqual(tied ? 1 : 2, tables.Count, $"tied = {tied}: [vocabulary, hidden] matrices {string.Join(", ", tables)}");
            Assert.AreEqual(tied, gemm.Input[1] == gather.Input[0], $"tied = {tied}: the decoder reads the embedding matrix");
        }
    }

    [TestMethod]
    public void InputsOutputsMetadataAndLogProbabilitiesOption()
    {
        var gru = Train(RecurrentCellType.Gru, 2, false);
        using (var session = new InferenceSession(Export(gru)))
        {
            CollectionAssert.AreEquivalent(new[] { "tokens", "state_h" }, session.InputMetadata.Keys.ToArray());
            CollectionAssert.AreEquivalent(new[] { "logits", "state_h_out" }, session.OutputMetadata.Keys.ToArray());
            Assert.AreEqual("LanguageModel", session.ModelMetadata.CustomMetadataMap["recurrent.kind"]);
            Assert.AreEqual("2", session.ModelMetadata.CustomMetadataMap["recurrent.layers"]);
            Assert.AreEqual("3", session.ModelMetadata.CustomMetadataMap["recurrent.end_of_sequence_id"]);
            StringAssert.Contains(session.ModelMetadata.CustomMetadataMap["recurrent.settings"], "\"cat\"", "the vocabulary travels for decoding");
        }

        var lstm = Train(RecurrentCellType.Lstm, 1, false);
        var settings = lstm.ModelSettings;
        var options = new LanguageModelOnnxExportOptions { LogProbabilities = true, TokenType = OnnxTokenType.Int64, HiddenStateInputName = "h0" };
        using var logSession = new InferenceSession(Export(lstm, options));
        CollectionAssert.AreEquivalent(new[] { "tokens", "h0", "state_c" }, logSession.InputMetadata.Keys.ToArray());
        long[] ids = [3, 4, 5, 6];
        var zero = ZeroState(settings, 1);
        using var results = logSession.Run([
            NamedOnnxValue.CreateFromTensor("tokens", new DenseTensor<long>(ids, [1, ids.Length])),
            NamedOnnxValue.CreateFromTensor("h0", new DenseTensor<float>(zero.H, [settings.Layers, 1, settings.HiddenSize])),
            NamedOnnxValue.CreateFromTensor("state_c", new DenseTensor<float>(zero.C!, [settings.Layers, 1, settings.HiddenSize])),
        ]);
        var onnx = results.Single(r => r.Name == "logits").AsTensor<float>().ToArray();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (logits, _) = lstm.Network.Forward(torch.tensor(ids, [1, ids.Length]), null);
        AssertClose(torch.nn.functional.log_softmax(logits, -1).data<float>().ToArray(), onnx, "log-probabilities");

        Assert.ThrowsExactly<ArgumentException>(() => Export(lstm, new LanguageModelOnnxExportOptions { OutputName = "tokens" }));
        Assert.ThrowsExactly<ArgumentException>(() => Export(lstm, new LanguageModelOnnxExportOptions { CellStateInputName = " " }));
    }

    private sealed record State(float[] H, float[]? C);

    /// <summary>A tiny model trained for one epoch on a small corpus (seconds); cached per configuration.</summary>
    private static LanguageModelTransformer Train(RecurrentCellType cell, int layers, bool tied) => Models.GetOrAdd((cell, layers, tied), _ =>
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TinyCorpus.Generate(60, seed: 2));
        var tokenizer = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text", addBeginEnd: true).Fit(data);
        var options = TinyCorpus.SmallOptions(tokenizer);
        options.CellType = cell;
        options.Layers = layers;
        options.TieWeights = tied;
        options.HiddenSize = 8;
        options.EmbeddingSize = 8;
        options.Epochs = 2;
        return ml.LanguageModeling().Trainers.Recurrent(options).Fit(tokenizer.Transform(data));
    });

    private static byte[] Export(LanguageModelTransformer model, LanguageModelOnnxExportOptions? options = null)
    {
        using var stream = new MemoryStream();
        RecurrentOnnxExporter.Export(model, stream, options);
        return stream.ToArray();
    }

    private static State ZeroState(LanguageModelSettings settings, int batch)
    {
        int size = settings.Layers * batch * settings.HiddenSize;
        return new State(new float[size], settings.CellType == RecurrentCellType.Lstm ? new float[size] : null);
    }

    private static State RandomState(LanguageModelSettings settings, int batch, Random random)
    {
        float[] Values() => Enumerable.Range(0, settings.Layers * batch * settings.HiddenSize).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        return new State(Values(), settings.CellType == RecurrentCellType.Lstm ? Values() : null);
    }

    /// <summary>One ONNX Runtime call: [batch, steps] ids from <paramref name="state"/>; logits flattened [batch, steps, vocabulary].</summary>
    private static (float[] Logits, State State) Run(InferenceSession session, long[] ids, int batch, State state)
    {
        int layers = session.InputMetadata["state_h"].Dimensions[0];
        int hidden = session.InputMetadata["state_h"].Dimensions[2];
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("tokens", new DenseTensor<int>(ids.Select(i => (int)i).ToArray(), [batch, ids.Length / batch])),
            NamedOnnxValue.CreateFromTensor("state_h", new DenseTensor<float>(state.H, [layers, batch, hidden])),
        };
        if (state.C is not null)
            inputs.Add(NamedOnnxValue.CreateFromTensor("state_c", new DenseTensor<float>(state.C, [layers, batch, hidden])));
        using var results = session.Run(inputs);
        float[] Get(string name) => results.Single(r => r.Name == name).AsTensor<float>().ToArray();
        return (Get("logits"), new State(Get("state_h_out"), state.C is null ? null : Get("state_c_out")));
    }

    /// <summary>
    /// What a user writes against ONNX Runtime: the prompt in one call, then one call per token with the state carried,
    /// choosing the best id that the transformer's generation allows (not padding 0, unknown 1 or, for rows with
    /// begin/end tokens, &lt;s&gt; 2; ties to the lowest id).
    /// </summary>
    private static List<int> OnnxGreedy(InferenceSession session, LanguageModelSettings settings, int[] prompt, int count, bool stopAtEnd)
    {
        var banned = new HashSet<int> { 0, 1, 2 };
        var state = ZeroState(settings, 1);
        long[] input = prompt.Select(id => (long)id).ToArray();
        var generated = new List<int>();
        for (int n = 0; n < count; n++)
        {
            var result = Run(session, input, 1, state);
            state = result.State;
            var last = result.Logits.AsSpan(result.Logits.Length - settings.VocabularySize);
            int best = -1;
            for (int id = 0; id < last.Length; id++)
            {
                if (!banned.Contains(id) && (best < 0 || last[id] > last[best]))
                    best = id;
            }
            if (stopAtEnd && best == settings.EndOfSequenceId)
                break;
            generated.Add(best);
            input = [best];
        }
        return generated;
    }

    /// <summary>The TorchSharp network on the same ids and state: what the transformer's generation runs.</summary>
    private static (float[] Logits, State State) TorchForward(LanguageModelTransformer model, long[] ids, int batch, State state)
    {
        var settings = model.ModelSettings;
        long[] shape = [settings.Layers, batch, settings.HiddenSize];
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var input = new RecurrentState(torch.tensor(state.H, shape), state.C is null ? null : torch.tensor(state.C, shape));
        var (logits, next) = model.Network.Forward(torch.tensor(ids, [batch, ids.Length / batch]), input);
        return (logits.data<float>().ToArray(), new State(next.Hidden.data<float>().ToArray(), next.Cell?.data<float>().ToArray()));
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: lengths");
        double largest = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(expected[i] - actual[i]));
            Assert.AreEqual(expected[i], actual[i], Tolerance, $"{what}, value {i}: expected {expected[i]}, got {actual[i]}");
        }
        lock (Models)
            _largestDifference = Math.Max(_largestDifference, largest);
    }
}
