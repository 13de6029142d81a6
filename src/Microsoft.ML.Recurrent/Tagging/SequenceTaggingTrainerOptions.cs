using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// Settings of <see cref="SequenceTaggingTrainer"/>: the columns, the features, the network and (inherited) the
/// training controls. The defaults are a BiLSTM-CRF with character CNN, casing feature and word dropout, the usual
/// recipe for named-entity recognition without pre-trained embeddings.
/// </summary>
public sealed class SequenceTaggingTrainerOptions : TrainingOptions
{
    /// <summary>Sets the tagger's training defaults: batches of 16 at learning rate 2e-3.</summary>
    public SequenceTaggingTrainerOptions()
    {
        BatchSize = 16;
        LearningRate = 2e-3;
    }

    /// <summary>Input column: a vector of text tokens (or keys with text values), one sentence per row. Default "Tokens".</summary>
    public string TokenColumnName { get; set; } = "Tokens";

    /// <summary>Label column: a vector of tags (text, or keys with text values), one per token. Default "Tags".</summary>
    public string TagColumnName { get; set; } = "Tags";

    /// <summary>Output column: a vector of predicted tags (text), always as long as the input token vector. Default "PredictedTags".</summary>
    public string PredictedTagsColumnName { get; set; } = "PredictedTags";

    /// <summary>Width of the word embedding. Default 100; at least 1.</summary>
    public int WordEmbeddingSize { get; set; } = 100;

    /// <summary>Words seen fewer times in training than this are unknown to the word embedding (their spelling still counts). Default 1; at least 1.</summary>
    public int MinWordCount { get; set; } = 1;

    /// <summary>Look words up lowercased (their casing is then the casing feature's job). Default true.</summary>
    public bool LowercaseWords { get; set; } = true;

    /// <summary>Look words up with every digit replaced by 0, so that numbers share embeddings. Default true.</summary>
    public bool ReplaceDigits { get; set; } = true;

    /// <summary>Width of the embedding of each token's casing class (lower, Capitalized, UPPER, mixed, digits, ...); 0 disables the feature. Default 8.</summary>
    public int CasingEmbeddingSize { get; set; } = 8;

    /// <summary>Read each word's characters with a CNN, so that unseen words get features from their spelling. Default true.</summary>
    public bool CharacterFeatures { get; set; } = true;

    /// <summary>Width of the character embedding. Default 30; at least 1.</summary>
    public int CharacterEmbeddingSize { get; set; } = 30;

    /// <summary>Filters of the character CNN (window 3), i.e. spelling features per word. Default 50; at least 1.</summary>
    public int CharacterFilters { get; set; } = 50;

    /// <summary>Characters read per word; longer words keep their first and last characters. Default 20; at least 1.</summary>
    public int MaxWordCharacters { get; set; } = 20;

    /// <summary>The recurrent cell. Default <see cref="RecurrentCellType.Lstm"/>.</summary>
    public RecurrentCellType CellType { get; set; } = RecurrentCellType.Lstm;

    /// <summary>Hidden units per direction of the bidirectional encoder. Default 100; at least 1.</summary>
    public int HiddenSize { get; set; } = 100;

    /// <summary>Stacked bidirectional layers. Default 1; at least 1.</summary>
    public int Layers { get; set; } = 1;

    /// <summary>Choose the tag sequence with a CRF layer (Viterbi decoding), which keeps tags consistent (no I-PER after B-ORG). Default true.</summary>
    public bool UseCrf { get; set; } = true;

    /// <summary>Dropout on the token features, between layers and before the output layer, during training; in [0, 1). Default 0.5.</summary>
    public double Dropout { get; set; } = 0.5;

    /// <summary>Probability that a known word is read as unknown during training, in [0, 1). Default 0.05.</summary>
    public double WordDropout { get; set; } = 0.05;

    internal void ValidateTagger()
    {
        Validate();
        Require(!string.IsNullOrWhiteSpace(TokenColumnName), nameof(TokenColumnName), TokenColumnName, "must be set");
        Require(!string.IsNullOrWhiteSpace(TagColumnName), nameof(TagColumnName), TagColumnName, "must be set");
        Require(!string.IsNullOrWhiteSpace(PredictedTagsColumnName), nameof(PredictedTagsColumnName), PredictedTagsColumnName, "must be set");
        Require(WordEmbeddingSize >= 1, nameof(WordEmbeddingSize), WordEmbeddingSize, "must be at least 1");
        Require(MinWordCount >= 1, nameof(MinWordCount), MinWordCount, "must be at least 1");
        Require(CasingEmbeddingSize >= 0, nameof(CasingEmbeddingSize), CasingEmbeddingSize, "must be at least 0");
        Require(CharacterEmbeddingSize >= 1, nameof(CharacterEmbeddingSize), CharacterEmbeddingSize, "must be at least 1");
        Require(CharacterFilters >= 1, nameof(CharacterFilters), CharacterFilters, "must be at least 1");
        Require(MaxWordCharacters >= 1, nameof(MaxWordCharacters), MaxWordCharacters, "must be at least 1");
        Require(Enum.IsDefined(CellType), nameof(CellType), CellType, "must be a defined RecurrentCellType");
        Require(HiddenSize >= 1, nameof(HiddenSize), HiddenSize, "must be at least 1");
        Require(Layers >= 1, nameof(Layers), Layers, "must be at least 1");
        Require(Dropout is >= 0 and < 1, nameof(Dropout), Dropout, "must lie in [0, 1)");
        Require(WordDropout is >= 0 and < 1, nameof(WordDropout), WordDropout, "must lie in [0, 1)");
    }

    private static void Require(bool condition, string name, object value, string rule)
    {
        if (!condition)
            throw new ArgumentOutOfRangeException(name, value, $"{name} {rule}.");
    }
}
