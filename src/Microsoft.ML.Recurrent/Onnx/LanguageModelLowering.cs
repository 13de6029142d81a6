using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.Modules;
using static TorchSharp.torch;
using DataType = global::Onnx.TensorProto.Types.DataType;
using G = Microsoft.ML.Recurrent.Onnx.OnnxGraphBuilder;
using P = global::Onnx;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// Writes a <see cref="LanguageModelNetwork"/> as one ONNX graph with the recurrent state as explicit inputs and
/// outputs. It does not implement <see cref="IOnnxNetworkLowering"/>: that interface has one token input and one
/// output, with padding trimmed per row, while a language model reads every id as given and carries state in and out.
/// </summary>
/// <remarks>
/// <para>The network is LibTorch's fused multi-layer LSTM/GRU/RNN; each of its layers becomes one forward ONNX
/// operator whose <c>initial_h</c> (and <c>initial_c</c>) is that layer's slice of the state input and whose
/// <c>Y_h</c> (and <c>Y_c</c>) is that layer's slice of the state output. Weights are converted as in
/// <see cref="RecurrentEncoderLowering"/> (same gate orders, <c>linear_before_reset = 1</c> for GRU). No
/// <c>sequence_lens</c>: every row runs all steps, as in the TorchSharp model.</para>
/// <para>Dropout is training-only and is not exported.</para>
/// </remarks>
internal static class LanguageModelLowering
{
    public static void Lower(G g, LanguageModelNetwork network, LanguageModelOnnxExportOptions options)
    {
        var settings = network.Settings;
        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Tensor Get(string name) => parameters.TryGetValue(name, out var p) ? p
            : throw new InvalidOperationException($"The language model network has no parameter '{name}'.");
        bool lstm = settings.CellType == RecurrentCellType.Lstm;
        long hidden = settings.HiddenSize;

        var tokenType = options.TokenType switch
        {
            OnnxTokenType.Int64 => DataType.Int64,
            OnnxTokenType.UInt32 => DataType.Uint32,
            _ => DataType.Int32,
        };
        string raw = g.Input(options.TokensInputName, tokenType, "batch", "steps");
        string stateH = g.Input(options.HiddenStateInputName, DataType.Float, settings.Layers, "batch", settings.HiddenSize);
        string? stateC = lstm ? g.Input(options.CellStateInputName, DataType.Float, settings.Layers, "batch", settings.HiddenSize) : null;

        string ids = tokenType == DataType.Int64 ? raw : g.Node("Cast", [raw], G.Int("to", (long)DataType.Int64));
        // LibTorch's embedding rejects every id outside [0, vocabulary). ONNX's Gather rejects ids at or above the
        // vocabulary too, but reads -1..-vocabulary from the end of the table; moving negative ids to the vocabulary
        // size makes ONNX Runtime fail on them as well instead of returning a wrong row.
        string vocabulary = g.Constant("vocabulary_size", [(long)settings.VocabularySize], 1);
        string negative = g.Node("Less", [ids, g.Constant("zero", [0L])]);
        string checkedIds = g.Node("Where", [negative, vocabulary, ids]);

        var (embeddingValues, embeddingShape) = RecurrentEncoderLowering.Read(Get("embedding.weight"));
        string embedding = g.Constant("embedding", embeddingValues, embeddingShape);
        string embedded = g.Node("Gather", [embedding, checkedIds], G.Int("axis", 0));
        string x = g.Node("Transpose", [embedded], G.Ints("perm", 1, 0, 2)); // ONNX Runtime's recurrent kernels are time-major only

        string[] initialH = SplitLayers(g, stateH, settings.Layers);
        string[]? initialC = stateC is null ? null : SplitLayers(g, stateC, settings.Layers);
        string squeezeDirection = g.Constant("axes_1", [1L], 1);
        var finalH = new string[settings.Layers];
        var finalC = new string[settings.Layers];
        for (int layer = 0; layer < settings.Layers; layer++)
        {
            var outputs = Layer(g, settings.CellType, Get, layer, hidden, x, initialH[layer], initialC?[layer]);
            x = g.Node("Squeeze", [outputs[0], squeezeDirection]); // [steps, 1, batch, hidden] -> [steps, batch, hidden]
            finalH[layer] = outputs[1];
            if (lstm)
                finalC[layer] = outputs[2];
        }

        // Decoder: one Gemm over [batch × steps, hidden]. With tying it reads the embedding initializer itself, so
        // the exported file holds the shared matrix once, as the TorchSharp model does.
        string batchFirst = g.Node("Transpose", [x], G.Ints("perm", 1, 0, 2));
        string flat = g.Node("Reshape", [batchFirst, g.Constant("flat_shape", [-1L, hidden], 2)]);
        string decoderWeight;
        string decoderBias;
        if (settings.TieWeights)
        {
            decoderWeight = embedding;
            decoderBias = Constant(g, "decoder_bias", Get("decoder_bias"));
        }
        else
        {
            decoderWeight = Constant(g, "decoder_weight", Get("decoder.weight"));
            decoderBias = Constant(g, "decoder_bias", Get("decoder.bias"));
        }
        string flatLogits = g.Node("Gemm", [flat, decoderWeight, decoderBias], G.Int("transB", 1));
        string outputShape = g.Node("Concat", [g.Node("Shape", [ids]), vocabulary], G.Int("axis", 0));
        string logits = g.Node("Reshape", [flatLogits, outputShape]);
        if (options.LogProbabilities)
            logits = g.Node("LogSoftmax", [logits], G.Int("axis", -1));

        g.Output(logits, options.OutputName, DataType.Float, "batch", "steps", settings.VocabularySize);
        g.Output(JoinLayers(g, finalH), options.HiddenStateOutputName, DataType.Float, settings.Layers, "batch", settings.HiddenSize);
        if (lstm)
            g.Output(JoinLayers(g, finalC), options.CellStateOutputName, DataType.Float, settings.Layers, "batch", settings.HiddenSize);
    }

    /// <summary>One layer of the fused module as an ONNX operator; returns Y [steps, 1, batch, hidden], Y_h and (LSTM) Y_c, each [1, batch, hidden].</summary>
    private static string[] Layer(G g, RecurrentCellType cell, Func<string, Tensor> get, int layer, long hidden,
        string x, string initialH, string? initialC)
    {
        var (op, order) = cell switch
        {
            RecurrentCellType.Lstm => ("LSTM", RecurrentEncoderLowering.LstmOrder),
            RecurrentCellType.Gru => ("GRU", RecurrentEncoderLowering.GruOrder),
            RecurrentCellType.RnnTanh or RecurrentCellType.RnnRelu => ("RNN", RecurrentEncoderLowering.RnnOrder),
            _ => throw new NotSupportedException($"Cell type {cell} has no ONNX mapping."),
        };
        var (wIh, wShape) = RecurrentEncoderLowering.Read(get($"rnn.weight_ih_l{layer}"));
        var (wHh, rShape) = RecurrentEncoderLowering.Read(get($"rnn.weight_hh_l{layer}"));
        var (bIh, _) = RecurrentEncoderLowering.Read(get($"rnn.bias_ih_l{layer}"));
        var (bHh, _) = RecurrentEncoderLowering.Read(get($"rnn.bias_hh_l{layer}"));
        long gateRows = hidden * order.Length;
        if (wShape[0] != gateRows || rShape[0] != gateRows || rShape[1] != hidden)
            throw new InvalidOperationException($"Unexpected {op} weight shapes [{string.Join(", ", wShape)}] and [{string.Join(", ", rShape)}] in layer {layer}.");

        string prefix = $"l{layer}";
        string w = g.Constant($"{prefix}_W", RecurrentEncoderLowering.Permute(wIh, order, hidden * wShape[1]), 1, gateRows, wShape[1]);
        string r = g.Constant($"{prefix}_R", RecurrentEncoderLowering.Permute(wHh, order, hidden * hidden), 1, gateRows, hidden);
        string b = g.Constant($"{prefix}_B",
            [.. RecurrentEncoderLowering.Permute(bIh, order, hidden), .. RecurrentEncoderLowering.Permute(bHh, order, hidden)], 1, 2 * gateRows);

        var attributes = new List<P.AttributeProto> { G.Int("hidden_size", hidden), G.String("direction", "forward") };
        if (cell == RecurrentCellType.Gru)
            attributes.Add(G.Int("linear_before_reset", 1));
        if (cell is RecurrentCellType.RnnTanh or RecurrentCellType.RnnRelu)
            attributes.Add(G.Strings("activations", cell == RecurrentCellType.RnnTanh ? "Tanh" : "Relu"));

        // The empty name omits the optional sequence_lens input: every row runs all steps.
        string[] inputs = initialC is null ? [x, w, r, b, "", initialH] : [x, w, r, b, "", initialH, initialC];
        return g.Node(op, inputs, initialC is null ? 2 : 3, attributes.ToArray());
    }

    /// <summary>[layers, batch, hidden] -> one [1, batch, hidden] tensor per layer (ONNX's initial_h layout for one direction).</summary>
    private static string[] SplitLayers(G g, string state, int layers)
        => layers == 1 ? [state] : g.Node("Split", [state], layers, G.Int("axis", 0));

    private static string JoinLayers(G g, string[] perLayer)
        => perLayer.Length == 1 ? perLayer[0] : g.Node("Concat", perLayer, G.Int("axis", 0));

    private static string Constant(G g, string hint, Tensor parameter)
    {
        var (values, shape) = RecurrentEncoderLowering.Read(parameter);
        return g.Constant(hint, values, shape);
    }
}
