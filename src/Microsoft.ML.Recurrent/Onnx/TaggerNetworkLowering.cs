using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Tagging;
using TorchSharp;
using static TorchSharp.torch;
using DataType = global::Onnx.TensorProto.Types.DataType;
using G = Microsoft.ML.Recurrent.Onnx.OnnxGraphBuilder;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>The ONNX tensors of a lowered <see cref="TaggerNetwork"/>.</summary>
/// <param name="Emissions">[batch, time, tags] float: the output layer's scores, zero at and past each row's length.</param>
/// <param name="Lengths">[batch] int64 tokens per row (0 for an all-padding row).</param>
/// <param name="Mask">[batch, time] bool, true at real tokens.</param>
internal sealed record OnnxTaggerTensors(string Emissions, string Lengths, string Mask);

/// <summary>
/// Writes a <see cref="TaggerNetwork"/> as ONNX operators: the three embeddings as Gather, the character CNN as Conv
/// plus a masked ReduceMax, the shared recurrent encoder lowering, and the output layer as MatMul + Add.
/// </summary>
/// <remarks>
/// The tagger's head is per token and its input is three id tensors rather than one, so it does not fit
/// <see cref="IOnnxNetworkLowering"/> (one token or feature input, one logits output per row); the tagging exporter
/// calls this class directly and shares the encoder lowering with the classifier.
/// </remarks>
internal static class TaggerNetworkLowering
{
    // TaggerNetwork masks character positions past a word's end with this value before max-pooling.
    private const float MissingCharacter = -1e4f;

    /// <summary>Lowers <paramref name="network"/> over the Int32 [batch, time, 2 + MaxWordCharacters] features input.</summary>
    public static OnnxTaggerTensors Lower(G g, TaggerNetwork network, string features, string prefix)
    {
        var settings = network.Settings;
        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Tensor Parameter(string name) => parameters.TryGetValue(name, out var p) ? p
            : throw new InvalidOperationException($"The tagger network has no parameter '{name}'.");
        var encoder = network.named_children().Select(c => c.module).OfType<RecurrentEncoder>().SingleOrDefault()
            ?? throw new InvalidOperationException("The tagger network has no recurrent encoder.");

        string ids = g.Node("Cast", [features], G.Int("to", (long)DataType.Int64));
        string lastAxis = g.Constant("axes_2", [2L], 1);

        string words = g.Node("Squeeze", [Slice(g, ids, 0, 1), lastAxis]);
        var (lengths, runLengths, mask) = Lengths(g, words);

        var parts = new List<string> { Embed(g, Parameter("word_embedding.weight"), words, $"{prefix}word_embedding") };
        if (settings.CasingEmbeddingSize > 0)
        {
            string casing = g.Node("Squeeze", [Slice(g, ids, 1, 2), lastAxis]);
            parts.Add(Embed(g, Parameter("casing_embedding.weight"), casing, $"{prefix}casing_embedding"));
        }
        if (settings.UsesCharacters)
        {
            string characters = Slice(g, ids, 2, 2 + settings.MaxWordCharacters);
            parts.Add(CharacterFeatures(g, characters, settings, Parameter("char_embedding.weight"),
                Parameter("char_convolution.weight"), Parameter("char_convolution.bias"), prefix));
        }
        string input = parts.Count == 1 ? parts[0] : g.Node("Concat", [.. parts], G.Int("axis", 2));
        string timeMajor = g.Node("Transpose", [input], G.Ints("perm", 1, 0, 2));
        var encoded = RecurrentEncoderLowering.Lower(g, encoder, timeMajor, runLengths, $"{prefix}encoder_");

        // nn.Linear computes x Wᵀ + b; ONNX Gemm is 2-D only, so MatMul with the transposed weight, then Add.
        var (weight, shape) = RecurrentEncoderLowering.Read(Parameter("output.weight"));
        var (bias, biasShape) = RecurrentEncoderLowering.Read(Parameter("output.bias"));
        string w = g.Constant($"{prefix}output_Wt", Transpose(weight, shape[0], shape[1]), shape[1], shape[0]);
        string b = g.Constant($"{prefix}output_B", bias, biasShape);
        string logits = g.Node("Add", [g.Node("MatMul", [encoded.Sequence, w]), b]);
        // Past each length the output layer would read zeros and give its bias; zero makes the output independent of it.
        string emissions = g.Node("Where", [g.Node("Unsqueeze", [mask, lastAxis]), logits, g.Constant("zero_float", [0f])]);
        return new OnnxTaggerTensors(emissions, lengths, mask);
    }

    /// <summary>
    /// Each row's length is the position of its last non-padding word id plus one (the encoder writes right-padded
    /// rows, and every real token has a word id of at least 1). The recurrent operators need a length of at least 1,
    /// so an all-padding row runs one step whose outputs are masked away.
    /// </summary>
    private static (string Lengths, string RunLengths, string Mask) Lengths(G g, string words)
    {
        string present = g.Node("Cast", [g.Node("Greater", [words, g.Constant("zero", [0L])])], G.Int("to", (long)DataType.Int32));
        string width = g.Node("Gather", [g.Node("Shape", [words]), g.Constant("one", [1L])], G.Int("axis", 0));
        // ArgMax with select_last_index finds the last present step; Where turns "none present" into length 0.
        string reversedLast = g.Node("ArgMax", [present], G.Int("axis", 1), G.Int("keepdims", 0), G.Int("select_last_index", 1));
        string any = g.Node("Cast", [g.Node("ReduceMax", [present], G.Ints("axes", 1), G.Int("keepdims", 0))], G.Int("to", (long)DataType.Bool));
        string lengths = g.Node("Where", [any, g.Node("Add", [reversedLast, g.Constant("one", [1L])]), g.Constant("zero", [0L])]);
        string runLengths = g.Node("Cast", [g.Node("Max", [lengths, g.Constant("one", [1L])])], G.Int("to", (long)DataType.Int32));
        string steps = g.Node("Range", [g.Constant("zero", [0L]), width, g.Constant("one", [1L])]);
        string mask = g.Node("Less", [g.Node("Unsqueeze", [steps, g.Constant("axes_0", [0L], 1)]),
            g.Node("Unsqueeze", [lengths, g.Constant("axes_1", [1L], 1)])]);
        return (lengths, runLengths, mask);
    }

    /// <summary>
    /// Embeds int64 ids with a table of <c>rows</c> rows; ids outside 0..rows − 1 read the unknown row 1, so bad input
    /// gives a defined result instead of a Gather error (the TorchSharp encoder never writes such ids).
    /// </summary>
    private static string Embed(G g, Tensor table, string ids, string name)
    {
        var (values, shape) = RecurrentEncoderLowering.Read(table);
        string weights = g.Constant(name, values, shape);
        string outside = g.Node("Or", [g.Node("Less", [ids, g.Constant("zero", [0L])]),
            g.Node("GreaterOrEqual", [ids, g.Constant($"{name}_rows", [shape[0]])])]);
        string clean = g.Node("Where", [outside, g.Constant("unknown_id", [(long)TokenFeatures.UnknownId]), ids]);
        return g.Node("Gather", [weights, clean], G.Int("axis", 0));
    }

    /// <summary>
    /// The character CNN of <see cref="TaggerNetwork"/>: embed [batch·time, chars], convolve over character positions
    /// (window 3, padding 1), set positions without a character to −1e4, max over positions, and zero for steps
    /// without any character.
    /// </summary>
    private static string CharacterFeatures(G g, string characters, TaggerModelSettings settings, Tensor table, Tensor kernel, Tensor bias, string prefix)
    {
        string flat = g.Node("Reshape", [characters, g.Constant("chars_shape", [-1L, settings.MaxWordCharacters], 2)]);
        string embedded = Embed(g, table, flat, $"{prefix}char_embedding");              // [N, chars, emb]
        string channels = g.Node("Transpose", [embedded], G.Ints("perm", 0, 2, 1));       // [N, emb, chars]
        var (kernelValues, kernelShape) = RecurrentEncoderLowering.Read(kernel);
        var (biasValues, biasShape) = RecurrentEncoderLowering.Read(bias);
        string convolved = g.Node("Conv", [channels, g.Constant($"{prefix}char_conv_W", kernelValues, kernelShape),
            g.Constant($"{prefix}char_conv_B", biasValues, biasShape)],
            G.Ints("kernel_shape", kernelShape[2]), G.Ints("pads", 1, 1), G.Ints("strides", 1), G.Ints("dilations", 1)); // [N, filters, chars]

        string present = g.Node("Unsqueeze", [g.Node("Greater", [flat, g.Constant("zero", [0L])]), g.Constant("axes_1", [1L], 1)]); // [N, 1, chars]
        string masked = g.Node("Where", [present, convolved, g.Constant("missing_character", [MissingCharacter])]);
        string pooled = g.Node("ReduceMax", [masked], G.Ints("axes", 2), G.Int("keepdims", 0));      // [N, filters]
        string anyCharacter = g.Node("Cast", [g.Node("ReduceMax", [g.Node("Cast", [present], G.Int("to", (long)DataType.Int32))],
            G.Ints("axes", 2), G.Int("keepdims", 0))], G.Int("to", (long)DataType.Bool));                // [N, 1]
        string features = g.Node("Where", [anyCharacter, pooled, g.Constant("zero_float", [0f])]);

        // Back to [batch, time, filters]: the first two dimensions of the character tensor, then the filter count.
        string batchTime = g.Node("Slice", [g.Node("Shape", [characters]), g.Constant("zero_1", [0L], 1), g.Constant("two_1", [2L], 1)]);
        string shape = g.Node("Concat", [batchTime, g.Constant("filters", [kernelShape[0]], 1)], G.Int("axis", 0));
        return g.Node("Reshape", [features, shape]);
    }

    /// <summary>Features <paramref name="start"/>..<paramref name="end"/> − 1 of every step (last axis).</summary>
    private static string Slice(G g, string tensor, long start, long end)
        => g.Node("Slice", [tensor, g.Constant("slice_start", [start], 1), g.Constant("slice_end", [end], 1), g.Constant("axes_2", [2L], 1)]);

    private static float[] Transpose(float[] values, long rows, long columns)
    {
        var result = new float[values.Length];
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < columns; c++)
                result[c * rows + r] = values[r * columns + c];
        return result;
    }
}
