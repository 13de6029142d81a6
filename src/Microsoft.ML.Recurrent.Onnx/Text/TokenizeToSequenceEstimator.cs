using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.Text;

/// <summary>
/// Turns a text column into a variable-length vector of Int32 token ids, with a vocabulary fitted on the training
/// data (words or characters) or taken from a Microsoft.ML.Tokenizers tokenizer (subwords), the way Keras'
/// <c>TextVectorization(output_mode="int")</c> does.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input column</term><description>scalar text (<see cref="ReadOnlyMemory{T}"/> of char).</description></item>
/// <item><term>Output column</term><description>variable-size vector of Int32 token ids.</description></item>
/// <item><term>Needs training</term><description>yes for <see cref="TokenGranularity.Word"/> and <see cref="TokenGranularity.Character"/> (one pass counting tokens); no for <see cref="TokenGranularity.Subword"/>.</description></item>
/// </list>
/// Ids are plain Int32 values rather than ML.NET keys, so that the recurrent trainers and <c>PadSequence</c> take
/// them directly (id 0 is the padding id that <c>PadSequence</c> pads with by default). Reserved ids:
/// 0 = <c>&lt;pad&gt;</c> (never produced), 1 = <c>&lt;unk&gt;</c> (tokens not in the vocabulary), and with
/// <see cref="Options.AddBeginEnd"/> 2 = <c>&lt;s&gt;</c> and 3 = <c>&lt;/s&gt;</c> around every sequence.
/// The fitted vocabulary follows them, ordered by descending frequency, ties broken by ordinal string order, so
/// fitting the same data always gives the same ids. A token spelled like a reserved name in the data is treated as unknown.
/// <para>
/// Fitting on data without a single token (no rows, or only empty text) throws an <see cref="InvalidOperationException"/>
/// naming the column. Null, empty or whitespace-only text gives an empty vector (or just <c>&lt;s&gt; &lt;/s&gt;</c> with
/// <see cref="Options.AddBeginEnd"/>). Words and characters are compared after Unicode NFC normalization and, by
/// default, invariant lower-casing. Word tokenization splits on whitespace and punctuation only: scripts written
/// without spaces (for example "東京は") form a single word unless separated by spaces or punctuation.
/// </para>
/// </remarks>
public sealed class TokenizeToSequenceEstimator : IEstimator<TokenizeToSequenceTransformer>
{
    /// <summary>Settings of <see cref="TokenizeToSequenceEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>Name of the output column (variable-size vector of Int32). Required.</summary>
        public string OutputColumnName { get; set; } = "";

        /// <summary>Name of the input text column. Default: null, meaning the same as <see cref="OutputColumnName"/>.</summary>
        public string? InputColumnName { get; set; }

        /// <summary>What a token is. Default: <see cref="TokenGranularity.Word"/>.</summary>
        public TokenGranularity Granularity { get; set; } = TokenGranularity.Word;

        /// <summary>
        /// Whether word and character tokens are lower-cased (invariant culture) before counting and look-up.
        /// Default: true. Ignored for <see cref="TokenGranularity.Subword"/>, where the tokenizer's own normalizer applies.
        /// </summary>
        public bool Lowercase { get; set; } = true;

        /// <summary>What word tokenization does with punctuation. Default: <see cref="PunctuationHandling.Separate"/>. Word granularity only.</summary>
        public PunctuationHandling Punctuation { get; set; } = PunctuationHandling.Separate;

        /// <summary>The tokenizer for <see cref="TokenGranularity.Subword"/>; required then, ignored otherwise. Default: null.</summary>
        public SubwordTokenizer? Subword { get; set; }

        /// <summary>
        /// Largest number of ids, counting the reserved ones; the most frequent tokens are kept. Default: 20000.
        /// 0 means unlimited; otherwise it must exceed the number of reserved ids (2, or 4 with <see cref="AddBeginEnd"/>).
        /// Ignored for <see cref="TokenGranularity.Subword"/>.
        /// </summary>
        public int MaximumVocabularySize { get; set; } = 20000;

        /// <summary>
        /// Tokens seen fewer times than this in the training data are left out of the vocabulary (and become unknown).
        /// Default: 1 (keep every token); must be at least 1. Ignored for <see cref="TokenGranularity.Subword"/>.
        /// </summary>
        public int MinimumFrequency { get; set; } = 1;

        /// <summary>Whether every sequence starts with <c>&lt;s&gt;</c> (id 2) and ends with <c>&lt;/s&gt;</c> (id 3). Default: false.</summary>
        public bool AddBeginEnd { get; set; }

        internal void Validate()
        {
            if (string.IsNullOrWhiteSpace(OutputColumnName))
                throw new ArgumentException("TokenizeToSequence: OutputColumnName must be set.", nameof(OutputColumnName));
            if (!Enum.IsDefined(Granularity))
                throw new ArgumentOutOfRangeException(nameof(Granularity), Granularity, "TokenizeToSequence: unknown granularity.");
            if (!Enum.IsDefined(Punctuation))
                throw new ArgumentOutOfRangeException(nameof(Punctuation), Punctuation, "TokenizeToSequence: unknown punctuation handling.");
            if (Granularity == TokenGranularity.Subword && Subword is null)
                throw new ArgumentException("TokenizeToSequence: Subword granularity needs a tokenizer in Options.Subword (for example SubwordTokenizer.Tiktoken(\"gpt-4\")).", nameof(Subword));
            int reserved = TokenizeToSequenceTransformer.ReservedCount(AddBeginEnd);
            if (MaximumVocabularySize < 0 || (MaximumVocabularySize > 0 && MaximumVocabularySize <= reserved))
                throw new ArgumentOutOfRangeException(nameof(MaximumVocabularySize), MaximumVocabularySize,
                    $"TokenizeToSequence: MaximumVocabularySize must be 0 (unlimited) or more than the {reserved} reserved ids.");
            if (MinimumFrequency < 1)
                throw new ArgumentOutOfRangeException(nameof(MinimumFrequency), MinimumFrequency, "TokenizeToSequence: MinimumFrequency must be at least 1.");
        }
    }

    internal const string ComponentName = "TokenizeToSequence";
    private readonly IHostEnvironment _environment;
    private readonly Options _options;

    internal TokenizeToSequenceEstimator(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _environment = environment;
        _options = options;
    }

    /// <summary>Checks the input column and, for words and characters, counts the tokens of every row to build the vocabulary.</summary>
    public TokenizeToSequenceTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaChecks.ShapeOf(input.Schema));
        var settings = TokenizeToSequenceTransformer.Settings.From(_options);
        if (_options.Granularity == TokenGranularity.Subword)
            return new TokenizeToSequenceTransformer(_environment, settings, [], _options.Subword);

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var column = input.Schema[settings.InputColumnName];
        var tokens = new List<string>();
        using (var cursor = input.GetRowCursor([column]))
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            var text = default(ReadOnlyMemory<char>);
            while (cursor.MoveNext())
            {
                getter(ref text);
                tokens.Clear();
                TokenizeToSequenceTransformer.Split(settings, text.ToString(), tokens);
                foreach (string token in tokens)
                    counts[token] = counts.GetValueOrDefault(token) + 1;
            }
        }
        // A vocabulary of reserved ids only would silently map every future token to <unk>: almost always a pipeline bug upstream.
        if (counts.Count == 0)
            throw new InvalidOperationException(
                $"TokenizeToSequence: the column '{settings.InputColumnName}' holds no tokens to fit a vocabulary on (the data has no rows, or every row is empty).");
        var learned = TokenizeToSequenceTransformer.SelectVocabulary(counts, _options.MaximumVocabularySize,
            _options.MinimumFrequency, TokenizeToSequenceTransformer.ReservedCount(_options.AddBeginEnd));
        return new TokenizeToSequenceTransformer(_environment, settings, learned, null);
    }

    /// <summary>Checks the input column and describes the output column.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        string inputName = _options.InputColumnName ?? _options.OutputColumnName;
        SchemaChecks.RequireColumn(inputSchema, ComponentName, "input", inputName,
            c => c.Kind == SchemaShape.Column.VectorKind.Scalar && c.ItemType is TextDataViewType,
            TokenizeToSequenceTransformer.ExpectedType);
        return SchemaChecks.WithColumns(inputSchema,
            SchemaChecks.NewColumn(_options.OutputColumnName, SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Int32, false));
    }
}
