namespace Microsoft.ML.Recurrent.Seq2Seq;

/// <summary>
/// Something that extends hypotheses by one token: the decoder network for one source, or a hand-built table in tests.
/// </summary>
internal interface IDecoderStepper
{
    /// <summary>
    /// Reads the last id of each live hypothesis (in the order left by the previous <see cref="Keep"/>, or the single
    /// begin id at the start) and returns each hypothesis's log-probabilities over the target vocabulary.
    /// </summary>
    float[][] Step(IReadOnlyList<int> lastTokens);

    /// <summary>Keeps the states after the last step of hypotheses <paramref name="parents"/>, in that order (an index may repeat).</summary>
    void Keep(IReadOnlyList<int> parents);
}

/// <summary>A decoded target: its ids (without begin and end), total log-probability and whether it reached the end id.</summary>
internal sealed record BeamResult(int[] Tokens, double LogProbability, double Score, bool Finished);

/// <summary>Beam search with GNMT length normalization (Wu et al. 2016); beam width 1 is greedy decoding.</summary>
/// <remarks>
/// Each step extends every live hypothesis by every id except padding (0) and the begin id and walks the
/// continuations best first until <c>beamWidth</c> of them that do not end are kept; those ending with the end id
/// met on the way move to the finished list, scored by log-probability / ((5 + length) / 6)^α with the end id counted in the length. Search stops when
/// <c>beamWidth</c> hypotheses have finished or after <c>maxLength</c> ids, when the unfinished ones join the
/// finished list. With width 1 each step takes the single most probable id, which is exactly greedy decoding.
/// Ties go to the earlier hypothesis and the smaller id, so results are deterministic.
/// </remarks>
internal static class BeamSearch
{
    public static BeamResult Decode(IDecoderStepper stepper, int beginId, int endId, int beamWidth, int maxLength, double lengthPenalty)
    {
        ArgumentNullException.ThrowIfNull(stepper);
        ArgumentOutOfRangeException.ThrowIfLessThan(beamWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        var live = new List<(List<int> Tokens, double LogProbability)> { ([], 0.0) };
        var lastTokens = new List<int> { beginId };
        var finished = new List<BeamResult>();
        for (int step = 1; step <= maxLength && live.Count > 0; step++)
        {
            var logProbabilities = stepper.Step(lastTokens);
            // Enough candidates that, after up to beamWidth of them end, beamWidth continuations remain.
            var candidates = Best(live, logProbabilities, 2 * beamWidth, beginId);
            var nextLive = new List<(List<int>, double)>();
            var parents = new List<int>();
            lastTokens = [];
            foreach (var (parent, token, total) in candidates)
            {
                // Only candidates ranked above the last surviving continuation count: an end id ranked lower would
                // stop greedy decoding on a runner-up.
                if (nextLive.Count == beamWidth)
                    break;
                if (token == endId)
                {
                    finished.Add(Result(live[parent].Tokens, total, lengthPenalty, step, finished: true));
                    continue;
                }
                nextLive.Add(([.. live[parent].Tokens, token], total));
                parents.Add(parent);
                lastTokens.Add(token);
            }
            live = nextLive;
            if (finished.Count >= beamWidth)
                break;
            if (live.Count > 0)
                stepper.Keep(parents);
        }
        if (finished.Count < beamWidth)
        {
            foreach (var (tokens, total) in live.Take(beamWidth - finished.Count))
                finished.Add(Result(tokens, total, lengthPenalty, tokens.Count, finished: false));
        }
        var best = finished[0];
        foreach (var result in finished)
        {
            if (result.Score > best.Score)
                best = result;
        }
        return best;
    }

    /// <summary>GNMT length penalty ((5 + length) / 6)^α.</summary>
    public static double Penalty(int length, double alpha) => alpha == 0 ? 1 : Math.Pow((5.0 + length) / 6.0, alpha);

    private static BeamResult Result(List<int> prefix, double total, double alpha, int length, bool finished)
        => new(prefix.ToArray(), total, total / Penalty(length, alpha), finished);

    // The k best (hypothesis, id, total log-probability) continuations, best first.
    private static List<(int Parent, int Token, double Total)> Best(List<(List<int> Tokens, double LogProbability)> live,
        float[][] logProbabilities, int k, int beginId)
    {
        if (logProbabilities.Length != live.Count)
            throw new InvalidOperationException($"The decoder returned {logProbabilities.Length} rows for {live.Count} hypotheses.");
        var best = new List<(int Parent, int Token, double Total)>(k + 1);
        for (int h = 0; h < live.Count; h++)
        {
            var row = logProbabilities[h];
            for (int token = 0; token < row.Length; token++)
            {
                if (token == 0 || token == beginId || float.IsNaN(row[token]) || float.IsNegativeInfinity(row[token]))
                    continue;
                double total = live[h].LogProbability + row[token];
                if (best.Count == k && total <= best[^1].Total)
                    continue;
                int position = best.Count;
                while (position > 0 && best[position - 1].Total < total)
                    position--;
                best.Insert(position, (h, token, total));
                if (best.Count > k)
                    best.RemoveAt(k);
            }
        }
        return best;
    }
}
