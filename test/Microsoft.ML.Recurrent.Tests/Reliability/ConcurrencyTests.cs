using System.Diagnostics;
using Microsoft.ML.Recurrent.Tests.Classification;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Reliability;

/// <summary>One trained model shared by many threads, each with its own PredictionEngine, as a web service would.</summary>
[TestClass]
public sealed class ConcurrencyTests
{
    private const int Threads = 8;
    // 5,000 rather than 10,000: on the shared 2-core test machine 8 × 10,000 took a minute; 40,000 still exercise every thread for seconds.
    private const int PredictionsPerThread = 5_000;
    private const int WarmUp = 1_000;

    private sealed class Scored
    {
        public float Score { get; set; }
    }

    [TestMethod]
    [DoNotParallelize]
    public void EightThreadsWithTheirOwnPredictionEnginesAgreeWithSequentialScoringInFlatMemory()
    {
        var ml = new MLContext(seed: 1);
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 1);
        options.HiddenSize = 4;
        options.EmbeddingSize = 4;
        var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(OrderTask.Generate(32, seed: 1)));
        var inputs = OrderTask.Generate(64, seed: 2, maxFiller: 20);
        // Plain engines, disposed as users dispose them: the model is not disposable, so disposing an engine leaves it intact.
        float[] expected;
        using (var sequential = ml.Model.CreatePredictionEngine<OrderTask.Row, Scored>(model))
            expected = inputs.Select(r => sequential.Predict(r).Score).ToArray();

        long workingSetAfterWarmUp = 0;
        long liveTensorsAfterWarmUp = 0;
        using var warmedUp = new Barrier(Threads, _ =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            workingSetAfterWarmUp = WorkingSet();
            liveTensorsAfterWarmUp = TorchSharp.torch.Tensor.TotalCount;
        });
        var mismatches = new int[Threads];
        var workers = Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(() =>
        {
            using var engine = ml.Model.CreatePredictionEngine<OrderTask.Row, Scored>(model);
            for (int i = 0; i < PredictionsPerThread; i++)
            {
                if (i == WarmUp)
                    warmedUp.SignalAndWait();
                int row = (i * 7 + t * 13) % inputs.Count;
                if (BitConverter.SingleToInt32Bits(engine.Predict(inputs[row]).Score) != BitConverter.SingleToInt32Bits(expected[row]))
                    mismatches[t]++;
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        Assert.IsTrue(Task.WaitAll(workers, TimeSpan.FromMinutes(10)), "the threads did not finish within 10 minutes");

        GC.Collect();
        GC.WaitForPendingFinalizers();
        long growth = WorkingSet() - workingSetAfterWarmUp;
        Assert.AreEqual(0, mismatches.Sum(), $"scores differing from sequential scoring, per thread: {string.Join(", ", mismatches)}");
        Assert.IsTrue(growth < 64L * 1024 * 1024, $"the working set grew by {growth / 1024 / 1024} MB over {Threads * (PredictionsPerThread - WarmUp)} predictions after warm-up");
        Assert.IsTrue(TorchSharp.torch.Tensor.TotalCount - liveTensorsAfterWarmUp <= Threads,
            $"live tensors grew from {liveTensorsAfterWarmUp} to {TorchSharp.torch.Tensor.TotalCount}");
    }

    [TestMethod]
    public void AModelWhoseNativeMemoryWasReleasedSaysWhatHappened()
    {
        var ml = new MLContext(seed: 1);
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 1);
        options.HiddenSize = 4;
        var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(OrderTask.Generate(8, seed: 1)));
        using (var owner = ml.Model.CreatePredictionEngine<OrderTask.Row, Scored>(model))
            owner.Predict(new OrderTask.Row { Tokens = [5, 6] });
        using var second = ml.Model.CreatePredictionEngine<OrderTask.Row, Scored>(model);
        second.Predict(new OrderTask.Row { Tokens = [5, 6] });
        model.ReleaseNativeMemory();
        var error = Assert.Throws<ObjectDisposedException>(() => second.Predict(new OrderTask.Row { Tokens = [5, 6] }));
        StringAssert.Contains(error.Message, "ReleaseNativeMemory");
    }

    private static long WorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
