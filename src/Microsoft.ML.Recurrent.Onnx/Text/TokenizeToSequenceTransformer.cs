using System.Collections;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Text;
using Microsoft.ML.Runtime;


namespace Microsoft.ML.Recurrent.Text;

/// <summary>Maps text to a vector of Int32 token ids and back; produced by <see cref="TokenizeToSequenceEstimator"/>.</summary>
public sealed class TokenizeToSequenceTransformer : RecurrentTransformerBase, ILoadableTransformer<TokenizeToSequenceTransformer>
{
    /// <summary>Id of the padding token <c>&lt;pad&gt;</c>; never produced by <see cref="Encode"/>.</summary>
    public const int PaddingId = 0;

    /// <summary>Id of the unknown token <c>&lt;unk&gt;</c>, given to tokens outside the vocabulary.</summary>
    public const int UnknownId = 1;

    /// <summary>Id of the begin token <c>&lt;s&gt;</c> (only with <c>AddBeginEnd</c>).</summary>
    public const int BeginId = 2;

    /// <summary>Id of the end token <c>&lt;/s&gt;</c> (only with <c>AddBeginEnd</c>).</summary>
    public const int EndId = 3;

    internal const string LoaderSignature = "RecurrentTokenizeSeq";
    internal const string ExpectedType = "a scalar text column";
    private static readonly string[] ReservedNames = ["<pad>", "<unk>", "<s>", "</s>"];
    private static readonly ComponentFormat Format = new("RNNTOKSQ", LoaderSignature, FormatVersion: 1);

    internal sealed record Settings(string OutputColumnName, string InputColumnName, TokenGranularity Granularity, bool Lowercase,
        PunctuationHandling Punctuation, bool AddBeginEnd, string? TiktokenModelName)
    {
        public static Settings From(TokenizeToSequenceEstimator.Options options) => new(options.OutputColumnName,
            options.InputColumnName ?? options.OutputColumnName, options.Granularity, options.Lowercase, options.Punctuation,
            options.AddBeginEnd, options.Granularity == TokenGranularity.Subword ? options.Subword?.TiktokenModelName : null);
    }

    private readonly Settings _settings;
    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;
    private readonly SubwordTokenizer? _subword;
    private readonly int _reserved;

    internal TokenizeToSequenceTransformer(IHostEnvironment environment, Settings settings, IReadOnlyList<string> learned, SubwordTokenizer? subword)
        : base(environment, nameof(TokenizeToSequenceTransformer))
    {
        _settings = settings;
        _subword = subword;
        _reserved = ReservedCount(settings.AddBeginEnd);
        _tokens = [.. ReservedNames.Take(_reserved), .. learned];
        _ids = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        for (int id = 0; id < _tokens.Length; id++)
            _ids.Add(_tokens[id], id);
        Vocabulary = subword is null ? Array.AsReadOnly(_tokens) : new SubwordVocabulary(this);
    }

    /// <summary>What a token is.</summary>
    public TokenGranularity Granularity => _settings.Granularity;

    /// <summary>The settings this tokenizer was fitted with, for components that save it inside their own model (language models).</summary>
    internal Settings TokenizerSettings => _settings;

    /// <summary>Whether every sequence starts with <c>&lt;s&gt;</c> and ends with <c>&lt;/s&gt;</c>.</summary>
    public bool AddBeginEnd => _settings.AddBeginEnd;

    /// <summary>The subword tokenizer; null for word and character granularity.</summary>
    public SubwordTokenizer? Subword => _subword;

    /// <summary>
    /// Number of ids, reserved ones included: every id produced is below it, so it is the input size of an embedding.
    /// For subwords: the reserved ids plus the tokenizer's vocabulary size.
    /// </summary>
    public int VocabularySize => _subword is null ? _tokens.Length : _reserved + _subword.VocabularySize;

    /// <summary>
    /// The token of every id (index = id), reserved names first. For subwords an entry is the tokenizer's decoding
    /// of that single id, which can be a partial character for byte-level tokenizers.
    /// </summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>
    /// Finds the id of one token as it appears in <see cref="Vocabulary"/> (already lower-cased and normalized when
    /// the model does so). Reserved names give their ids. For subwords, true when the tokenizer encodes
    /// <paramref name="token"/> to exactly one id.
    /// </summary>
    public bool TryGetId(string token, out int id)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (_ids.TryGetValue(token, out id))
            return true;
        if (_subword is not null)
        {
            var ids = _subword.Tokenizer.EncodeToIds(token, considerPreTokenization: false, considerNormalization: false);
            if (ids.Count == 1)
            {
                id = ids[0] + _reserved;
                return true;
            }
        }
        id = UnknownId;
        return false;
    }

    /// <summary>
    /// Encodes text exactly as the output column does: null, empty or whitespace-only text gives no tokens, unknown
    /// tokens give <see cref="UnknownId"/>, and with <see cref="AddBeginEnd"/> the ids are wrapped in
    /// <see cref="BeginId"/> and <see cref="EndId"/>. Subword ids are the tokenizer's ids shifted up by the number of reserved ids.
    /// </summary>
    public int[] Encode(string? text)
    {
        var ids = new List<int>();
        if (AddBeginEnd)
            ids.Add(BeginId);
        if (!string.IsNullOrWhiteSpace(text))
        {
            if (_subword is not null)
            {
                foreach (int id in _subword.Tokenizer.EncodeToIds(text))
                    ids.Add(id + _reserved);
            }
            else
            {
                var tokens = new List<string>();
                Split(_settings, text, tokens);
                foreach (string token in tokens)
                    ids.Add(_ids.TryGetValue(token, out int id) && id >= _reserved ? id : UnknownId);
            }
        }
        if (AddBeginEnd)
            ids.Add(EndId);
        return ids.ToArray();
    }

    /// <summary>
    /// Turns ids back into text. Padding, begin and end ids are skipped; the unknown id and ids outside
    /// [0, <see cref="VocabularySize"/>) give <c>&lt;unk&gt;</c>. Words are joined with single spaces (the original
    /// spacing and letter case are not restored), characters are concatenated, and subwords go through the tokenizer's decoder.
    /// </summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        var run = new List<int>();
        foreach (int id in ids)
        {
            if (id == PaddingId || (AddBeginEnd && (id == BeginId || id == EndId)))
                continue;
            bool known = id >= _reserved && id < VocabularySize;
            if (_subword is not null && known)
            {
                // Subword ids are decoded together: one character can span several byte-level tokens.
                run.Add(id - _reserved);
                continue;
            }
            FlushSubwords(run, text);
            if (_settings.Granularity == TokenGranularity.Word && text.Length > 0)
                text.Append(' ');
            text.Append(known ? _tokens[id] : ReservedNames[UnknownId]);
        }
        FlushSubwords(run, text);
        return text.ToString();
    }

    private void FlushSubwords(List<int> run, StringBuilder text)
    {
        if (run.Count == 0)
            return;
        text.Append(_subword!.Tokenizer.Decode(run));
        run.Clear();
    }

    internal static int ReservedCount(bool addBeginEnd) => addBeginEnd ? 4 : 2;

    internal static void Split(Settings settings, string text, List<string> tokens)
    {
        string prepared = TextSplitter.Prepare(text, settings.Lowercase);
        if (settings.Granularity == TokenGranularity.Character)
            TextSplitter.SplitCharacters(prepared, tokens);
        else
            TextSplitter.SplitWords(prepared, settings.Punctuation, tokens);
    }

    /// <summary>
    /// Picks the learned tokens: at least <paramref name="minimumFrequency"/> occurrences, by descending count then
    /// ordinal order, at most <paramref name="maximumSize"/> minus the reserved ids (0 = no limit). Reserved names are excluded.
    /// </summary>
    internal static string[] SelectVocabulary(Dictionary<string, long> counts, int maximumSize, int minimumFrequency, int reserved)
    {
        var selected = counts
            .Where(pair => pair.Value >= minimumFrequency && !ReservedNames.Contains(pair.Key, StringComparer.Ordinal))
            .OrderByDescending(pair => pair.Value)
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => pair.Key);
        if (maximumSize > 0)
            selected = selected.Take(maximumSize - reserved);
        return selected.ToArray();
    }

    // Layout: the version header, a "Settings" entry (JSON), then for words and characters a "Vocabulary" entry
    // (JSON array of the learned tokens, in id order after the reserved ids). Subword tokenizers are recreated
    // from the Tiktoken model name in the settings, since a tokenizer object cannot be serialized.
    private protected override void Save(ModelSaveContext ctx)
    {
        if (_subword is { IsSavable: false })
            throw new InvalidOperationException(
                $"TokenizeToSequence: the model for column '{_settings.OutputColumnName}' uses a {_subword.Tokenizer.GetType().Name} given as an object, " +
                $"which cannot be written to a model file; {SubwordTokenizer.SavableKinds}. Word and Character granularity can always be saved.");
        Format.BeginSave(ctx);
        ModelStreams.SaveJson(ctx, "Settings", _settings);
        if (_subword is null)
            ModelStreams.SaveJson(ctx, "Vocabulary", _tokens[_reserved..]);
    }

    static TokenizeToSequenceTransformer ILoadableTransformer<TokenizeToSequenceTransformer>.Load(IHostEnvironment env, ComponentReader reader)
    {
        Format.BeginLoad(reader);
        var settings = reader.LoadJson<Settings>("Settings", LoaderSignature);
        if (string.IsNullOrEmpty(settings.OutputColumnName) || string.IsNullOrEmpty(settings.InputColumnName) || !Enum.IsDefined(settings.Granularity)
            || (settings.Granularity == TokenGranularity.Subword && string.IsNullOrEmpty(settings.TiktokenModelName)))
            throw new InvalidDataException($"The model file is damaged: component '{LoaderSignature}' has invalid settings.");
        if (settings.Granularity == TokenGranularity.Subword)
            return new TokenizeToSequenceTransformer(env, settings, [], SubwordTokenizer.Tiktoken(settings.TiktokenModelName!));
        var learned = reader.LoadJson<string[]>("Vocabulary", LoaderSignature);
        if (learned.Any(t => t is null) || learned.Distinct(StringComparer.Ordinal).Count() != learned.Length || learned.Intersect(ReservedNames).Any())
            throw new InvalidDataException($"The model file is damaged: component '{LoaderSignature}' has an invalid vocabulary.");
        return new TokenizeToSequenceTransformer(env, settings, learned, null);
    }

    private protected override RowMapping CreateMapping(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    /// <summary>The id-to-token list of a subword model, built on demand since tokenizers have up to hundreds of thousands of ids.</summary>
    private sealed class SubwordVocabulary(TokenizeToSequenceTransformer owner) : IReadOnlyList<string>
    {
        public int Count => owner.VocabularySize;

        public string this[int index]
        {
            get
            {
                ArgumentOutOfRangeException.ThrowIfNegative(index);
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
                return index < owner._reserved ? ReservedNames[index] : owner._subword!.Tokenizer.Decode([index - owner._reserved]) ?? "";
            }
        }

        public IEnumerator<string> GetEnumerator()
        {
            for (int i = 0; i < Count; i++)
                yield return this[i];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class Mapper : RowMapping
    {
        private readonly TokenizeToSequenceTransformer _owner;
        private readonly DataViewSchema.Column _input;

        public Mapper(TokenizeToSequenceTransformer parent, DataViewSchema inputSchema)
            : base(inputSchema)
        {
            _owner = parent;
            _input = SchemaChecks.RequireColumn(inputSchema, TokenizeToSequenceEstimator.ComponentName, "input", parent._settings.InputColumnName,
                t => t is TextDataViewType, ExpectedType);
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumns()
            => [new(_owner._settings.OutputColumnName, new VectorDataViewType(NumberDataViewType.Int32))];

        public override Func<int, bool> Dependencies(Func<int, bool> activeOutput)
            => column => column == _input.Index && activeOutput(0);

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var getText = input.GetGetter<ReadOnlyMemory<char>>(_input);
            var text = default(ReadOnlyMemory<char>);
            ValueGetter<VBuffer<int>> ids = (ref VBuffer<int> destination) =>
            {
                getText(ref text);
                int[] encoded = _owner.Encode(text.ToString());
                var editor = VBufferEditor.Create(ref destination, encoded.Length);
                encoded.CopyTo(editor.Values);
                destination = editor.Commit();
            };
            return ids;
        }
    }
}
