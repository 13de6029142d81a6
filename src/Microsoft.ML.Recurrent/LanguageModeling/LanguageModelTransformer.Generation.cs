using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Text;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.LanguageModeling;

public sealed partial class LanguageModelTransformer
{
    /// <summary>
    /// Continues <paramref name="prompt"/> and returns the continuation only (the prompt is not repeated). Equals
    /// the concatenation of <see cref="GenerateTokens"/>. Words are joined with single spaces; an emitted
    /// end-of-sequence token (when <see cref="GenerationOptions.StopAtEndOfSequence"/> is false) becomes a line break.
    /// </summary>
    /// <param name="prompt">Text to continue, encoded with the model's tokenizer; a token outside its vocabulary is read as <c>&lt;unk&gt;</c> (id 1), as in training. Empty starts a new line or sentence (needs an end-of-sequence token).</param>
    /// <param name="options">Decoding settings. Default: <see cref="LanguageModelSettings.Generation"/>.</param>
    public string Generate(string prompt, GenerationOptions? options = null) => string.Concat(GenerateTokens(prompt, options));

    /// <summary>
    /// Continues <paramref name="prompt"/> one token at a time, yielding each token's text as soon as it is chosen
    /// (words after the first carry a leading space). Subword tokens are decoded together, so a character whose
    /// bytes span several byte-level tokens comes whole with the token that completes it (the tokens before give "").
    /// </summary>
    /// <param name="prompt">Text to continue; see <see cref="Generate"/>.</param>
    /// <param name="options">Decoding settings. Default: <see cref="LanguageModelSettings.Generation"/>.</param>
    public IEnumerable<string> GenerateTokens(string prompt, GenerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var tokenizer = RequireTokenizer();
        var ids = GenerateIds(EncodePrompt(tokenizer, prompt), options);
        return GeneratedText.Pieces(tokenizer, ids, Settings.EndOfSequenceId);
    }

    /// <summary>
    /// Continues a prompt of token ids and yields the generated ids (stop tokens excluded). Needs no tokenizer.
    /// Options are checked when called, not when enumerated.
    /// </summary>
    /// <param name="promptIds">Context ids, each in [1, VocabularySize); may be empty when the model has an end-of-sequence token.</param>
    /// <param name="options">Decoding settings. Default: <see cref="LanguageModelSettings.Generation"/>.</param>
    public IEnumerable<int> GenerateIds(IReadOnlyList<int> promptIds, GenerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(promptIds);
        options ??= Settings.Generation;
        options.Validate();
        var context = new List<long>(promptIds.Count + 1);
        foreach (int id in promptIds)
        {
            if (id < 1 || id >= Settings.VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(promptIds), id, $"Prompt id {id} at position {context.Count} is outside the model's vocabulary [1, {Settings.VocabularySize}).");
            context.Add(id);
        }
        if (context.Count == 0)
        {
            if (Settings.EndOfSequenceId is not int end)
                throw new ArgumentException("The prompt is empty and the model has no end-of-sequence token to start from; give at least one token.", nameof(promptIds));
            context.Add(end);
        }
        var stops = new HashSet<int>(options.StopTokens.Select(StopId));
        if (options.StopAtEndOfSequence && Settings.EndOfSequenceId is int eos)
            stops.Add(eos);
        var banned = new HashSet<int> { TokenizeToSequenceTransformer.PaddingId };
        if (!options.AllowUnknownToken)
            banned.Add(TokenizeToSequenceTransformer.UnknownId);
        if (Settings.RowsHaveBeginEnd)
            banned.Add(TokenizeToSequenceTransformer.BeginId);
        return GenerateCore(context.ToArray(), options, stops, banned);
    }

    private IEnumerable<int> GenerateCore(long[] context, GenerationOptions options, HashSet<int> stops, HashSet<int> banned)
    {
        var random = options.Seed is int seed ? new Random(seed) : new Random();
        RecurrentState? state = null;
        try
        {
            long[] input = context;
            for (int n = 0; n < options.MaximumTokens; n++)
            {
                var (logits, next) = NextLogits(input, state);
                state?.Dispose();
                state = next;
                int id = TokenSampler.Sample(logits, options, random, banned);
                if (stops.Contains(id))
                    yield break;
                yield return id;
                input = [id];
            }
        }
        finally
        {
            state?.Dispose();
        }
    }

    /// <summary>Feeds <paramref name="input"/> after <paramref name="state"/>; returns the last step's logits and the new state (owned by the caller).</summary>
    private (float[] Logits, RecurrentState State) NextLogits(long[] input, RecurrentState? state)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (logits, next) = Network.Forward(tensor(input, [1, input.Length], device: NetworkDevice), state);
        return (logits[0, -1].OnCpu().data<float>().ToArray(), next.Keep());
    }

    /// <summary>
    /// Encodes a prompt as the stream presents a line: the end-of-sequence token first (the previous line's end),
    /// then the tokens, without the tokenizer's <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c>. A token outside the vocabulary
    /// stays the unknown id, as in the training stream.
    /// </summary>
    private int[] EncodePrompt(TokenizeToSequenceTransformer tokenizer, string prompt)
    {
        var ids = tokenizer.Encode(prompt).ToList();
        if (tokenizer.AddBeginEnd)
        {
            ids.RemoveAt(ids.Count - 1);
            ids.RemoveAt(0);
        }
        if (Settings.EndOfSequenceId is int end)
            ids.Insert(0, end);
        return ids.ToArray();
    }

    private int StopId(string token)
    {
        if (_tokenizer is not null && _tokenizer.TryGetId(token, out int id) && id < Settings.VocabularySize)
            return id;
        throw new ArgumentException($"The stop token '{token}' is not in the language model's vocabulary.", nameof(GenerationOptions.StopTokens));
    }
}
