namespace Microsoft.ML.Recurrent.Benchmarks.Macro;

/// <summary>One labelled token sequence, as an ML.NET row (a variable-length Int32 vector and a Boolean label).</summary>
public sealed class TokenRow
{
    /// <summary>Token ids, 2..vocabulary-1 (0 is padding, 1 unknown).</summary>
    public int[] Tokens { get; set; } = [];

    /// <summary>The class.</summary>
    public bool Label { get; set; }
}

/// <summary>The binary classifier's output columns.</summary>
public sealed class ScoredRow
{
    /// <summary>Logit.</summary>
    public float Score { get; set; }

    /// <summary>Probability of the positive class.</summary>
    public float Probability { get; set; }

    /// <summary>Probability &gt; 0.5.</summary>
    public bool PredictedLabel { get; set; }
}

/// <summary>Generated data: no download, the same rows for every run of the same seed.</summary>
internal static class SyntheticData
{
    /// <summary>
    /// Sentences of 4..40 tokens (SST-2-like lengths, mean about 20) with Zipf-like token frequencies; the label is
    /// whether a "positive" token (ids 2..21) occurs before a "negative" one (ids 22..41), so it depends on order.
    /// </summary>
    public static TokenRow[] Sentences(int count, int vocabulary, int seed)
    {
        var random = new Random(seed);
        var rows = new TokenRow[count];
        for (int i = 0; i < count; i++)
        {
            int length = 4 + (int)(36 * Math.Pow(random.NextDouble(), 1.4));
            var tokens = new int[length];
            for (int t = 0; t < length; t++)
                tokens[t] = ZipfToken(random, vocabulary);
            int positive = Array.FindIndex(tokens, id => id is >= 2 and < 22);
            int negative = Array.FindIndex(tokens, id => id is >= 22 and < 42);
            bool label = positive >= 0 && (negative < 0 || positive < negative);
            rows[i] = new TokenRow { Tokens = tokens, Label = label };
        }
        return rows;
    }

    /// <summary>A sentence of exactly <paramref name="length"/> tokens.</summary>
    public static int[] Sentence(int length, int vocabulary, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => ZipfToken(random, vocabulary)).ToArray();
    }

    /// <summary>Rows of <paramref name="rowLength"/> tokens for the language model: a stream of <paramref name="count"/> × rowLength ids.</summary>
    public static TokenRow[] Stream(int count, int rowLength, int vocabulary, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => new TokenRow { Tokens = Enumerable.Range(0, rowLength).Select(_ => ZipfToken(random, vocabulary)).ToArray() })
            .ToArray();
    }

    // Inverse-CDF sampling of a 1/rank law over ids 2..vocabulary-1 (continuous approximation).
    private static int ZipfToken(Random random, int vocabulary)
    {
        double span = vocabulary - 2;
        int rank = (int)Math.Exp(random.NextDouble() * Math.Log(span + 1)) - 1;
        return 2 + Math.Clamp(rank, 0, vocabulary - 3);
    }
}
