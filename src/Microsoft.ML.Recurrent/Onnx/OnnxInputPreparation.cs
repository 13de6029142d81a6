using DataType = global::Onnx.TensorProto.Types.DataType;
using G = Microsoft.ML.Recurrent.Onnx.OnnxGraphBuilder;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// Declares the graph inputs and turns them into what every network reads, reproducing in ONNX operators how the
/// TorchSharp transformer reads a row (see <c>SequenceRowReader</c> and <c>RecurrentSequenceTransformer.Predict</c>).
/// </summary>
internal static class OnnxInputPreparation
{
    /// <summary>
    /// Token ids: drops padding ids (0) before the first and after the last non-padding id by shifting each row left
    /// and taking last − first + 1 as its length (1 for an all-padding row, whose first id is then 0), and maps ids
    /// outside 0..vocabulary − 1 to the unknown id 1. Interior zeros stay, as in the TorchSharp path.
    /// </summary>
    public static OnnxNetworkInputs Tokens(G g, RecurrentOnnxExportOptions options, object time, int vocabularySize)
    {
        var type = options.TokenType switch
        {
            OnnxTokenType.Int64 => DataType.Int64,
            OnnxTokenType.UInt32 => DataType.Uint32,
            _ => DataType.Int32,
        };
        string raw = g.Input(options.TokensInputName, type, "batch", time);
        string ids = type == DataType.Int64 ? raw : g.Node("Cast", [raw], G.Int("to", (long)DataType.Int64));
        string zero = g.Constant("zero", [0L]);
        string one = g.Constant("one", [1L]);

        string present = g.Node("Cast", [g.Node("Not", [g.Node("Equal", [ids, zero])])], G.Int("to", (long)DataType.Int32));
        string first = g.Node("ArgMax", [present], G.Int("axis", 1), G.Int("keepdims", 0));
        string last = g.Node("ArgMax", [present], G.Int("axis", 1), G.Int("keepdims", 0), G.Int("select_last_index", 1));
        string any = g.Node("Cast", [g.Node("ReduceMax", [present], G.Ints("axes", 1), G.Int("keepdims", 0))], G.Int("to", (long)DataType.Bool));
        string span = g.Node("Add", [g.Node("Sub", [last, first]), one]);
        string lengths = g.Node("Where", [any, span, one]);

        // Position t of the shifted row reads position min(first + t, time − 1) of the input; past the length the
        // values are never read by the recurrent operators, which stop at sequence_lens.
        string width = g.Node("Gather", [g.Node("Shape", [ids]), one], G.Int("axis", 0));
        string steps = g.Node("Range", [zero, width, one]);
        string firstColumn = g.Node("Unsqueeze", [first, g.Constant("axes_1", [1L], 1)]);
        string positions = g.Node("Min", [g.Node("Add", [firstColumn, steps]), g.Node("Sub", [width, one])]);
        string shifted = g.Node("GatherElements", [ids, positions], G.Int("axis", 1));

        string outside = g.Node("Or", [g.Node("Less", [shifted, zero]),
            g.Node("GreaterOrEqual", [shifted, g.Constant("vocabulary_size", [(long)vocabularySize])])]);
        string clean = g.Node("Where", [outside, one, shifted]);
        string sequenceLengths = g.Node("Cast", [lengths], G.Int("to", (long)DataType.Int32));
        return new OnnxNetworkInputs(clean, null, sequenceLengths);
    }

    /// <summary>Float features [batch, time, featureSize] and Int32 lengths in floats: steps = max(lengths / featureSize, 1).</summary>
    public static OnnxNetworkInputs Features(G g, RecurrentOnnxExportOptions options, object time, int featureSize)
    {
        string features = g.Input(options.FeaturesInputName, DataType.Float, "batch", time, featureSize);
        string lengths = g.Input(options.LengthsInputName, DataType.Int32, "batch");
        string steps = g.Node("Div", [lengths, g.Constant("feature_size", [featureSize])]);
        string sequenceLengths = g.Node("Max", [steps, g.Constant("one_int32", [1])]);
        string timeMajor = g.Node("Transpose", [features], G.Ints("perm", 1, 0, 2));
        return new OnnxNetworkInputs(null, timeMajor, sequenceLengths);
    }
}
