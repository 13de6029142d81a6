using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Tests.Classification;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Reliability;

/// <summary>
/// Trainers that run at the same time in one process (a parameter search on a thread pool, say) must not change each
/// other's models: dropout draws from each run's own generator, not from LibTorch's process-wide one.
/// </summary>
[TestClass]
public sealed class ConcurrentTrainingTests
{
    private sealed class Scored
    {
        public float Score { get; set; }
    }

    private static RecurrentSequenceTrainerOptions WithDropout(int seed)
    {
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 2);
        options.EmbeddingDropout = 0.3;
        options.LayerDropout = 0.3;
        options.OutputDropout = 0.2;
        options.Layers = 2;
        options.Seed = seed;
        return options;
    }

    private static float[] TrainAndScore(int seed, int dataSeed)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.BinaryClassification.Trainers.Recurrent(WithDropout(seed)).Fit(ml.Data.LoadFromEnumerable(OrderTask.Generate(160, dataSeed)));
        var scores = ml.Data.CreateEnumerable<Scored>(model.Transform(ml.Data.LoadFromEnumerable(OrderTask.Generate(40, seed: 77))), reuseRowObject: false)
            .Select(s => s.Score).ToArray();
        model.ReleaseNativeMemory();
        return scores;
    }

    [TestMethod]
    [DoNotParallelize]
    public void ARunWithDropoutIsUnchangedByRunsTrainingAtTheSameTime()
    {
        var alone = TrainAndScore(seed: 5, dataSeed: 1);
        // Different dropout from a different seed is what proves the runs draw separately: same-seed runs would
        // draw the same masks in any interleaving.
        Assert.IsFalse(alone.SequenceEqual(TrainAndScore(seed: 6, dataSeed: 1)), "the seed changes the model");

        using var start = new Barrier(3);
        var runs = new[] { (Seed: 5, Data: 1), (Seed: 9, Data: 2), (Seed: 11, Data: 3) }
            .Select(run => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                return TrainAndScore(run.Seed, run.Data);
            }, TaskCreationOptions.LongRunning))
            .ToArray();
        Assert.IsTrue(Task.WaitAll(runs, TimeSpan.FromMinutes(5)), "the runs did not finish within 5 minutes");
        CollectionAssert.AreEqual(alone, runs[0].Result, "the run trained alongside two others gives the same model as alone");
    }
}
