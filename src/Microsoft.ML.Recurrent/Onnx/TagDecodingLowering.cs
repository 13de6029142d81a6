using Microsoft.ML.Recurrent.Tagging;
using DataType = global::Onnx.TensorProto.Types.DataType;
using G = Microsoft.ML.Recurrent.Onnx.OnnxGraphBuilder;
using P = global::Onnx;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// Writes the tagger's decoding as ONNX operators: per-token ArgMax without a CRF, and the CRF's Viterbi decoding
/// (<see cref="ConditionalRandomField.Decode"/>) with two ONNX Loop nodes, one forward over time that keeps the best
/// path scores and back-pointers, one backward that follows the back-pointers from each row's best last tag.
/// </summary>
/// <remarks>
/// The forward loop is the same arithmetic as the TorchSharp decoder: score = start + emission₀, then at each step
/// best[b, j] = max over i of score[b, i] + transitions[i, j] (ReduceMax and ArgMax over i), score = best + emissionₜ
/// where the step is inside the row and unchanged past it. So identical emissions give identical paths; the parity
/// tests compare the paths the two runtimes choose.
/// </remarks>
internal static class TagDecodingLowering
{
    /// <summary>[batch, time] int64: the highest-scoring tag per token, −1 past each row's length.</summary>
    public static string ArgMax(G g, OnnxTaggerTensors tagger)
    {
        string best = g.Node("ArgMax", [tagger.Emissions], G.Int("axis", 2), G.Int("keepdims", 0));
        return g.Node("Where", [tagger.Mask, best, g.Constant("padding_tag", [-1L])]);
    }

    /// <summary>[batch, time] int64: the Viterbi path of each row, −1 past its length.</summary>
    public static string Viterbi(G g, ConditionalRandomField crf, OnnxTaggerTensors tagger, string prefix)
    {
        var (transitionValues, transitionShape) = RecurrentEncoderLowering.Read(crf.Transitions);
        var (startValues, startShape) = RecurrentEncoderLowering.Read(crf.StartTransitions);
        var (endValues, endShape) = RecurrentEncoderLowering.Read(crf.EndTransitions);
        string transitions = g.Constant($"{prefix}crf_transitions", transitionValues, [1, .. transitionShape]); // [1, from, to]
        string start = g.Constant($"{prefix}crf_start", startValues, startShape);
        string end = g.Constant($"{prefix}crf_end", endValues, endShape);

        string emissions = g.Node("Transpose", [tagger.Emissions], G.Ints("perm", 1, 0, 2));               // [time, batch, tags]
        string mask = g.Node("Unsqueeze", [g.Node("Transpose", [tagger.Mask], G.Ints("perm", 1, 0)), g.Constant("axes_2", [2L], 1)]); // [time, batch, 1]
        string time = g.Node("Gather", [g.Node("Shape", [emissions]), g.Constant("zero", [0L])], G.Int("axis", 0)); // scalar
        string initial = g.Node("Add", [start, g.Node("Gather", [emissions, g.Constant("zero", [0L])], G.Int("axis", 0))]);

        var forward = ForwardBody(g, transitions, emissions, mask);
        var forwardOutputs = g.Node("Loop", [time, "", initial], 2, Body(forward));
        string finalScores = g.Node("Add", [forwardOutputs[0], end]);
        string lastTag = g.Node("ArgMax", [finalScores], G.Int("axis", 1), G.Int("keepdims", 0));  // [batch]
        string pointers = forwardOutputs[1];                                                      // [time, batch, tags]

        string lastStep = g.Node("Sub", [time, g.Constant("one", [1L])]);
        string one = g.Constant("one", [1L]);
        string lastRealStep = g.Node("Sub", [g.Node("Max", [tagger.Lengths, one]), one]);         // [batch]
        var backward = BackwardBody(g, pointers, lastTag, lastRealStep, tagger.Lengths, lastStep);
        var backwardOutputs = g.Node("Loop", [time, "", lastTag], 2, Body(backward));

        // The backward loop emits positions time − 1 down to 0: reverse, then batch-first. The indices are
        // (time − 1) − Range(0, time) rather than Range(time − 1, −1, −1): ONNX Runtime 1.31's extended optimizations
        // rewrite Gather over a Range as a Slice and read the limit −1 as "the last element", which returns nothing.
        string steps = g.Node("Range", [g.Constant("zero", [0L]), time, g.Constant("one", [1L])]);
        string reversed = g.Node("Sub", [lastStep, steps]);
        string inOrder = g.Node("Gather", [backwardOutputs[1], reversed], G.Int("axis", 0));
        return g.Node("Transpose", [inOrder], G.Ints("perm", 1, 0));
    }

    /// <summary>
    /// Iteration t (0..time − 1) carries score [batch, tags] and emits back-pointers [batch, tags] (the best previous
    /// tag of each tag at step t; step 0's are unused). Step 0 keeps the initial score.
    /// </summary>
    private static Subgraph ForwardBody(G g, string transitions, string emissions, string mask)
    {
        var body = new Subgraph(g, "viterbi_forward");
        string step = body.Input("t", DataType.Int64, scalar: true);
        string condition = body.Input("condition", DataType.Bool, scalar: true);
        string score = body.Input("score", DataType.Float, scalar: false);

        string emission = body.Node("Gather", [emissions, step], G.Int("axis", 0));              // [batch, tags]
        string inside = body.Node("Gather", [mask, step], G.Int("axis", 0));                      // [batch, 1]
        string candidates = body.Node("Add", [body.Node("Unsqueeze", [score, g.Constant("axes_2", [2L], 1)]), transitions]); // [batch, from, to]
        string best = body.Node("ReduceMax", [candidates], G.Ints("axes", 1), G.Int("keepdims", 0));
        string from = body.Node("ArgMax", [candidates], G.Int("axis", 1), G.Int("keepdims", 0));
        string keep = body.Node("Or", [body.Node("Equal", [step, g.Constant("zero", [0L])]), body.Node("Not", [inside])]);
        string next = body.Node("Where", [keep, score, body.Node("Add", [best, emission])]);

        body.Output(body.Node("Identity", [condition]), DataType.Bool);
        body.Output(next, DataType.Float);
        body.Output(from, DataType.Int64);
        return body;
    }

    /// <summary>
    /// Iteration i handles position t = time − 1 − i and carries the tag at t + 1 (or the best last tag while t + 1 is
    /// past the row): the tag at t is the back-pointer of step t + 1 for that tag when t is before the row's last
    /// token, the best last tag at the last token; emitted as −1 past the row.
    /// </summary>
    private static Subgraph BackwardBody(G g, string pointers, string lastTag, string lastRealStep, string lengths, string lastStep)
    {
        var body = new Subgraph(g, "viterbi_backward");
        string iteration = body.Input("i", DataType.Int64, scalar: true);
        string condition = body.Input("condition", DataType.Bool, scalar: true);
        string following = body.Input("following_tag", DataType.Int64, scalar: false);

        string position = body.Node("Sub", [lastStep, iteration]);
        // Step t + 1's pointers; at t = time − 1 there is no step t + 1 and the clamped index is never used.
        string pointerStep = body.Node("Min", [body.Node("Add", [position, g.Constant("one", [1L])]), lastStep]);
        string stepPointers = body.Node("Gather", [pointers, pointerStep], G.Int("axis", 0));                      // [batch, tags]
        string column = body.Node("Unsqueeze", [following, g.Constant("axes_1", [1L], 1)]);                       // [batch, 1]
        string followed = body.Node("Squeeze", [body.Node("GatherElements", [stepPointers, column], G.Int("axis", 1)), g.Constant("axes_1", [1L], 1)]);
        string tag = body.Node("Where", [body.Node("Less", [position, lastRealStep]), followed, lastTag]);
        string emitted = body.Node("Where", [body.Node("Less", [position, lengths]), tag, g.Constant("padding_tag", [-1L])]);

        body.Output(body.Node("Identity", [condition]), DataType.Bool);
        body.Output(tag, DataType.Int64);
        body.Output(emitted, DataType.Int64);
        return body;
    }

    private static P.AttributeProto Body(Subgraph body)
        => new() { Name = "body", Type = P.AttributeProto.Types.AttributeType.Graph, G = body.Graph };

    /// <summary>
    /// A Loop body. Names come from the outer builder so they are unique across the whole model, and the body reads
    /// outer tensors (constants, emissions) by name, which ONNX allows for subgraphs.
    /// </summary>
    private sealed class Subgraph(G outer, string name)
    {
        public P.GraphProto Graph { get; } = new() { Name = outer.Unique(name) };

        public string Input(string hint, DataType type, bool scalar)
        {
            string input = outer.Unique($"{Graph.Name}_{hint}");
            Graph.Input.Add(ValueInfo(input, type, scalar));
            return input;
        }

        public string Node(string opType, string[] inputs, params P.AttributeProto[] attributes)
        {
            string output = outer.Unique($"{Graph.Name}_{opType.ToLowerInvariant()}_out");
            var node = new P.NodeProto { OpType = opType, Name = $"{opType}_{output}" };
            node.Input.AddRange(inputs);
            node.Output.Add(output);
            node.Attribute.AddRange(attributes);
            Graph.Node.Add(node);
            return output;
        }

        public void Output(string tensor, DataType type) => Graph.Output.Add(ValueInfo(tensor, type, scalar: false));

        // Loop bodies need element types; shapes are left to the runtime except for the scalar iteration inputs.
        private static P.ValueInfoProto ValueInfo(string name, DataType type, bool scalar)
        {
            var tensor = new P.TypeProto.Types.Tensor { ElemType = (int)type };
            if (scalar)
                tensor.Shape = new P.TensorShapeProto();
            return new P.ValueInfoProto { Name = name, Type = new P.TypeProto { TensorType = tensor } };
        }
    }
}
