namespace Microsoft.ML.Recurrent.Audio;

/// <summary>Which time derivatives of the cepstral coefficients follow them in every frame.</summary>
public enum MfccDeltas
{
    /// <summary>Only the coefficients: <c>CoefficientCount</c> values per frame.</summary>
    None,

    /// <summary>The coefficients, then their first differences (deltas): twice <c>CoefficientCount</c> values per frame.</summary>
    Delta,

    /// <summary>The coefficients, their deltas and the deltas of the deltas: three times <c>CoefficientCount</c> values per frame.</summary>
    DeltaDelta,
}

/// <summary>How each recording's features are normalized, using statistics of that recording alone.</summary>
public enum UtteranceNormalization
{
    /// <summary>Features as computed. Nothing depends on frames that have not arrived yet (beyond the deltas' window).</summary>
    None,

    /// <summary>Each feature's mean over the recording's frames is subtracted (cepstral mean normalization).</summary>
    Mean,

    /// <summary>Each feature is shifted to mean 0 and scaled to standard deviation 1 over the recording's frames (CMVN).</summary>
    MeanVariance,
}
