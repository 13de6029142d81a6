namespace Microsoft.ML.Recurrent.LanguageModeling;

/// <summary>
/// How a language model continues a prompt. The defaults sample from the full distribution (temperature 1, no
/// top-k or top-p cut) for up to 100 tokens and stop at the end-of-sequence token; a direct call is reproducible when
/// <see cref="Seed"/> is set, and a pipeline's generated column always is, unless <see cref="RandomEachCall"/> is set.
/// </summary>
public sealed record GenerationOptions
{
    /// <summary>Most tokens to generate (the stop token is not counted). Default 100; at least 1.</summary>
    public int MaximumTokens { get; init; } = 100;

    /// <summary>
    /// Divides the logits before sampling: below 1 sharpens the distribution, above 1 flattens it. 0 means greedy
    /// decoding (always the most likely token). Default 1; finite and at least 0.
    /// </summary>
    public double Temperature { get; init; } = 1;

    /// <summary>Sample only among the <c>TopK</c> most likely tokens; 1 is greedy. Default 0 (no cut); at least 0.</summary>
    public int TopK { get; init; }

    /// <summary>
    /// Nucleus sampling: sample only among the most likely tokens whose probabilities add up to at least <c>TopP</c>
    /// (after temperature and top-k). Default 1 (no cut); in (0, 1].
    /// </summary>
    public double TopP { get; init; } = 1;

    /// <summary>
    /// Seed of the sampler (a managed <see cref="Random"/>, independent of torch's global generator), so equal seeds
    /// give equal text. Default null: in a direct <c>Generate</c> call, a different continuation each call; in the
    /// generated column of a pipeline, the model's own sampling seed (<see cref="LanguageModelSettings.SamplingSeed"/>).
    /// In the generated column a row samples with a seed mixed from this seed and the row's prompt, so the column is a
    /// function of the prompt: the same on every cursor, in any row order, after save and load.
    /// </summary>
    public int? Seed { get; init; }

    /// <summary>
    /// Whether the generated column samples afresh every time a row is read (different text for the same prompt on
    /// each cursor and each call), as a chat-style application may want. Default false: the column is reproducible.
    /// Cannot be combined with <see cref="Seed"/>.
    /// </summary>
    public bool RandomEachCall { get; init; }

    /// <summary>Whether the model's end-of-sequence token (<c>&lt;/s&gt;</c> or the separator) ends generation. Default true.</summary>
    public bool StopAtEndOfSequence { get; init; } = true;

    /// <summary>Further tokens (as written in the model's vocabulary) that end generation; they are not emitted. Default none.</summary>
    public IReadOnlyList<string> StopTokens { get; init; } = [];

    /// <summary>Whether the unknown token <c>&lt;unk&gt;</c> (id 1) may be generated. Default false.</summary>
    public bool AllowUnknownToken { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/>, naming the property, for a value outside its documented range.</summary>
    public void Validate()
    {
        if (MaximumTokens < 1)
            throw new ArgumentOutOfRangeException(nameof(MaximumTokens), MaximumTokens, "GenerationOptions.MaximumTokens must be at least 1.");
        if (!double.IsFinite(Temperature) || Temperature < 0)
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "GenerationOptions.Temperature must be finite and at least 0 (0 = greedy).");
        if (TopK < 0)
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "GenerationOptions.TopK must be at least 0 (0 = no cut).");
        if (!(TopP > 0 && TopP <= 1))
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "GenerationOptions.TopP must lie in (0, 1].");
        if (StopTokens is null || StopTokens.Any(t => t is null))
            throw new ArgumentException("GenerationOptions.StopTokens must be a list of non-null tokens.", nameof(StopTokens));
        if (RandomEachCall && Seed is not null)
            throw new ArgumentException("GenerationOptions.RandomEachCall asks for fresh randomness on every call, and Seed for the same text every time: set one of them.", nameof(RandomEachCall));
    }

    /// <summary>
    /// The seed a prompt samples with in the generated column: FNV-1a over <paramref name="seed"/>'s bytes and the
    /// prompt's UTF-16 code units, so that equal prompts get equal seeds and nearby prompts unrelated ones.
    /// </summary>
    internal static int PromptSeed(int seed, ReadOnlySpan<char> prompt)
    {
        const uint offsetBasis = 2166136261, prime = 16777619;
        uint hash = offsetBasis;
        for (int shift = 0; shift < 32; shift += 8)
            hash = (hash ^ (byte)(seed >> shift)) * prime;
        foreach (char c in prompt)
        {
            hash = (hash ^ (byte)c) * prime;
            hash = (hash ^ (byte)(c >> 8)) * prime;
        }
        return unchecked((int)hash);
    }
}

/// <summary>Picks the next token from one step's logits in managed code, so sampling is reproducible from a seed alone.</summary>
internal static class TokenSampler
{
    /// <summary>
    /// Returns the chosen id. Ids in <paramref name="banned"/> are never chosen. Temperature 0 or top-k 1 is greedy
    /// (ties go to the lowest id); otherwise temperature, top-k and top-p are applied in that order.
    /// </summary>
    public static int Sample(ReadOnlySpan<float> logits, GenerationOptions options, Random random, IReadOnlySet<int> banned)
    {
        int best = -1;
        for (int i = 0; i < logits.Length; i++)
        {
            if (!banned.Contains(i) && (best < 0 || logits[i] > logits[best]))
                best = i;
        }
        if (best < 0)
            throw new InvalidOperationException("Every token of the vocabulary is excluded from generation.");
        if (options.Temperature == 0 || options.TopK == 1)
            return best;

        // Probabilities relative to the best token, in double so that a small temperature cannot overflow.
        var candidates = new List<(int Id, double Weight)>(logits.Length);
        for (int i = 0; i < logits.Length; i++)
        {
            if (banned.Contains(i))
                continue;
            double weight = Math.Exp((logits[i] - (double)logits[best]) / options.Temperature);
            if (weight > 0)
                candidates.Add((i, weight));
        }
        candidates.Sort((a, b) => b.Weight != a.Weight ? b.Weight.CompareTo(a.Weight) : a.Id.CompareTo(b.Id));
        if (options.TopK > 0 && candidates.Count > options.TopK)
            candidates.RemoveRange(options.TopK, candidates.Count - options.TopK);
        double total = candidates.Sum(c => c.Weight);
        if (options.TopP < 1)
        {
            double kept = 0;
            int count = 0;
            while (count < candidates.Count && kept < options.TopP * total)
                kept += candidates[count++].Weight;
            candidates.RemoveRange(count, candidates.Count - count);
            total = kept;
        }
        double draw = random.NextDouble() * total;
        foreach (var (id, weight) in candidates)
        {
            draw -= weight;
            if (draw < 0)
                return id;
        }
        return candidates[^1].Id;
    }
}
