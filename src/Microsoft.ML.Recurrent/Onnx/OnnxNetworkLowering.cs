using Microsoft.ML.Recurrent.Modules;
using TorchSharp;
using DataType = global::Onnx.TensorProto.Types.DataType;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>The prepared inputs every lowered network reads.</summary>
/// <param name="TokenIds">[batch, time] int64 ids in 0..vocabulary − 1, or null for float features.</param>
/// <param name="TimeMajorFeatures">[time, batch, features] float32, or null for token ids.</param>
/// <param name="SequenceLengths">[batch] int32, each in 1..time.</param>
/// <param name="WideFeatures">[batch, wide] float32 wide features, or null when the model reads none.</param>
internal sealed record OnnxNetworkInputs(string? TokenIds, string? TimeMajorFeatures, string SequenceLengths, string? WideFeatures = null);

/// <summary>
/// Lowers one kind of trained network (encoder plus head) to ONNX. Adding a head (tagging, forecasting, language
/// model) means one implementation of this interface, registered in <see cref="OnnxNetworkLowerings.All"/>; the
/// encoder, the input preparation and the ensemble averaging are shared.
/// </summary>
internal interface IOnnxNetworkLowering
{
    /// <summary>True when this lowering handles <paramref name="network"/>.</summary>
    bool CanLower(nn.Module network);

    /// <summary>Writes the network and returns the name of its output tensor (logits; the head decides the shape).</summary>
    string Lower(OnnxGraphBuilder g, nn.Module network, OnnxNetworkInputs inputs, string prefix);
}

/// <summary>The registered network lowerings.</summary>
internal static class OnnxNetworkLowerings
{
    /// <summary>Every network kind the exporter knows.</summary>
    public static readonly IReadOnlyList<IOnnxNetworkLowering> All = [new SequenceClassifierLowering()];

    /// <summary>The lowering for <paramref name="network"/>, or a <see cref="NotSupportedException"/> naming its type.</summary>
    public static IOnnxNetworkLowering For(nn.Module network)
        => All.FirstOrDefault(l => l.CanLower(network))
           ?? throw new NotSupportedException($"No ONNX export is available for networks of type {network.GetType().Name}.");

    /// <summary>Lowers an encoder over the prepared inputs (embedding included).</summary>
    public static OnnxEncoderTensors LowerEncoder(OnnxGraphBuilder g, RecurrentEncoder encoder, OnnxNetworkInputs inputs, string prefix)
    {
        string timeMajor;
        if (encoder.Settings.UsesEmbedding)
        {
            timeMajor = RecurrentEncoderLowering.Embed(g, encoder,
                inputs.TokenIds ?? throw new InvalidOperationException("The encoder reads token ids but the graph has none."), prefix);
        }
        else
        {
            timeMajor = inputs.TimeMajorFeatures
                ?? throw new InvalidOperationException("The encoder reads float features but the graph has none.");
        }
        return RecurrentEncoderLowering.Lower(g, encoder, timeMajor, inputs.SequenceLengths, prefix);
    }
}

/// <summary><see cref="SequenceClassifierNetwork"/>: encoder, pooling over time, then the linear head as Gemm; [batch, outputs] logits.</summary>
internal sealed class SequenceClassifierLowering : IOnnxNetworkLowering
{
    public bool CanLower(nn.Module network) => network is SequenceClassifierNetwork;

    public string Lower(OnnxGraphBuilder g, nn.Module network, OnnxNetworkInputs inputs, string prefix)
    {
        var classifier = (SequenceClassifierNetwork)network;
        var encoded = OnnxNetworkLowerings.LowerEncoder(g, classifier.Encoder, inputs, prefix);
        var (weight, weightShape) = RecurrentEncoderLowering.Read(classifier.Head.weight!);
        var (bias, biasShape) = RecurrentEncoderLowering.Read(classifier.Head.bias!);
        string w = g.Constant($"{prefix}head_W", weight, weightShape);
        string b = g.Constant($"{prefix}head_B", bias, biasShape);
        // Head dropout is a training-time operation: nothing to export.
        string logits = g.Node("Gemm", [Pool(g, classifier, encoded, prefix), w, b], OnnxGraphBuilder.Int("transB", 1));
        if (classifier.Wide is not { } wide)
            return logits;
        var (wideWeight, wideShape) = RecurrentEncoderLowering.Read(wide.weight!);
        string wideInput = inputs.WideFeatures ?? throw new InvalidOperationException("The network reads wide features but the graph has none.");
        string wideLogits = g.Node("Gemm", [wideInput, g.Constant($"{prefix}wide_W", wideWeight, wideShape)], OnnxGraphBuilder.Int("transB", 1));
        return g.Node("Add", [logits, wideLogits]);
    }

    /// <summary>[batch, hidden]: the pooling of <see cref="SequenceClassifierNetwork.Pool"/>, over the real steps only.</summary>
    private static string Pool(OnnxGraphBuilder g, SequenceClassifierNetwork classifier, OnnxEncoderTensors encoded, string prefix)
    {
        if (classifier.Pooling == SequencePooling.Last)
            return encoded.Final;
        string sequence = encoded.Sequence; // [batch, time, hidden]
        // real[b, t] = t < length[b], built from the graph's own lengths so that padding never takes part.
        string time = g.Node("Gather", [g.Node("Shape", [sequence]), g.Constant("one", [1L])]);
        string steps = g.Node("Range", [g.Constant("zero", [0L]), time, g.Constant("one", [1L])]);
        string lengths = g.Node("Cast", [encoded.SequenceLengths], OnnxGraphBuilder.Int("to", (long)DataType.Int64));
        string real = g.Node("Less", [g.Node("Unsqueeze", [steps, g.Constant("axes_0", [0L], 1)]), g.Node("Unsqueeze", [lengths, g.Constant("axes_1", [1L], 1)])]);
        string real3 = g.Node("Unsqueeze", [real, g.Constant("axes_2", [2L], 1)]);
        switch (classifier.Pooling)
        {
            case SequencePooling.Mean:
            {
                string masked = g.Node("Where", [real3, sequence, g.Constant("zero_f", [0f])]);
                string sum = g.Node("ReduceSum", [masked, g.Constant("axes_1", [1L], 1)], OnnxGraphBuilder.Int("keepdims", 0));
                string count = g.Node("Cast", [g.Node("Unsqueeze", [lengths, g.Constant("axes_1", [1L], 1)])], OnnxGraphBuilder.Int("to", (long)DataType.Float));
                return g.Node("Div", [sum, count]);
            }
            case SequencePooling.Max:
            {
                string masked = g.Node("Where", [real3, sequence, g.Constant("minus_infinity", [float.NegativeInfinity])]);
                return g.Node("ReduceMax", [masked], OnnxGraphBuilder.Ints("axes", 1), OnnxGraphBuilder.Int("keepdims", 0));
            }
            default:
            {
                var (projection, projectionShape) = RecurrentEncoderLowering.Read(classifier.AttentionProjection!.weight!);
                var (projectionBias, projectionBiasShape) = RecurrentEncoderLowering.Read(classifier.AttentionProjection!.bias!);
                var (context, contextShape) = RecurrentEncoderLowering.Read(classifier.AttentionContext!.weight!);
                // MatMul with the transposed weights: [hidden, hidden] for W, [hidden, 1] for v.
                string wT = g.Constant($"{prefix}attention_WT", Transpose(projection, projectionShape), projectionShape[1], projectionShape[0]);
                string vT = g.Constant($"{prefix}attention_vT", context, contextShape[1], contextShape[0]);
                string bias = g.Constant($"{prefix}attention_b", projectionBias, projectionBiasShape);
                string hidden = g.Node("Tanh", [g.Node("Add", [g.Node("MatMul", [sequence, wT]), bias])]);
                string scores = g.Node("Squeeze", [g.Node("MatMul", [hidden, vT]), g.Constant("axes_2", [2L], 1)]); // [batch, time]
                string maskedScores = g.Node("Where", [real, scores, g.Constant("minus_infinity", [float.NegativeInfinity])]);
                string weights = g.Node("Softmax", [maskedScores], OnnxGraphBuilder.Int("axis", 1));
                string pooled = g.Node("MatMul", [g.Node("Unsqueeze", [weights, g.Constant("axes_1", [1L], 1)]), sequence]); // [batch, 1, hidden]
                return g.Node("Squeeze", [pooled, g.Constant("axes_1", [1L], 1)]);
            }
        }
    }

    private static float[] Transpose(float[] values, long[] shape)
    {
        long rows = shape[0], columns = shape[1];
        var result = new float[values.Length];
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < columns; c++)
                result[c * rows + r] = values[r * columns + c];
        return result;
    }
}
