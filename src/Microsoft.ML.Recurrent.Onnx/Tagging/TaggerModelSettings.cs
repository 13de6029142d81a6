using Microsoft.ML.Recurrent.Modules;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// Everything a trained sequence tagger needs besides its weights: columns, vocabularies, tag set and network shape.
/// Saved as JSON inside the model .zip.
/// </summary>
public sealed record TaggerModelSettings
{
    /// <summary>Input column: a vector of text tokens.</summary>
    public string TokenColumnName { get; init; } = "Tokens";

    /// <summary>Output column: a vector of predicted tags (text), one per input token.</summary>
    public string PredictedTagsColumnName { get; init; } = "PredictedTags";

    /// <summary>The tag set, in the order of the network's outputs.</summary>
    public string[] Tags { get; init; } = [];

    /// <summary>Known words, normalized as <see cref="LowercaseWords"/> and <see cref="ReplaceDigits"/> say; word id = index + 2 (0 padding, 1 unknown).</summary>
    public string[] Words { get; init; } = [];

    /// <summary>Known characters; character id = index + 2 (0 padding, 1 unknown). Empty without character features.</summary>
    public string Characters { get; init; } = "";

    /// <summary>Whether words are lowercased before the vocabulary lookup (casing is then a separate feature).</summary>
    public bool LowercaseWords { get; init; }

    /// <summary>Whether every digit is replaced by 0 before the vocabulary lookup.</summary>
    public bool ReplaceDigits { get; init; }

    /// <summary>Characters read per word (longer words keep their first and last characters); 0 without character features.</summary>
    public int MaxWordCharacters { get; init; }

    /// <summary>Width of the word embedding.</summary>
    public int WordEmbeddingSize { get; init; }

    /// <summary>Width of the casing embedding; 0 without casing features.</summary>
    public int CasingEmbeddingSize { get; init; }

    /// <summary>Width of the character embedding.</summary>
    public int CharacterEmbeddingSize { get; init; }

    /// <summary>Character CNN filters (features per word from its spelling).</summary>
    public int CharacterFilters { get; init; }

    /// <summary>The recurrent cell.</summary>
    public RecurrentCellType CellType { get; init; }

    /// <summary>Hidden units per direction and layer of the bidirectional encoder.</summary>
    public int HiddenSize { get; init; }

    /// <summary>Stacked bidirectional layers.</summary>
    public int Layers { get; init; }

    /// <summary>Whether a CRF layer chooses the tag sequence (Viterbi) instead of independent per-token choices.</summary>
    public bool UseCrf { get; init; }

    /// <summary>True when the network reads each word's characters.</summary>
    public bool UsesCharacters => MaxWordCharacters > 0 && CharacterFilters > 0;

    /// <summary>Throws <see cref="InvalidDataException"/> when the settings (e.g. read from a damaged file) cannot describe a network.</summary>
    internal void Validate()
    {
        if (Tags.Length < 1 || Tags.Distinct(StringComparer.Ordinal).Count() != Tags.Length || WordEmbeddingSize < 1 || HiddenSize < 1 || Layers < 1
            || MaxWordCharacters < 0 || CasingEmbeddingSize < 0 || (UsesCharacters && CharacterEmbeddingSize < 1) || string.IsNullOrEmpty(TokenColumnName)
            || string.IsNullOrEmpty(PredictedTagsColumnName))
            throw new InvalidDataException("The sequence tagger's saved settings are inconsistent (tag set, sizes or column names); the model file is damaged.");
    }
}
