using Microsoft.ML.Recurrent.Seq2Seq;

namespace Microsoft.ML.Recurrent.Tests.Seq2Seq;

[TestClass]
public sealed class BeamSearchTests
{
    private const int Begin = 2, End = 3, A = 4, B = 5;

    /// <summary>
    /// A hand-built decoder: the next-id distribution depends only on the prefix. After &lt;s&gt;: A 0.6, B 0.4.
    /// After A: A 0.36, B 0.34, &lt;/s&gt; 0.30. After B: &lt;/s&gt; 0.9, A 0.1. Anything longer: &lt;/s&gt; 1.
    /// Greedy takes A (0.6), then A (0.36), then &lt;/s&gt;: probability 0.216. The path B &lt;/s&gt; has 0.4 × 0.9 = 0.36.
    /// </summary>
    private sealed class TableStepper(Dictionary<string, (int Token, double P)[]>? table = null) : IDecoderStepper
    {
        private readonly Dictionary<string, (int Token, double P)[]> Table = table ?? new()
        {
            [""] = [(A, 0.6), (B, 0.4)],
            ["A"] = [(A, 0.36), (B, 0.34), (End, 0.30)],
            ["B"] = [(End, 0.9), (A, 0.1)],
        };

        private List<string> _prefixes = [""];
        private List<string> _extended = [];

        public float[][] Step(IReadOnlyList<int> lastTokens)
        {
            _extended = lastTokens.Select((t, i) => _prefixes[i] + (t switch { A => "A", B => "B", _ => "" })).ToList();
            return _extended.Select(prefix =>
            {
                var row = Enumerable.Repeat(float.NegativeInfinity, 6).ToArray();
                foreach (var (token, p) in Table.GetValueOrDefault(prefix, [(End, 1.0)]))
                    row[token] = (float)Math.Log(p);
                return row;
            }).ToArray();
        }

        public void Keep(IReadOnlyList<int> parents) => _prefixes = parents.Select(p => _extended[p]).ToList();
    }

    [TestMethod]
    public void BeamSearchFindsTheMoreProbablePathGreedyMisses()
    {
        var greedy = BeamSearch.Decode(new TableStepper(), Begin, End, beamWidth: 1, maxLength: 10, lengthPenalty: 0);
        CollectionAssert.AreEqual(new[] { A, A }, greedy.Tokens);
        Assert.AreEqual(Math.Log(0.6 * 0.36), greedy.LogProbability, 1e-6);

        var beam = BeamSearch.Decode(new TableStepper(), Begin, End, beamWidth: 2, maxLength: 10, lengthPenalty: 0);
        CollectionAssert.AreEqual(new[] { B }, beam.Tokens);
        Assert.AreEqual(Math.Log(0.4 * 0.9), beam.LogProbability, 1e-6);
        Assert.IsTrue(beam.Finished);
        Assert.IsTrue(beam.LogProbability > greedy.LogProbability);
    }

    [TestMethod]
    public void AnEndIdRankedBelowTheKeptContinuationDoesNotStopGreedyDecoding()
    {
        // After <s>: A 0.7, </s> 0.3; after A: </s>. Greedy must read A, then end: [A] with probability 0.7.
        var table = new Dictionary<string, (int Token, double P)[]> { [""] = [(A, 0.7), (End, 0.3)] };
        var greedy = BeamSearch.Decode(new TableStepper(table), Begin, End, beamWidth: 1, maxLength: 10, lengthPenalty: 0);
        CollectionAssert.AreEqual(new[] { A }, greedy.Tokens);
        Assert.AreEqual(Math.Log(0.7), greedy.LogProbability, 1e-6);
        Assert.IsTrue(greedy.Finished);
    }

    [TestMethod]
    public void LengthNormalizationDividesByTheGnmtPenalty()
    {
        // The best of two finished hypotheses under α = 1: B </s> has length 2, score log(0.36) / (7/6).
        var beam = BeamSearch.Decode(new TableStepper(), Begin, End, beamWidth: 2, maxLength: 10, lengthPenalty: 1);
        CollectionAssert.AreEqual(new[] { B }, beam.Tokens);
        Assert.AreEqual(Math.Log(0.36) / (7.0 / 6.0), beam.Score, 1e-6);
    }

    [TestMethod]
    public void TheMaximumLengthStopsAnUnfinishedHypothesis()
    {
        var cut = BeamSearch.Decode(new TableStepper(), Begin, End, beamWidth: 1, maxLength: 1, lengthPenalty: 0);
        CollectionAssert.AreEqual(new[] { A }, cut.Tokens);
        Assert.IsFalse(cut.Finished);
    }
}
