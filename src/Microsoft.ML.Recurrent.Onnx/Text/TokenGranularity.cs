namespace Microsoft.ML.Recurrent.Text;

/// <summary>What one token of <see cref="TokenizeToSequenceEstimator"/> is.</summary>
public enum TokenGranularity
{
    /// <summary>
    /// Words: runs of text between whitespace, with punctuation handled by <see cref="PunctuationHandling"/>.
    /// The vocabulary is fitted on the training data.
    /// </summary>
    Word,

    /// <summary>
    /// Characters: every Unicode text element (grapheme cluster, so an emoji with its skin-tone modifier or a letter
    /// with its combining accent is one token) is a token, whitespace included. The vocabulary is fitted on the training data.
    /// </summary>
    Character,

    /// <summary>
    /// Subwords from a Microsoft.ML.Tokenizers tokenizer (BPE, Tiktoken, WordPiece, SentencePiece) given by
    /// <see cref="SubwordTokenizer"/>; the tokenizer's own vocabulary is used and nothing is fitted.
    /// </summary>
    Subword,
}
