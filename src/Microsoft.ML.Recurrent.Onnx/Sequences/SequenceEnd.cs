namespace Microsoft.ML.Recurrent.Sequences;

/// <summary>Which end of a sequence padding is added to, or truncation removes elements from.</summary>
public enum SequenceEnd
{
    /// <summary>The beginning of the sequence (Keras: <c>'pre'</c>).</summary>
    Start,

    /// <summary>The end of the sequence (Keras: <c>'post'</c>).</summary>
    End,
}
