using System.Text.Json.Serialization;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Text;

namespace Microsoft.ML.Recurrent.LanguageModeling;

/// <summary>
/// Everything a trained language model needs besides its weights: the network's shape, how rows of token ids form
/// the token stream, the vocabulary it decodes with and the columns it reads and writes. Saved as JSON inside the
/// model .zip.
/// </summary>
public sealed record LanguageModelSettings
{
    /// <summary>Input column of token ids (a vector of Int32, Int64, UInt32 or key), read for the log-probability column and by evaluation.</summary>
    public string TokenColumnName { get; init; } = "Tokens";

    /// <summary>The recurrent cell of every layer.</summary>
    public RecurrentCellType CellType { get; init; } = RecurrentCellType.Lstm;

    /// <summary>Number of token ids (the output layer's width); every id in the data is below it.</summary>
    public int VocabularySize { get; init; }

    /// <summary>Width of the token embedding.</summary>
    public int EmbeddingSize { get; init; }

    /// <summary>Hidden units per layer.</summary>
    public int HiddenSize { get; init; }

    /// <summary>Stacked recurrent layers.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Whether the output projection reuses the embedding matrix.</summary>
    public bool TieWeights { get; init; }

    /// <summary>Steps per window when evaluating a long stream (the training BPTT length).</summary>
    public int SequenceLength { get; init; } = 35;

    /// <summary>
    /// True when rows come wrapped in <c>&lt;s&gt;</c> (id 2) … <c>&lt;/s&gt;</c> (id 3), from a tokenizer fitted with
    /// <c>AddBeginEnd</c>: the leading <c>&lt;s&gt;</c> of each row is dropped from the stream, leaving
    /// <c>&lt;/s&gt;</c> as the end-of-sequence token between rows.
    /// </summary>
    public bool RowsHaveBeginEnd { get; init; }

    /// <summary>Id appended after every row's tokens when the rows carry no end token themselves; null for none.</summary>
    public int? SeparatorTokenId { get; init; }

    /// <summary>Input text column continued by the generated column; null when the model adds no generated column.</summary>
    public string? PromptColumnName { get; init; }

    /// <summary>Output text column holding the continuation of <see cref="PromptColumnName"/>.</summary>
    public string GeneratedColumnName { get; init; } = "Generated";

    /// <summary>Output Single column: the natural-log probability of each row's tokens; null for none.</summary>
    public string? LogProbabilityColumnName { get; init; } = "LogProbability";

    /// <summary>How the generated column is produced.</summary>
    public GenerationOptions Generation { get; init; } = new();

    /// <summary>
    /// The seed the generated column samples with when <see cref="GenerationOptions.Seed"/> is null: the training
    /// run's seed, so that two fits with the same MLContext seed generate the same text. Models saved before this
    /// setting existed read it as 0.
    /// </summary>
    public int SamplingSeed { get; init; }

    /// <summary>The id that ends a sentence or line in the stream (and stops generation), or null when there is none.</summary>
    [JsonIgnore]
    public int? EndOfSequenceId => RowsHaveBeginEnd ? TokenizeToSequenceTransformer.EndId : SeparatorTokenId;

    /// <summary>The fitted tokenizer's settings, so that prompts are encoded and ids decoded after loading; null without a tokenizer.</summary>
    [JsonInclude]
    internal TokenizeToSequenceTransformer.Settings? Tokenizer { get; init; }

    /// <summary>The tokenizer's learned tokens (ids after the reserved ones); empty for subwords.</summary>
    [JsonInclude]
    internal string[]? TokenizerVocabulary { get; init; }

    /// <summary>Validates these settings (<see cref="ValidateShape"/>) and returns the network's shape from them.</summary>
    internal LanguageModelShape NetworkShape()
    {
        ValidateShape();
        return new LanguageModelShape(CellType, VocabularySize, EmbeddingSize, HiddenSize, Layers, TieWeights);
    }

    internal void ValidateShape()
    {
        if (VocabularySize < 2)
            throw new ArgumentOutOfRangeException(nameof(VocabularySize), VocabularySize, "The vocabulary needs at least 2 ids.");
        if (EmbeddingSize < 1 || HiddenSize < 1 || Layers < 1 || SequenceLength < 1)
            throw new ArgumentOutOfRangeException(nameof(HiddenSize), "Embedding size, hidden size, layers and sequence length must be at least 1.");
        if (TieWeights && EmbeddingSize != HiddenSize)
            throw new ArgumentException($"Weight tying needs EmbeddingSize ({EmbeddingSize}) equal to HiddenSize ({HiddenSize}).", nameof(TieWeights));
        if (!Enum.IsDefined(CellType))
            throw new ArgumentOutOfRangeException(nameof(CellType), CellType, "Unknown recurrent cell type.");
        if (SeparatorTokenId is int separator && (separator < 1 || separator >= VocabularySize))
            throw new ArgumentOutOfRangeException(nameof(SeparatorTokenId), separator, $"The separator id must lie in [1, {VocabularySize}).");
    }
}
