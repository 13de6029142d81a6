namespace Microsoft.ML.Recurrent.Sequences;

/// <summary>Which end of a sequence padding is added to, or truncation removes elements from (or, for truncation, its middle).</summary>
public enum SequenceEnd
{
    /// <summary>The beginning of the sequence (Keras: <c>'pre'</c>).</summary>
    Start,

    /// <summary>The end of the sequence (Keras: <c>'post'</c>).</summary>
    End,

    /// <summary>
    /// Truncation only: the middle of the sequence goes, keeping its head and its tail (the first half of the kept
    /// length, rounded up, and the last half). Long documents often state their point at the start and sum up at the
    /// end; for long reviews keeping both ends is the usual choice (Sun et al. 2019, "How to Fine-Tune BERT for Text
    /// Classification", head+tail on IMDb).
    /// </summary>
    Middle,
}
