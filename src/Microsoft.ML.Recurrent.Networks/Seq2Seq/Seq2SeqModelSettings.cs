using Microsoft.ML.Recurrent.Modules;

namespace Microsoft.ML.Recurrent.Seq2Seq;

/// <summary>
/// Everything a trained sequence-to-sequence model needs besides its weights: the network's shape, the special
/// target ids, how to decode, and optionally the target vocabulary for text output. Saved as JSON inside the model .zip.
/// </summary>
public sealed record Seq2SeqModelSettings
{
    /// <summary>Input column: source token ids.</summary>
    public string SourceColumnName { get; init; } = "Source";

    /// <summary>Output column: predicted target ids (vector of Int32, without begin and end ids).</summary>
    public string PredictedTokensColumnName { get; init; } = "PredictedTokens";

    /// <summary>Output column with the decoded text, or null when no target vocabulary was given.</summary>
    public string? PredictedTextColumnName { get; init; }

    /// <summary>The recurrent cell of the encoder and the decoder.</summary>
    public RecurrentCellType CellType { get; init; }

    /// <summary>Encoder hidden units per direction; the decoder has this times the number of directions.</summary>
    public int HiddenSize { get; init; }

    /// <summary>Stacked encoder layers.</summary>
    public int Layers { get; init; }

    /// <summary>Whether the encoder also reads the source backwards.</summary>
    public bool Bidirectional { get; init; }

    /// <summary>How the decoder attends over the encoder outputs.</summary>
    public AttentionKind Attention { get; init; }

    /// <summary>Width of the source and target embeddings.</summary>
    public int EmbeddingSize { get; init; }

    /// <summary>Source ids the encoder knows; ids at or above it are read as unknown (1).</summary>
    public int SourceVocabularySize { get; init; }

    /// <summary>Target ids the decoder can emit (its output width), begin and end ids included.</summary>
    public int TargetVocabularySize { get; init; }

    /// <summary>Target id that starts decoding (<c>&lt;s&gt;</c>): 2 for a tokenizer with AddBeginEnd, else the vocabulary size before the trainer added it.</summary>
    public int BeginId { get; init; } = 2;

    /// <summary>Target id that ends a sequence (<c>&lt;/s&gt;</c>): 3 for a tokenizer with AddBeginEnd, else <see cref="BeginId"/> + 1.</summary>
    public int EndId { get; init; } = 3;

    /// <summary>Source ids read per row; longer sources are cut to their first ids. 0 = no limit.</summary>
    public int MaximumSourceLength { get; init; }

    /// <summary>Most ids generated per row, the end id included.</summary>
    public int MaximumTargetLength { get; init; }

    /// <summary>Hypotheses kept by beam search; 1 = greedy decoding.</summary>
    public int BeamWidth { get; init; } = 1;

    /// <summary>Length normalization exponent α of beam search (GNMT: score / ((5 + length) / 6)^α); 0 = raw log-probability.</summary>
    public double LengthPenalty { get; init; }

    /// <summary>Token of each target id (index = id), or null; gives the text column.</summary>
    public string[]? TargetVocabulary { get; init; }

    /// <summary>String placed between decoded tokens: "" for characters, " " for words.</summary>
    public string TargetTokenSeparator { get; init; } = " ";
}
