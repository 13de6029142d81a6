using Microsoft.ML.Recurrent.Modules;
using TorchSharp;
using static TorchSharp.torch;
using P = global::Onnx;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>The ONNX tensors a lowered <see cref="RecurrentEncoder"/> produces, for a head to consume.</summary>
/// <param name="Sequence">Top layer's output, batch-first [batch, time, hidden × directions]; zero at and past each length.</param>
/// <param name="Final">[batch, hidden × directions]: forward output at length − 1, then backward output at step 0.</param>
/// <param name="SequenceLengths">[batch] int32 lengths fed to every recurrent operator (each at least 1).</param>
/// <param name="OutputSize">Hidden size × directions.</param>
internal sealed record OnnxEncoderTensors(string Sequence, string Final, string SequenceLengths, long OutputSize);

/// <summary>
/// Writes a <see cref="RecurrentEncoder"/> as ONNX operators: Gather for the embedding, then one ONNX LSTM, GRU or RNN
/// operator per layer and direction with the weights of the matching TorchSharp module.
/// </summary>
/// <remarks>
/// <para>Gates: LibTorch stores LSTM gates as i, f, g, o and ONNX as i, o, f, c; GRU gates as r, z, n and ONNX as
/// z, r, h. The blocks of W, R and both biases are permuted accordingly, and ONNX's B is LibTorch's bias_ih followed
/// by bias_hh. LibTorch's GRU applies the reset gate after the recurrent matrix product, which is ONNX's
/// linear_before_reset = 1.</para>
/// <para>Backward direction: the encoder reverses each sequence within its own length, runs a forward module and
/// reverses back. ONNX's direction "reverse" with sequence_lens has exactly these semantics (ONNX Runtime reverses
/// each batch entry over its own length), and its Y_h is the state after reading the whole sequence backwards, i.e.
/// the output at step 0; the forward operator's Y_h is the output at step length − 1. So the encoder's Final is the
/// concatenation of the top layer's Y_h tensors. The parity tests check both claims numerically.</para>
/// <para>ONNX Runtime's recurrent kernels accept only the time-major layout (layout = 0), so the input is transposed
/// once before the first layer and the top sequence once after the last.</para>
/// </remarks>
internal static class RecurrentEncoderLowering
{
    // Source block (LibTorch order) of each ONNX block.
    internal static readonly int[] LstmOrder = [0, 3, 1, 2]; // ONNX i, o, f, c  <- LibTorch i, f, g, o
    internal static readonly int[] GruOrder = [1, 0, 2];     // ONNX z, r, h     <- LibTorch r, z, n
    internal static readonly int[] RnnOrder = [0];

    /// <summary>
    /// Embeds [batch, time] int64 ids (already in 0..vocabulary − 1) and returns the time-major [time, batch, embedding] input.
    /// </summary>
    public static string Embed(OnnxGraphBuilder g, RecurrentEncoder encoder, string ids, string prefix)
    {
        var embedding = encoder.EmbeddingLayer
            ?? throw new InvalidOperationException("The encoder reads float features; it has no embedding to export.");
        var (values, shape) = Read(embedding.weight!);
        string table = g.Constant($"{prefix}embedding", values, shape);
        string embedded = g.Node("Gather", [table, ids], OnnxGraphBuilder.Int("axis", 0));
        return g.Node("Transpose", [embedded], OnnxGraphBuilder.Ints("perm", 1, 0, 2));
    }

    /// <summary>Lowers the recurrent layers over a time-major [time, batch, input] float tensor.</summary>
    /// <param name="g">The graph being built.</param>
    /// <param name="encoder">The trained encoder (eval mode: dropout is not exported).</param>
    /// <param name="timeMajorInput">[time, batch, input] float32.</param>
    /// <param name="sequenceLengths">[batch] int32, each in 1..time.</param>
    /// <param name="prefix">Prefix for initializer names (one per ensemble member).</param>
    public static OnnxEncoderTensors Lower(OnnxGraphBuilder g, RecurrentEncoder encoder, string timeMajorInput, string sequenceLengths, string prefix)
    {
        var settings = encoder.Settings;
        string squeezeTime = g.Constant("axes_1", [1L], 1);
        string squeezeDirection = g.Constant("axes_0", [0L], 1);
        string x = timeMajorInput;
        string[] finals = [];
        for (int layer = 0; layer < settings.Layers; layer++)
        {
            var (forwardY, forwardH) = Direction(g, encoder.ForwardLayer(layer), x, sequenceLengths, "forward", $"{prefix}l{layer}_fw", squeezeTime, squeezeDirection);
            if (!settings.Bidirectional)
            {
                x = forwardY;
                finals = [forwardH];
                continue;
            }
            var (backwardY, backwardH) = Direction(g, encoder.BackwardLayer(layer), x, sequenceLengths, "reverse", $"{prefix}l{layer}_bw", squeezeTime, squeezeDirection);
            x = g.Node("Concat", [forwardY, backwardY], OnnxGraphBuilder.Int("axis", 2));
            finals = [forwardH, backwardH];
        }
        string final = finals.Length == 1 ? finals[0] : g.Node("Concat", finals, OnnxGraphBuilder.Int("axis", 1));
        string sequence = g.Node("Transpose", [x], OnnxGraphBuilder.Ints("perm", 1, 0, 2));
        return new OnnxEncoderTensors(sequence, final, sequenceLengths, encoder.OutputSize);
    }

    /// <summary>One ONNX recurrent operator; returns Y as [time, batch, hidden] and Y_h as [batch, hidden].</summary>
    private static (string Y, string H) Direction(OnnxGraphBuilder g, RecurrentDirection module, string x, string lengths,
        string direction, string prefix, string squeezeTime, string squeezeDirection)
    {
        var parameters = module.Inner.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Tensor Get(string name) => parameters.TryGetValue(name, out var p) ? p
            : throw new InvalidOperationException($"The {module.CellType} module has no parameter '{name}'.");
        var (wIh, wShape) = Read(Get("weight_ih_l0"));
        var (wHh, rShape) = Read(Get("weight_hh_l0"));
        var (bIh, _) = Read(Get("bias_ih_l0"));
        var (bHh, _) = Read(Get("bias_hh_l0"));

        var (op, order) = module.CellType switch
        {
            RecurrentCellType.Lstm => ("LSTM", LstmOrder),
            RecurrentCellType.Gru => ("GRU", GruOrder),
            RecurrentCellType.RnnTanh or RecurrentCellType.RnnRelu => ("RNN", RnnOrder),
            _ => throw new NotSupportedException($"Cell type {module.CellType} has no ONNX mapping."),
        };
        long gateRows = wShape[0];
        long hidden = gateRows / order.Length;
        if (hidden * order.Length != gateRows || rShape[1] != hidden)
            throw new InvalidOperationException($"Unexpected {op} weight shapes [{string.Join(", ", wShape)}] and [{string.Join(", ", rShape)}].");

        string w = g.Constant($"{prefix}_W", Permute(wIh, order, hidden * wShape[1]), 1, gateRows, wShape[1]);
        string r = g.Constant($"{prefix}_R", Permute(wHh, order, hidden * hidden), 1, gateRows, hidden);
        string b = g.Constant($"{prefix}_B", [.. Permute(bIh, order, hidden), .. Permute(bHh, order, hidden)], 1, 2 * gateRows);

        var attributes = new List<P.AttributeProto>
        {
            OnnxGraphBuilder.Int("hidden_size", hidden),
            OnnxGraphBuilder.String("direction", direction),
        };
        if (module.CellType == RecurrentCellType.Gru)
            attributes.Add(OnnxGraphBuilder.Int("linear_before_reset", 1));
        if (module.CellType is RecurrentCellType.RnnTanh or RecurrentCellType.RnnRelu)
            attributes.Add(OnnxGraphBuilder.Strings("activations", module.CellType == RecurrentCellType.RnnTanh ? "Tanh" : "Relu"));

        var outputs = g.Node(op, [x, w, r, b, lengths], 2, attributes.ToArray());
        string y = g.Node("Squeeze", [outputs[0], squeezeTime]);      // [time, 1, batch, hidden] -> [time, batch, hidden]
        string h = g.Node("Squeeze", [outputs[1], squeezeDirection]); // [1, batch, hidden] -> [batch, hidden]
        return (y, h);
    }

    /// <summary>Reorders equal blocks of <paramref name="blockSize"/> values: output block j is input block order[j].</summary>
    internal static float[] Permute(float[] values, int[] order, long blockSize)
    {
        if (values.Length != blockSize * order.Length)
            throw new ArgumentException($"{values.Length} values are not {order.Length} blocks of {blockSize}.");
        var result = new float[values.Length];
        for (int j = 0; j < order.Length; j++)
            Array.Copy(values, order[j] * blockSize, result, j * blockSize, blockSize);
        return result;
    }

    /// <summary>A parameter's values (row-major float32 on the CPU) and shape.</summary>
    internal static (float[] Values, long[] Shape) Read(Tensor parameter)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var dense = parameter.detach().cpu().to_type(ScalarType.Float32).contiguous();
        return (dense.data<float>().ToArray(), dense.shape.ToArray());
    }
}
