using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Tagging;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

[TestClass]
public sealed class ConditionalRandomFieldTests
{
    private const int Tags = 3;
    private static readonly int[] Lengths = [4, 2, 1];

    [TestMethod]
    public void ViterbiAndLogPartitionMatchBruteForceOverAllPaths()
    {
        using var crf = TorchSeeding.Create(5, () => new ConditionalRandomField(Tags));
        using var scope = NewDisposeScope();
        // Larger transition scores than the initial ones, so that the best path differs from per-step argmax.
        using (no_grad())
            crf.Transitions.copy_(TorchSeeding.Create(7, () => randn(Tags, Tags)) * 2);
        var emissions = TorchSeeding.Create(11, () => randn(Lengths.Length, 4, Tags));
        var mask = arange(4).unsqueeze(0).lt(tensor(Lengths.Select(l => (long)l).ToArray()).unsqueeze(1));

        var logZ = crf.LogPartition(emissions, mask).data<float>().ToArray();
        var decoded = crf.Decode(emissions, Lengths);
        var e = emissions.data<float>().ToArray();
        var transitions = crf.Transitions.data<float>().ToArray();
        var start = crf.StartTransitions.data<float>().ToArray();
        var end = crf.EndTransitions.data<float>().ToArray();
        for (int b = 0; b < Lengths.Length; b++)
        {
            // Every path of this row's length: score = start + emissions + transitions + end.
            var scores = new List<(double Score, int[] Path)>();
            foreach (var path in AllPaths(Lengths[b]))
            {
                double score = start[path[0]] + end[path[^1]];
                for (int t = 0; t < path.Length; t++)
                    score += e[(b * 4 + t) * Tags + path[t]] + (t > 0 ? transitions[path[t - 1] * Tags + path[t]] : 0);
                scores.Add((score, path));
            }
            var best = scores.MaxBy(s => s.Score);
            CollectionAssert.AreEqual(best.Path, decoded[b], $"row {b}");
            double max = best.Score;
            double logSumExp = max + Math.Log(scores.Sum(s => Math.Exp(s.Score - max)));
            Assert.AreEqual(logSumExp, logZ[b], 1e-4, $"row {b}");

            // The gold-path score agrees with the same brute-force formula.
            var gold = zeros(new long[] { Lengths.Length, 4 }, dtype: ScalarType.Int64);
            for (int t = 0; t < Lengths[b]; t++)
                gold[b, t] = tensor((long)best.Path[t]);
            gold = gold.masked_fill(mask.logical_not(), -100);
            var pathScore = crf.PathScore(emissions, gold, mask).data<float>().ToArray();
            Assert.AreEqual(best.Score, pathScore[b], 1e-4, $"row {b}");
        }
    }

    private static IEnumerable<int[]> AllPaths(int length)
    {
        int count = (int)Math.Pow(Tags, length);
        for (int code = 0; code < count; code++)
        {
            var path = new int[length];
            for (int t = 0, rest = code; t < length; t++, rest /= Tags)
                path[t] = rest % Tags;
            yield return path;
        }
    }
}
