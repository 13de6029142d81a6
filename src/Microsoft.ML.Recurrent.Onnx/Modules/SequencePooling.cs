namespace Microsoft.ML.Recurrent.Modules;

/// <summary>
/// How a sequence classifier or regressor turns the encoder's outputs over time into one vector for its output layer.
/// Padding never takes part: every mode reads only the steps within each sequence's length.
/// </summary>
public enum SequencePooling
{
    /// <summary>
    /// The final states: the forward direction's output at the last real step, and for a bidirectional encoder the
    /// backward direction's output at the first step. The classic choice, and the default.
    /// </summary>
    Last,

    /// <summary>The element-wise maximum of the top layer's outputs over the real steps (InferSent-style max pooling).</summary>
    Max,

    /// <summary>The mean of the top layer's outputs over the real steps.</summary>
    Mean,

    /// <summary>
    /// A learned weighted average of the top layer's outputs: weights softmax(v · tanh(W h_t + b)) over the real steps
    /// (attention pooling as in Yang et al. 2016). Adds (H + 1) × H + H parameters for outputs of width H.
    /// </summary>
    Attention,
}
