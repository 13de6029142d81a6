using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Recurrent.Text;

/// <summary>
/// A Microsoft.ML.Tokenizers tokenizer for <see cref="TokenGranularity.Subword"/> tokenization, together with how
/// a saved model recreates it.
/// </summary>
/// <remarks>
/// A <see cref="Tokenizer"/> object cannot be written into a model file in general (its pre-tokenizer and normalizer
/// are arbitrary code), so a model keeps a description instead:
/// <list type="bullet">
/// <item><description><see cref="Tiktoken(string)"/>: savable. The model stores the model name (for example
/// <c>"gpt-4"</c>) and recreates the tokenizer with <see cref="TiktokenTokenizer.CreateForModel(string, IReadOnlyDictionary{string, int}?, Normalizer?)"/>
/// on load, so the application loading the model needs the matching data package
/// (<c>Microsoft.ML.Tokenizers.Data.Cl100kBase</c> for gpt-4 and gpt-3.5, <c>...O200kBase</c> for gpt-4o, and so on).</description></item>
/// <item><description><see cref="FromTokenizer(Tokenizer, int?)"/>: any tokenizer (BPE, WordPiece, SentencePiece, ...).
/// Usable for fitting and scoring in memory, but saving the model fails with an <see cref="InvalidOperationException"/>
/// that says to use <see cref="Tiktoken(string)"/>.</description></item>
/// </list>
/// </remarks>
public sealed class SubwordTokenizer
{
    internal const string SavableKinds = "only subword tokenizers created with SubwordTokenizer.Tiktoken(modelName) can be saved";

    private SubwordTokenizer(Tokenizer tokenizer, string? tiktokenModelName, int vocabularySize)
    {
        Tokenizer = tokenizer;
        TiktokenModelName = tiktokenModelName;
        VocabularySize = vocabularySize;
    }

    /// <summary>The tokenizer that encodes and decodes.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>The Tiktoken model name this tokenizer was created for; null when it was given as an object.</summary>
    public string? TiktokenModelName { get; }

    /// <summary>Number of ids the tokenizer produces (its largest id plus one), before the reserved ids are added.</summary>
    public int VocabularySize { get; }

    /// <summary>True when a model using this tokenizer can be saved.</summary>
    public bool IsSavable => TiktokenModelName is not null;

    /// <summary>
    /// The Tiktoken tokenizer OpenAI uses for <paramref name="modelName"/> (for example <c>"gpt-4"</c>), created with
    /// <see cref="TiktokenTokenizer.CreateForModel(string, IReadOnlyDictionary{string, int}?, Normalizer?)"/>. Needs the
    /// data package of the model's encoding, in the application that fits and in the one that loads the model.
    /// </summary>
    /// <param name="modelName">An OpenAI model name known to Microsoft.ML.Tokenizers.</param>
    public static SubwordTokenizer Tiktoken(string modelName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        TiktokenTokenizer tokenizer;
        try
        {
            tokenizer = TiktokenTokenizer.CreateForModel(modelName);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException or FileNotFoundException)
        {
            throw new ArgumentException(
                $"TokenizeToSequence: cannot create the Tiktoken tokenizer for model '{modelName}': {e.Message} " +
                "Check the model name and reference the matching Microsoft.ML.Tokenizers.Data.* package.", nameof(modelName), e);
        }
        return new SubwordTokenizer(tokenizer, modelName, InferVocabularySize(tokenizer)!.Value);
    }

    /// <summary>
    /// Any Microsoft.ML.Tokenizers tokenizer. Models using it work in memory but cannot be saved.
    /// </summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="vocabularySize">
    /// Its largest id plus one. Default: null, meaning read from the tokenizer, which works for Tiktoken, BPE and
    /// SentencePiece tokenizers (for Tiktoken: the largest special-token id plus one); required for others (WordPiece, BERT, ...). Must be positive.
    /// </param>
    public static SubwordTokenizer FromTokenizer(Tokenizer tokenizer, int? vocabularySize = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (vocabularySize is <= 0)
            throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize, "TokenizeToSequence: vocabularySize must be positive.");
        int size = vocabularySize ?? InferVocabularySize(tokenizer)
            ?? throw new ArgumentException(
                $"TokenizeToSequence: the vocabulary size of a {tokenizer.GetType().Name} cannot be read from it; pass vocabularySize.",
                nameof(vocabularySize));
        return new SubwordTokenizer(tokenizer, null, size);
    }

    private static int? InferVocabularySize(Tokenizer tokenizer)
    {
        // Tiktoken keeps its full encoder internal; OpenAI's encodings number their special tokens after every
        // regular token, so the largest special-token id bounds all ids.
        IEnumerable<int>? ids = tokenizer switch
        {
            TiktokenTokenizer t => t.SpecialTokens?.Values ?? [],
            BpeTokenizer b => b.Vocabulary.Values.Concat(b.SpecialTokens?.Values ?? []),
            SentencePieceTokenizer s => s.Vocabulary.Values.Concat(s.SpecialTokens?.Values ?? []),
            _ => null,
        };
        return ids is null ? null : ids.DefaultIfEmpty(-1).Max() + 1;
    }
}
