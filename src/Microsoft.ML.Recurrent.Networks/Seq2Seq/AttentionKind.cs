namespace Microsoft.ML.Recurrent.Seq2Seq;

/// <summary>How the decoder scores each encoder output against its own state to decide where to look.</summary>
public enum AttentionKind
{
    /// <summary>
    /// Luong et al. (2015) "dot": score = h_t · e_s, with h_t the decoder state after reading the step's input. No
    /// parameters; the decoder's hidden size equals the encoder's output width so the product is defined.
    /// </summary>
    LuongDot,

    /// <summary>Luong et al. (2015) "general": score = h_t · W e_s, a learned bilinear form.</summary>
    LuongGeneral,

    /// <summary>
    /// Bahdanau et al. (2015) additive: score = v · tanh(W₁ e_s + W₂ h_{t−1}), computed from the previous decoder
    /// state, and the context is fed into the recurrent cell with the previous token.
    /// </summary>
    BahdanauAdditive,
}
