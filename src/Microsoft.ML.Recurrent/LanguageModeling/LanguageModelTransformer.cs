using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Text;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;


namespace Microsoft.ML.Recurrent.LanguageModeling;

/// <summary>
/// A trained recurrent language model: scores token sequences, continues prompts and evaluates perplexity.
/// Produced by <see cref="LanguageModelTrainer"/>; saved and loaded with <c>mlContext.Model</c> like any transformer.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>LogProbability</term><description>(Single, when <see cref="LanguageModelSettings.LogProbabilityColumnName"/> is set) the natural-log probability of the row's tokens, each predicted from the tokens before it, starting from the end-of-sequence token when the model has one (else the first token is not scored).</description></item>
/// <item><term>Generated</term><description>(text, when <see cref="LanguageModelSettings.PromptColumnName"/> is set) the continuation of the prompt column, made with <see cref="LanguageModelSettings.Generation"/>; each row samples with a seed mixed from the options' seed (else the model's <see cref="LanguageModelSettings.SamplingSeed"/>) and its prompt, so equal prompts give equal text on every cursor and after save and load (<see cref="GenerationOptions.RandomEachCall"/> samples afresh instead).</description></item>
/// </list>
/// Text methods (<see cref="Generate"/>, <see cref="GenerateTokens"/>, <see cref="Encode"/>, <see cref="Decode"/>)
/// need the model to have been trained with <see cref="LanguageModelTrainerOptions.Tokenizer"/>; its vocabulary is
/// saved inside the model.
/// </remarks>
public sealed partial class LanguageModelTransformer : TorchTransformerBase<LanguageModelSettings>, ILoadableTransformer<LanguageModelTransformer>
{
    internal const string LoaderSignature = "RecurrentLanguageModel";
    internal static readonly ComponentFormat Format = new("RNNLMODL", LoaderSignature, FormatVersion: 1) { LoaderAssembly = typeof(LanguageModelTransformer).Assembly };
    private readonly TokenizeToSequenceTransformer? _tokenizer;

    internal LanguageModelTransformer(IHostEnvironment environment, LanguageModelSettings settings, TorchNetworks network)
        : base(environment, nameof(LanguageModelTransformer), Format, settings, network)
    {
        if (settings.Tokenizer is { } tokenizerSettings)
        {
            var subword = tokenizerSettings.Granularity == TokenGranularity.Subword ? SubwordTokenizer.Tiktoken(tokenizerSettings.TiktokenModelName!) : null;
            _tokenizer = new TokenizeToSequenceTransformer(environment, tokenizerSettings, settings.TokenizerVocabulary ?? [], subword);
            if (_tokenizer.VocabularySize > settings.VocabularySize)
                throw new InvalidDataException($"The model's tokenizer has {_tokenizer.VocabularySize} ids but the network only {settings.VocabularySize}.");
        }
    }

    /// <summary>The network's shape, the stream layout, the columns and the generation defaults.</summary>
    public LanguageModelSettings ModelSettings => Settings;

    /// <summary>The token of every id (index = id), reserved names first; null when the model was trained without a tokenizer.</summary>
    public IReadOnlyList<string>? Vocabulary => _tokenizer?.Vocabulary;

    /// <summary>The tokenizer the model was trained with (rebuilt from the saved vocabulary after loading); null without one.</summary>
    public TokenizeToSequenceTransformer? Tokenizer => _tokenizer;

    internal LanguageModelNetwork Network => (LanguageModelNetwork)Networks[0];

    /// <summary>Encodes text as the training data was encoded. Throws <see cref="InvalidOperationException"/> without a tokenizer.</summary>
    public int[] Encode(string text) => RequireTokenizer().Encode(text);

    /// <summary>Turns ids back into text with the model's vocabulary (see <see cref="TokenizeToSequenceTransformer.Decode"/>).</summary>
    public string Decode(IEnumerable<int> ids) => RequireTokenizer().Decode(ids);

    /// <summary>
    /// Cross-entropy, perplexity, bits per token and top-1/top-5 accuracy of the next-token predictions over
    /// <paramref name="data"/>, read as one stream exactly as the trainer reads it. The column may hold token ids or,
    /// for a model with a tokenizer, text. The stream is cut into <paramref name="batchSize"/> parallel segments
    /// (the first token of each has no context and is not counted; 1 scores every token but the first).
    /// </summary>
    /// <param name="data">The rows to score, in order.</param>
    /// <param name="columnName">Token-id or text column. Default: <see cref="LanguageModelSettings.TokenColumnName"/>.</param>
    /// <param name="batchSize">Parallel segments. Default 16; at least 1.</param>
    public LanguageModelMetrics Evaluate(IDataView data, string? columnName = null, int batchSize = 16)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int[] stream = TokenStream.Read(data, columnName ?? Settings.TokenColumnName, Settings, _tokenizer, Settings.VocabularySize, "evaluation");
        if (stream.Length < 2)
            throw new ArgumentException("Evaluation needs at least 2 tokens.", nameof(data));
        return LanguageModelScorer.Score(Network, stream, batchSize, Settings.SequenceLength).ToMetrics();
    }

    /// <summary>
    /// Natural-log probability of one row's tokens from a fresh state, as the LogProbability column computes it.
    /// Ids outside the vocabulary fail, naming the position.
    /// </summary>
    internal float LogProbability(ReadOnlySpan<long> row)
    {
        var ids = new List<long>(row.Length + 2);
        if (Settings.EndOfSequenceId is int end)
            ids.Add(end);
        int start = Settings.RowsHaveBeginEnd && row.Length > 0 && row[0] == TokenizeToSequenceTransformer.BeginId ? 1 : 0;
        for (int i = start; i < row.Length; i++)
        {
            if (row[i] == TokenizeToSequenceTransformer.PaddingId)
                continue;
            if (row[i] < 0 || row[i] >= Settings.VocabularySize)
                throw new InvalidDataException($"Column '{Settings.TokenColumnName}': token id {row[i]} at position {i} is outside the model's vocabulary [1, {Settings.VocabularySize}).");
            ids.Add(row[i]);
        }
        if (Settings.SeparatorTokenId is int separator)
            ids.Add(separator);
        if (ids.Count < 2)
            return 0;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(ids.ToArray(), [1, ids.Count], device: NetworkDevice);
        var (logits, state) = Network.Forward(input.narrow(1, 0, ids.Count - 1), null);
        var logProbabilities = nn.functional.log_softmax(logits, -1).gather(2, input.narrow(1, 1, ids.Count - 1).unsqueeze(2));
        return logProbabilities.sum().ToSingle();
    }

    private TokenizeToSequenceTransformer RequireTokenizer() => _tokenizer
        ?? throw new InvalidOperationException("This language model was trained without a tokenizer, so it has no vocabulary for text; " +
            "set LanguageModelTrainerOptions.Tokenizer to the fitted TokenizeToSequence transformer, or use GenerateIds with token ids.");

    static LanguageModelTransformer ILoadableTransformer<LanguageModelTransformer>.Load(IHostEnvironment env, ComponentReader reader)
    {
        var loaded = LoadCore(env, reader, Format, s => new LanguageModelNetwork(s.NetworkShape()));
        return new LanguageModelTransformer(env, loaded.Settings, new(loaded.Networks[0])) { Story = loaded.Story };
    }

    private protected override RowMapping CreateMapping(DataViewSchema inputSchema) => new Mapper(this, inputSchema);
}
