namespace Microsoft.ML.Recurrent.Seq2Seq;

/// <summary>Quality of predicted target sequences against references, over a whole corpus.</summary>
/// <remarks>
/// <para><see cref="Bleu"/> is corpus BLEU (Papineni et al. 2002) as sacrebleu's <c>corpus_bleu</c> computes it
/// without smoothing, on the given tokens (ids, characters or words; sacrebleu would tokenize text itself), as a
/// fraction in [0, 1] rather than sacrebleu's 0-100: modified n-gram precisions p₁..p₄ summed over the corpus
/// (each hypothesis n-gram counted at most as often as in its reference), their geometric mean, times the brevity
/// penalty exp(1 − r/c) when the total hypothesis length c is below the total reference length r. A p_n of 0 gives 0.</para>
/// <para><see cref="TokenAccuracy"/> compares position by position: matches / Σ max(|reference|, |hypothesis|),
/// so missing and extra tokens both count as errors.</para>
/// </remarks>
/// <param name="Count">Number of (reference, hypothesis) pairs.</param>
/// <param name="ExactMatch">Fraction of hypotheses identical to their reference.</param>
/// <param name="TokenAccuracy">Position-wise token accuracy (see remarks).</param>
/// <param name="Bleu">Corpus BLEU-4 in [0, 1].</param>
/// <param name="BrevityPenalty">The brevity penalty applied to <paramref name="Bleu"/>.</param>
/// <param name="Precisions">Modified n-gram precisions for n = 1..4.</param>
/// <param name="ReferenceLength">Total reference tokens (r).</param>
/// <param name="HypothesisLength">Total hypothesis tokens (c).</param>
public sealed record Seq2SeqMetrics(int Count, double ExactMatch, double TokenAccuracy, double Bleu, double BrevityPenalty,
    IReadOnlyList<double> Precisions, long ReferenceLength, long HypothesisLength)
{
    /// <summary>Largest n-gram order of <see cref="Bleu"/>.</summary>
    public const int MaxOrder = 4;

    /// <summary>Computes the metrics for pairs of token sequences (any token type with value equality).</summary>
    /// <param name="references">The expected sequence of each example.</param>
    /// <param name="hypotheses">The predicted sequence of each example, in the same order.</param>
    public static Seq2SeqMetrics Compute<T>(IReadOnlyList<IReadOnlyList<T>> references, IReadOnlyList<IReadOnlyList<T>> hypotheses)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(hypotheses);
        if (references.Count != hypotheses.Count)
            throw new ArgumentException($"There are {references.Count} references but {hypotheses.Count} hypotheses.", nameof(hypotheses));
        var comparer = EqualityComparer<T>.Default;
        long exact = 0, correctPositions = 0, positions = 0, referenceLength = 0, hypothesisLength = 0;
        var matches = new long[MaxOrder];
        var totals = new long[MaxOrder];
        for (int i = 0; i < references.Count; i++)
        {
            var reference = references[i];
            var hypothesis = hypotheses[i];
            referenceLength += reference.Count;
            hypothesisLength += hypothesis.Count;
            positions += Math.Max(reference.Count, hypothesis.Count);
            int same = 0;
            for (int t = 0; t < Math.Min(reference.Count, hypothesis.Count); t++)
                same += comparer.Equals(reference[t], hypothesis[t]) ? 1 : 0;
            correctPositions += same;
            if (same == reference.Count && reference.Count == hypothesis.Count)
                exact++;
            for (int n = 1; n <= MaxOrder; n++)
            {
                var referenceCounts = CountNGrams(reference, n);
                foreach (var (gram, occurrences) in CountNGrams(hypothesis, n))
                {
                    totals[n - 1] += occurrences;
                    matches[n - 1] += Math.Min(occurrences, referenceCounts.GetValueOrDefault(gram));
                }
            }
        }
        var precisions = Enumerable.Range(0, MaxOrder).Select(n => totals[n] == 0 ? 0.0 : (double)matches[n] / totals[n]).ToArray();
        double brevity = hypothesisLength == 0 ? 0 : hypothesisLength < referenceLength ? Math.Exp(1 - (double)referenceLength / hypothesisLength) : 1;
        double bleu = precisions.Any(p => p == 0) ? 0 : brevity * Math.Exp(precisions.Sum(Math.Log) / MaxOrder);
        int count = references.Count;
        return new Seq2SeqMetrics(count, count == 0 ? 0 : (double)exact / count, positions == 0 ? 0 : (double)correctPositions / positions,
            bleu, brevity, precisions, referenceLength, hypothesisLength);
    }

    private static Dictionary<T[], long> CountNGrams<T>(IReadOnlyList<T> tokens, int n) where T : notnull
    {
        var counts = new Dictionary<T[], long>(GramComparer<T>.Instance);
        for (int start = 0; start + n <= tokens.Count; start++)
        {
            var gram = new T[n];
            for (int i = 0; i < n; i++)
                gram[i] = tokens[start + i];
            counts[gram] = counts.GetValueOrDefault(gram) + 1;
        }
        return counts;
    }

    /// <summary>Compares n-grams by their tokens' value equality.</summary>
    private sealed class GramComparer<T> : IEqualityComparer<T[]> where T : notnull
    {
        public static readonly GramComparer<T> Instance = new();

        public bool Equals(T[]? x, T[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y, EqualityComparer<T>.Default));

        public int GetHashCode(T[] gram)
        {
            var hash = new HashCode();
            foreach (var token in gram)
                hash.Add(token);
            return hash.ToHashCode();
        }
    }
}
