using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Training;
using TorchSharp;

namespace Microsoft.ML.Recurrent.Tests.Training;

[TestClass]
public sealed class BatchingTests
{
    [TestMethod]
    public void BucketedBatchesAreSortedByLengthAndCoverEveryExampleOnce()
    {
        var data = TrainingTestData.Tokens(count: 1000, maxLength: 40);
        var plan = BatchPlan.Shuffled(data, Enumerable.Range(0, data.Count).ToArray(), batchSize: 16, lengthBucketing: true, new Random(1), bucketBatches: 5);

        Assert.AreEqual(63, plan.BatchCount);
        var seen = new List<int>();
        long paddedSteps = 0;
        for (int b = 0; b < plan.BatchCount; b++)
        {
            var batch = plan.GetBatch(b).ToArray();
            var lengths = batch.Select(data.GetLength).ToArray();
            CollectionAssert.AreEqual(lengths.OrderByDescending(l => l).ToArray(), lengths, $"batch {b} is sorted longest first");
            paddedSteps += (long)lengths.Max() * lengths.Length;
            seen.AddRange(batch);
        }
        CollectionAssert.AreEquivalent(Enumerable.Range(0, data.Count).ToArray(), seen);

        var plain = BatchPlan.Shuffled(data, Enumerable.Range(0, data.Count).ToArray(), 16, lengthBucketing: false, new Random(1));
        long plainPadded = Enumerable.Range(0, plain.BatchCount).Sum(b => (long)plain.GetBatch(b).ToArray().Max(data.GetLength) * plain.GetBatch(b).Length);
        Assert.IsTrue(paddedSteps < plainPadded * 0.75, $"bucketing pads less ({paddedSteps} vs {plainPadded} steps)");
    }

    [TestMethod]
    public void PlansAreDeterministicFromTheSeed()
    {
        var data = TrainingTestData.Tokens(200, 30);
        int[] all = Enumerable.Range(0, data.Count).ToArray();
        foreach (bool bucketing in new[] { true, false })
        {
            var a = Flatten(BatchPlan.Shuffled(data, all, 8, bucketing, new Random(42)));
            var b = Flatten(BatchPlan.Shuffled(data, all, 8, bucketing, new Random(42)));
            var c = Flatten(BatchPlan.Shuffled(data, all, 8, bucketing, new Random(43)));
            CollectionAssert.AreEqual(a, b, "same seed, same order");
            CollectionAssert.AreNotEqual(a, c, "different seed, different order");
            CollectionAssert.AreEquivalent(all, a);
        }
    }

    [TestMethod]
    public void TokenBatchesAreRightPaddedWithZerosToTheBatchMaximum()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var data = TrainingTestData.Tokens(10, 8);
        var iterator = new BatchIterator(data);
        int[] indices = [1, 0, 2];
        using var batch = iterator.Create(indices);

        int maxLength = indices.Max(data.GetLength);
        CollectionAssert.AreEqual(new long[] { 3, maxLength }, batch.Inputs.shape);
        CollectionAssert.AreEqual(indices.Select(i => (long)data.GetLength(i)).ToArray(), batch.Lengths.data<long>().ToArray());
        CollectionAssert.AreEqual(indices.Select(i => (long)(i % 3)).ToArray(), batch.RequireTargets().data<long>().ToArray());
        long[] values = batch.Inputs.data<long>().ToArray();
        for (int r = 0; r < indices.Length; r++)
        {
            var tokens = data.GetTokens(indices[r]).ToArray();
            for (int t = 0; t < maxLength; t++)
                Assert.AreEqual(t < tokens.Length ? tokens[t] : 0L, values[r * maxLength + t], $"row {r} step {t}");
        }
        bool[] mask = batch.CreateStepMask().data<bool>().ToArray();
        for (int r = 0; r < indices.Length; r++)
            for (int t = 0; t < maxLength; t++)
                Assert.AreEqual(t < data.GetLength(indices[r]), mask[r * maxLength + t]);
    }

    [TestMethod]
    public void FeatureAndStepTargetBatchesArePadded()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var builder = new SequenceDataset.Builder(SequenceInputKind.Features, 2, SequenceTargetKind.StepClasses);
        builder.AddFeatures([1, 2, 3, 4]);
        builder.AddStepClasses([5, 6]);
        builder.AddFeatures([7, 8]);
        builder.AddStepClasses([9]);
        var data = builder.Build();
        using var batch = new BatchIterator(data).Create([1, 0]);

        CollectionAssert.AreEqual(new long[] { 2, 2, 2 }, batch.Inputs.shape);
        CollectionAssert.AreEqual(new float[] { 7, 8, 0, 0, 1, 2, 3, 4 }, batch.Inputs.data<float>().ToArray());
        CollectionAssert.AreEqual(new long[] { 9, SequenceDataset.IgnoreIndex, 5, 6 }, batch.RequireTargets().data<long>().ToArray());
        Assert.AreEqual(10, data.ClassCount);
    }

    [TestMethod]
    public void EvaluationPlansKeepTheOriginalOrder()
    {
        var plan = BatchPlan.Sequential(10, 4);
        Assert.AreEqual(3, plan.BatchCount);
        CollectionAssert.AreEqual(Enumerable.Range(0, 10).ToArray(), Flatten(plan));
        Assert.AreEqual(2, plan.GetBatch(2).Length);
    }

    [TestMethod]
    public void ValidationSplitIsDeterministicAndDisjoint()
    {
        var (trainA, validA) = BatchPlan.SplitForValidation(100, 0.2, 5);
        var (trainB, validB) = BatchPlan.SplitForValidation(100, 0.2, 5);
        var (_, validC) = BatchPlan.SplitForValidation(100, 0.2, 6);
        CollectionAssert.AreEqual(validA, validB);
        CollectionAssert.AreEqual(trainA, trainB);
        CollectionAssert.AreNotEqual(validA, validC);
        Assert.AreEqual(20, validA.Length);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 100).ToArray(), trainA.Concat(validA).ToArray());
        CollectionAssert.AreEqual(validA.Order().ToArray(), validA, "original order");
    }

    private static int[] Flatten(BatchPlan plan) =>
        Enumerable.Range(0, plan.BatchCount).SelectMany(b => plan.GetBatch(b).ToArray()).ToArray();
}
