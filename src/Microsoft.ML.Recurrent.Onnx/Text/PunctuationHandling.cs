namespace Microsoft.ML.Recurrent.Text;

/// <summary>
/// What <see cref="TokenGranularity.Word"/> tokenization does with punctuation, meaning text elements whose first
/// code point is in a Unicode punctuation category (<see cref="System.Text.Rune.IsPunctuation(System.Text.Rune)"/>:
/// connector, dash, open, close, initial, final and other punctuation). Symbols such as <c>$</c>, <c>+</c> or emoji are
/// not punctuation: they are part of words.
/// </summary>
public enum PunctuationHandling
{
    /// <summary>Every punctuation character is a token of its own: <c>"hi, you!"</c> gives <c>hi , you !</c>.</summary>
    Separate,

    /// <summary>Punctuation is dropped and separates words: <c>"hi, you!"</c> gives <c>hi you</c>.</summary>
    Remove,

    /// <summary>Punctuation stays inside the word it touches: <c>"hi, you!"</c> gives <c>hi, you!</c>.</summary>
    Keep,
}
