using Microsoft.ML.Recurrent.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>The prepared inputs every lowered network reads.</summary>
/// <param name="TokenIds">[batch, time] int64 ids in 0..vocabulary − 1, or null for float features.</param>
/// <param name="TimeMajorFeatures">[time, batch, features] float32, or null for token ids.</param>
/// <param name="SequenceLengths">[batch] int32, each in 1..time.</param>
internal sealed record OnnxNetworkInputs(string? TokenIds, string? TimeMajorFeatures, string SequenceLengths);

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

/// <summary><see cref="SequenceClassifierNetwork"/>: encoder Final, then the linear head as Gemm; [batch, outputs] logits.</summary>
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
        return g.Node("Gemm", [encoded.Final, w, b], OnnxGraphBuilder.Int("transB", 1));
    }
}
