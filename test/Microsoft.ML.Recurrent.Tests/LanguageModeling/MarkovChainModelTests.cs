using Microsoft.ML.Recurrent.LanguageModeling;

namespace Microsoft.ML.Recurrent.Tests.LanguageModeling;

[TestClass]
public sealed class MarkovChainModelTests
{
    // Sequences [1, 1, 2] and [2] with boundary 0 read as 0 1 1 2 0 and 0 2 0. Worked by hand (Kneser-Ney):
    // bigram counts after 0: {1: 1, 2: 1}; after 1: {1: 1, 2: 1}; after 2: {0: 2}; counts of counts n1 = 4, n2 = 1,
    // so D1 = 4 / 6. Continuation counts (distinct predecessors): 0 <- {2}, 1 <- {0, 1}, 2 <- {1, 0}: 1, 2, 2 of 5,
    // n1 = 1, n2 = 2, D0 = 1 / 5. With 4 ids, P0 = (c - 0.2 + 0.2 * 3 / 4) / 5: 0.19, 0.39, 0.39, 0.03.
    private static readonly IReadOnlyList<int>[] Corpus = [[1, 1, 2], [2]];

    [TestMethod]
    public void ProbabilitiesMatchAHandComputedKneserNeyBigram()
    {
        var model = MarkovChainModel.Fit(Corpus, order: 1, vocabularySize: 4, boundaryId: 0);
        Assert.AreEqual((2 - 4 / 6.0 + 4 / 6.0 * 1 * 0.19) / 2, model.Probability([2], 0), 1e-12);
        Assert.AreEqual((0 + 4 / 6.0 * 1 * 0.03) / 2, model.Probability([2], 3), 1e-12, "an id never seen still has a probability");
        double afterStart = (1 - 4 / 6.0 + 4 / 6.0 * 2 * 0.39) / 2;
        Assert.AreEqual(afterStart, model.Probability([0], 1), 1e-12);
        Assert.AreEqual(afterStart, model.Probability([], 1), 1e-12, "an empty context is padded with the boundary");
        Assert.AreEqual(afterStart, model.Probability([2, 2, 0], 1), 1e-12, "only the last Order ids count");
        double afterOne = (0 + 4 / 6.0 * 2 * 0.19) / 2;
        Assert.AreEqual(-(Math.Log(afterStart) + Math.Log(afterOne)) / 2, model.CrossEntropy([[1]]), 1e-12);
    }

    [TestMethod]
    public void EveryDistributionSumsToOneAndMoreContextFitsARepetitiveSourceBetter()
    {
        var random = new Random(3);
        // A source where the next id depends on the two before it, with a little noise.
        List<IReadOnlyList<int>> Sample(int count) => Enumerable.Range(0, count).Select(_ =>
        {
            var sequence = new List<int> { random.Next(2, 9), random.Next(2, 9) };
            for (int i = 0; i < 30; i++)
                sequence.Add(random.Next(10) == 0 ? random.Next(2, 12) : 2 + (sequence[^1] * 3 + sequence[^2]) % 10);
            return (IReadOnlyList<int>)sequence;
        }).ToList();
        var train = Sample(200);
        var test = Sample(40);
        var entropies = new List<double>();
        for (int order = 1; order <= 3; order++)
        {
            var model = MarkovChainModel.Fit(train, order, vocabularySize: 13, boundaryId: 1);
            for (int trial = 0; trial < 20; trial++)
            {
                int[] context = Enumerable.Range(0, order).Select(_ => random.Next(13)).ToArray();
                double sum = Enumerable.Range(0, 13).Sum(next => model.Probability(context, next));
                Assert.AreEqual(1, sum, 1e-9, $"order {order}, context [{string.Join(", ", context)}]");
            }
            entropies.Add(model.CrossEntropy(test));
        }
        Assert.IsTrue(entropies[1] < entropies[0] - 0.5, $"order 2 sees the rule: {string.Join(", ", entropies)}");
        Assert.IsTrue(entropies[1] < Math.Log(13) / 3, $"{entropies[1]}");
    }

    [TestMethod]
    public void BadArgumentsAreNamed()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MarkovChainModel.Fit(Corpus, 0, 4, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MarkovChainModel.Fit(Corpus, 6, 4, 0));
        var outside = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MarkovChainModel.Fit([[1, 7]], 1, 4, 0));
        StringAssert.Contains(outside.Message, "Sequence 0, position 1: id 7");
        Assert.ThrowsExactly<ArgumentException>(() => MarkovChainModel.Fit([], 1, 4, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MarkovChainModel.Fit(Corpus, 1, 4, 0).Probability([1], 4));
    }
}
