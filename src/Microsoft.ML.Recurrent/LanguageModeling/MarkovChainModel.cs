namespace Microsoft.ML.Recurrent.LanguageModeling;

/// <summary>
/// A Markov chain of order k over token ids (the next token depends on the k before it) fitted to sequences with
/// interpolated Kneser-Ney smoothing: the baseline a recurrent language model must beat on the same tokens.
/// </summary>
/// <remarks>
/// Every sequence is read as <c>boundary^k, tokens..., boundary</c>: the model predicts each token and then the end
/// of the sequence, from a context padded with the boundary id (for the library's language models, the
/// end-of-sequence id <c>&lt;/s&gt;</c> = 3, which starts their contexts too). Smoothing follows Chen and Goodman
/// (1998): the highest order uses counts, lower orders continuation counts (how many distinct tokens precede an
/// n-gram), each with an absolute discount D = n1 / (n1 + 2 n2) estimated from its counts of counts, interpolated
/// down to the uniform distribution over the vocabulary, so every id has a non-zero probability and each
/// distribution sums to 1.
/// </remarks>
public sealed class MarkovChainModel
{
    /// <summary>Highest order supported: context ids are packed into 128 bits (21 bits each).</summary>
    public const int MaximumOrder = 5;

    private const int BitsPerId = 21;

    // _levels[k]: counts of (context of the last k tokens, next token); k = order uses raw counts, lower levels
    // continuation counts.
    private readonly Level[] _levels;
    private readonly int _boundaryId;

    private sealed class Level
    {
        public readonly Dictionary<UInt128, Dictionary<int, int>> Counts = [];
        public readonly Dictionary<UInt128, (int Total, int Types)> Totals = [];
        public double Discount;
    }

    private MarkovChainModel(int order, int vocabularySize, int boundaryId, Level[] levels)
    {
        Order = order;
        VocabularySize = vocabularySize;
        _boundaryId = boundaryId;
        _levels = levels;
    }

    /// <summary>Tokens of context each prediction uses.</summary>
    public int Order { get; }

    /// <summary>Number of ids the probabilities are spread over (ids 0 to VocabularySize - 1).</summary>
    public int VocabularySize { get; }

    /// <summary>
    /// Fits a chain of order <paramref name="order"/> (1 to <see cref="MaximumOrder"/>) to <paramref name="sequences"/>.
    /// </summary>
    /// <param name="sequences">Token ids of each sequence, without boundary tokens; each id in [0, vocabularySize).</param>
    /// <param name="order">Tokens of context, 1 to <see cref="MaximumOrder"/>.</param>
    /// <param name="vocabularySize">Number of ids, at least 2 and below 2^21.</param>
    /// <param name="boundaryId">Id that pads the start of each context and ends each sequence.</param>
    public static MarkovChainModel Fit(IEnumerable<IReadOnlyList<int>> sequences, int order, int vocabularySize, int boundaryId)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(order, MaximumOrder);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(vocabularySize, 1 << BitsPerId);
        if ((uint)boundaryId >= (uint)vocabularySize)
            throw new ArgumentOutOfRangeException(nameof(boundaryId), boundaryId, $"The boundary id must lie in [0, {vocabularySize}).");

        var levels = Enumerable.Range(0, order + 1).Select(_ => new Level()).ToArray();
        // Distinct (n+1)-grams of each length seen, for the continuation counts of the level below them.
        var seen = Enumerable.Range(0, order + 1).Select(_ => new HashSet<(UInt128, int)>()).ToArray();
        int index = 0;
        foreach (var sequence in sequences)
        {
            var padded = Pad(sequence, order, boundaryId, vocabularySize, index++);
            for (int t = order; t < padded.Length; t++)
            {
                int next = padded[t];
                Add(levels[order], Context(padded, t, order), next);
                for (int k = 0; k < order; k++)
                {
                    // (k+2)-gram padded[t-k-1..t]: its first time seen adds one continuation to (context of k, next).
                    if (seen[k].Add((Context(padded, t, k + 1), next)))
                        Add(levels[k], Context(padded, t, k), next);
                }
            }
        }
        if (index == 0)
            throw new ArgumentException("There are no sequences to fit.", nameof(sequences));
        foreach (var level in levels)
        {
            int once = 0, twice = 0;
            foreach (var (context, nexts) in level.Counts)
            {
                int total = 0;
                foreach (var count in nexts.Values)
                {
                    total += count;
                    once += count == 1 ? 1 : 0;
                    twice += count == 2 ? 1 : 0;
                }
                level.Totals[context] = (total, nexts.Count);
            }
            level.Discount = once > 0 && twice > 0 ? (double)once / (once + 2 * twice) : 0.5;
        }
        return new MarkovChainModel(order, vocabularySize, boundaryId, levels);
    }

    private static void Add(Level level, UInt128 context, int next)
    {
        if (!level.Counts.TryGetValue(context, out var nexts))
            level.Counts[context] = nexts = [];
        nexts[next] = nexts.GetValueOrDefault(next) + 1;
    }

    private static int[] Pad(IReadOnlyList<int> sequence, int order, int boundaryId, int vocabularySize, int index)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        var padded = new int[order + sequence.Count + 1];
        Array.Fill(padded, boundaryId, 0, order);
        for (int i = 0; i < sequence.Count; i++)
        {
            if ((uint)sequence[i] >= (uint)vocabularySize)
                throw new ArgumentOutOfRangeException(nameof(sequence), sequence[i], $"Sequence {index}, position {i}: id {sequence[i]} is outside [0, {vocabularySize}).");
            padded[order + i] = sequence[i];
        }
        padded[^1] = boundaryId;
        return padded;
    }

    /// <summary>The last <paramref name="length"/> ids before position <paramref name="t"/>, packed (oldest in the highest bits).</summary>
    private static UInt128 Context(ReadOnlySpan<int> tokens, int t, int length)
    {
        UInt128 key = (UInt128)length; // the length keeps contexts of different lengths apart
        for (int i = t - length; i < t; i++)
            key = (key << BitsPerId) | (uint)tokens[i];
        return key;
    }

    /// <summary>
    /// Probability of <paramref name="next"/> after <paramref name="context"/>, of which the last <see cref="Order"/>
    /// ids are used; a shorter context is padded on the left with the boundary id.
    /// </summary>
    public double Probability(ReadOnlySpan<int> context, int next)
    {
        if ((uint)next >= (uint)VocabularySize)
            throw new ArgumentOutOfRangeException(nameof(next), next, $"The id must lie in [0, {VocabularySize}).");
        var window = new int[Order + 1];
        int take = Math.Min(Order, context.Length);
        Array.Fill(window, _boundaryId, 0, Order - take);
        context[^take..].CopyTo(window.AsSpan(Order - take));
        return Probability(window, Order, next);
    }

    private double Probability(int[] window, int k, int next)
    {
        double lower = k == 0 ? 1.0 / VocabularySize : Probability(window, k - 1, next);
        var level = _levels[k];
        var context = Context(window, Order, k);
        if (!level.Totals.TryGetValue(context, out var totals))
            return lower;
        int count = level.Counts[context].GetValueOrDefault(next);
        return (Math.Max(count - level.Discount, 0) + level.Discount * totals.Types * lower) / totals.Total;
    }

    /// <summary>
    /// Mean negative natural-log probability per predicted token over <paramref name="sequences"/>: every token and
    /// each sequence's end, as <see cref="Fit"/> reads them.
    /// </summary>
    public double CrossEntropy(IEnumerable<IReadOnlyList<int>> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        double sum = 0;
        long count = 0;
        int index = 0;
        var window = new int[Order + 1];
        foreach (var sequence in sequences)
        {
            var padded = Pad(sequence, Order, _boundaryId, VocabularySize, index++);
            for (int t = Order; t < padded.Length; t++)
            {
                Array.Copy(padded, t - Order, window, 0, Order);
                sum -= Math.Log(Probability(window, Order, padded[t]));
                count++;
            }
        }
        if (count == 0)
            throw new ArgumentException("There are no sequences to score.", nameof(sequences));
        return sum / count;
    }
}
