using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Tests.Classification;
using Microsoft.ML.Recurrent.Tests.Support;
using Microsoft.ML.Recurrent.Training;
using Microsoft.ML.Recurrent.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Tests.Runtime;

/// <summary>
/// Training leaves the process as it found it: LibTorch's process-wide generator, the thread count the application
/// chose, and the flush-denormal mode of every thread that LibTorch computes on.
/// </summary>
[TestClass]
public sealed class ProcessWideStateTests
{
    [TestInitialize]
    public void Initialize() => TorchRuntime.EnsureInitialized();

    /// <summary>Big enough that LibTorch splits an elementwise operation on it among its threads.</summary>
    private const int ProbeLength = 1 << 20;

    /// <summary>
    /// LibTorch arithmetic on subnormal numbers, on a thread that just ran a Fit, gives the bits it gives on a thread
    /// that never trained: no LibTorch worker thread of the caller keeps the flush-denormal mode that training uses.
    /// (LibTorch's OpenMP threads belong to the thread that first runs a parallel operation and inherit its mode when
    /// they are created; training used to create them with the mode on and leave them so.)
    /// </summary>
    [TestMethod]
    [DoNotParallelize] // the thread count and the worker threads are process-wide
    public void ArithmeticAfterATrainingIsTheArithmeticOfAProcessThatNeverTrained()
    {
        if (torch.get_num_threads() < 2)
            Assert.Inconclusive("LibTorch runs on one thread here: there are no worker threads to check.");
        float subnormal = BitConverter.Int32BitsToSingle(0x00800000 >> 4);

        int FlushedElements()
        {
            using var scope = NewDisposeScope();
            // Counted on the bits in .NET: a comparison inside LibTorch would itself run under the workers' mode.
            var product = full([ProbeLength], subnormal).mul(1f);
            return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(product.bytes).Count(0);
        }

        int duringTraining = 0;
        int neverTrained = OnNewThread(() =>
        {
            FlushDenormal.DisableForCurrentThread();
            return FlushedElements();
        });
        int afterTraining = OnNewThread(() =>
        {
            FlushDenormal.DisableForCurrentThread();
            var ml = new MLContext(seed: 1);
            var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 1);
            // An embedding of 64,000 weights: Adam's updates of it run on LibTorch's worker threads.
            (options.VocabularySize, options.EmbeddingSize) = (2000, 32);
            // Progress is reported on the training thread: there, and on its workers, the mode is on.
            options.Progress = new SyncProgress<TrainingProgress>(report => duringTraining = Math.Max(duringTraining, FlushedElements()));
            ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(OrderTask.Generate(32, seed: 1)));
            return FlushedElements();
        });
        Assert.AreEqual(0, neverTrained, "a thread that never trained keeps subnormal results");
        Assert.AreEqual(ProbeLength, duringTraining, "training runs with the mode on, on every LibTorch thread");
        Assert.AreEqual(0, afterTraining, "elements flushed to zero on the thread that ran a Fit");
    }

    /// <summary>The application's first draws from LibTorch's process-wide generator after seeding it, with <paramref name="between"/> run between the seeding and the draws.</summary>
    private static float[] DrawsAfterSeeding(Action? between = null)
    {
        torch.manual_seed(42);
        between?.Invoke();
        using var scope = NewDisposeScope();
        return rand(8).data<float>().ToArray();
    }

    /// <summary>The application's draws from LibTorch's process-wide generator are the same whether or not a Fit ran between them.</summary>
    [TestMethod]
    [DoNotParallelize] // the generator is process-wide
    public void ATrainingLeavesTheProcessGeneratorAsItFoundIt()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(16, seed: 1));
        var afterFit = DrawsAfterSeeding(() => ml.BinaryClassification.Trainers.Recurrent(RecurrentBinaryTrainerTests.SmallOptions(epochs: 1)).Fit(data));
        CollectionAssert.AreEqual(DrawsAfterSeeding(), afterFit, "the draws after a Fit");
    }

    /// <summary>
    /// Loading a model builds its networks (which draws initial weights) before the saved weights replace them; those
    /// draws must not come out of the application's stream, nor out of a training's that runs beside the load.
    /// </summary>
    [TestMethod]
    [DoNotParallelize] // the generator is process-wide
    public void LoadingAModelLeavesTheProcessGeneratorAsItFoundIt()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(16, seed: 1));
        var model = ml.BinaryClassification.Trainers.Recurrent(RecurrentBinaryTrainerTests.SmallOptions(epochs: 1)).Fit(data);
        using var saved = new MemoryStream();
        ml.Model.Save(model, data.Schema, saved);

        var afterLoad = DrawsAfterSeeding(() =>
        {
            saved.Position = 0;
            new MLContext(seed: 2).Model.Load(saved, out _);
        });
        CollectionAssert.AreEqual(DrawsAfterSeeding(), afterLoad, "the draws after a Model.Load");
    }

    /// <summary>
    /// In a fresh process that sees 3 cores (<c>DOTNET_PROCESSOR_COUNT</c>): a thread count the application set through
    /// TorchSharp before training, or through <c>OMP_NUM_THREADS</c>, is still LibTorch's after a Fit; with no choice,
    /// the library uses the 3 cores (LibTorch's own default is this machine's core count).
    /// </summary>
    [TestMethod]
    [DataRow(1, null, 1, DisplayName = "set through TorchSharp")]
    [DataRow(0, "1", 1, DisplayName = "OMP_NUM_THREADS")]
    [DataRow(0, null, 3, DisplayName = "no choice: the processor count")]
    public void TheApplicationsThreadCountSurvivesATraining(int applicationThreads, string? ompThreads, int expected)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Microsoft.ML.Recurrent.ModelHost.dll"));
        start.ArgumentList.Add("threads");
        start.ArgumentList.Add(applicationThreads.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.Environment["DOTNET_PROCESSOR_COUNT"] = "3";
        start.Environment.Remove("MKL_NUM_THREADS");
        if (ompThreads is null)
            start.Environment.Remove("OMP_NUM_THREADS");
        else
            start.Environment["OMP_NUM_THREADS"] = ompThreads;
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the host did not finish within 2 minutes");
        }
        Assert.AreEqual(0, process.ExitCode, stderr.Result);
        Assert.AreEqual(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), stdout.Result.Trim());
    }

    private static T OnNewThread<T>(Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { result = action(); }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
            throw new InvalidOperationException("the thread failed", failure);
        return result;
    }
}
