namespace Microsoft.ML.Recurrent.LanguageModeling;

/// <summary>
/// Exact figures of a first-order Markov source, the floor a language model of text drawn from it can reach:
/// no model predicts the next token better than the chain's own transition probabilities.
/// </summary>
public static class MarkovChain
{
    /// <summary>
    /// The stationary distribution π (π P = π, Σ π = 1) of an irreducible chain with row-stochastic transition
    /// matrix <paramref name="transitions"/> (rows: from, columns: to), by power iteration on the lazy chain
    /// (P + I) / 2, which has the same π and converges for periodic chains too.
    /// </summary>
    /// <param name="transitions">Square matrix; each row non-negative and summing to 1 (within 1e-9).</param>
    public static double[] StationaryDistribution(double[,] transitions)
    {
        int n = Check(transitions);
        var pi = Enumerable.Repeat(1.0 / n, n).ToArray();
        for (int iteration = 0; iteration < 100_000; iteration++)
        {
            var next = new double[n];
            for (int i = 0; i < n; i++)
            {
                next[i] += 0.5 * pi[i];
                for (int j = 0; j < n; j++)
                    next[j] += 0.5 * pi[i] * transitions[i, j];
            }
            double change = pi.Zip(next, (a, b) => Math.Abs(a - b)).Sum();
            pi = next;
            if (change < 1e-15)
                break;
        }
        return pi;
    }

    /// <summary>
    /// The entropy rate H = -Σ_i π_i Σ_j P_ij ln P_ij in nats per token: the cross-entropy of a perfect model of the
    /// chain's output (divide by ln 2 for bits).
    /// </summary>
    /// <param name="transitions">Row-stochastic transition matrix of an irreducible chain.</param>
    public static double EntropyRate(double[,] transitions)
    {
        var pi = StationaryDistribution(transitions);
        double entropy = 0;
        for (int i = 0; i < pi.Length; i++)
        {
            for (int j = 0; j < pi.Length; j++)
            {
                double p = transitions[i, j];
                if (p > 0)
                    entropy -= pi[i] * p * Math.Log(p);
            }
        }
        return entropy;
    }

    private static int Check(double[,] transitions)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        int n = transitions.GetLength(0);
        if (n == 0 || transitions.GetLength(1) != n)
            throw new ArgumentException($"The transition matrix must be square and non-empty; it is {n}×{transitions.GetLength(1)}.", nameof(transitions));
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int j = 0; j < n; j++)
            {
                if (!(transitions[i, j] >= 0))
                    throw new ArgumentException($"Transition probability [{i}, {j}] is {transitions[i, j]}; probabilities must be at least 0.", nameof(transitions));
                sum += transitions[i, j];
            }
            if (Math.Abs(sum - 1) > 1e-9)
                throw new ArgumentException($"Row {i} of the transition matrix sums to {sum}, not 1.", nameof(transitions));
        }
        return n;
    }
}
