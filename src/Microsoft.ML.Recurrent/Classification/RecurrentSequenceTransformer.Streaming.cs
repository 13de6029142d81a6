using Microsoft.ML.Recurrent.Streaming;

namespace Microsoft.ML.Recurrent.Classification;

public sealed partial class RecurrentSequenceTransformer
{
    /// <summary>
    /// An engine that reads one sequence a step at a time and gives the prediction so far (see
    /// <see cref="SequenceStreamingEngine"/>); after the last step it equals this model's prediction for the whole
    /// sequence. Throws <see cref="InvalidOperationException"/> for a bidirectional model, whose backward direction
    /// needs the end of the sequence first.
    /// </summary>
    public SequenceStreamingEngine CreateStreamingEngine() => new(this, Networks);
}
