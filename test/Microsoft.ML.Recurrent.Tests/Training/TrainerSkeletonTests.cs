using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Forecasting;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Tests.Classification;
using Microsoft.ML.Recurrent.Tests.Support;
using Microsoft.ML.Recurrent.Training;
using TorchSharp;

namespace Microsoft.ML.Recurrent.Tests.Training;

/// <summary>
/// What every trainer gets from the one skeleton (<c>TrainerCore</c>, <c>FitRun</c>, <c>TrainingSession</c>): one time
/// limit and one clock for the whole Fit, the ensemble member in each progress report, and no network left behind when
/// a Fit fails.
/// </summary>
[TestClass]
public sealed class TrainerSkeletonTests
{
    [TestInitialize]
    public void Initialize() => TorchRuntime.EnsureInitialized();

    /// <summary>
    /// Three members under a 9 s limit, on a clock that moves 1 s per progress report (one report per batch): the
    /// first member gets a third of the limit, the next half of what is left, the last the rest; each stops inside an
    /// epoch at the batch that used up its share, and every report reads the one clock of the Fit.
    /// </summary>
    [TestMethod]
    public void OneTimeLimitAndOneClockCoverEveryMemberOfAnEnsemble()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(OrderTask.Generate(40, seed: 4));
        var clock = new ManualClock();
        var reports = new List<TrainingProgress>();
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 50);
        options.BatchSize = 8;
        options.EnsembleSize = 3;
        options.MaxTrainingTime = TimeSpan.FromSeconds(9);
        options.ProgressInterval = 1;
        options.TimeProvider = clock;
        options.Progress = new SyncProgress<TrainingProgress>(report =>
        {
            reports.Add(report);
            clock.Advance(TimeSpan.FromSeconds(1));
        });
        var trainer = ml.BinaryClassification.Trainers.Recurrent(options);
        trainer.Fit(data);

        // Member 0: deadline 3 s, so batches 1-3 report at 0, 1, 2 s and batch 4 ends the epoch at 3 s. Member 1 starts
        // at 4 s with 5 s left: deadline 6.5 s, batches at 4, 5, 6 s, the epoch ends after batch 4 (7 s). Member 2 starts
        // at 8 s with 1 s left: deadline 9 s, batch 1 at 8 s, the epoch ends after batch 2 (9 s).
        var expected = new (int Member, int Batch, bool Completed, double Seconds)[]
        {
            (0, 1, false, 0), (0, 2, false, 1), (0, 3, false, 2), (0, 4, true, 3),
            (1, 1, false, 4), (1, 2, false, 5), (1, 3, false, 6), (1, 4, true, 7),
            (2, 1, false, 8), (2, 2, true, 9),
        };
        CollectionAssert.AreEqual(expected.Select(e => e.ToString()).ToArray(),
            reports.Select(r => (r.MemberIndex, r.Batch, r.CompletedEpoch is not null, r.Elapsed.TotalSeconds).ToString()).ToArray());
        Assert.IsTrue(reports.All(r => r.MemberCount == 3 && r.Epoch == 1 && r.BatchCount == 5));
        Assert.AreEqual(3, trainer.LastTrainingHistories.Count);
        Assert.IsTrue(trainer.LastTrainingHistories.All(h => h.StoppedByTimeLimit && h.Epochs.Count == 1));
    }

    /// <summary>The language model's loop reads the same clock and limit; without an ensemble its one member gets the whole limit.</summary>
    [TestMethod]
    public void TheLanguageModelStopsAtTheBatchThatUsesUpTheLimit()
    {
        var ml = new MLContext(seed: 1);
        var text = ml.Data.LoadFromEnumerable(LanguageModeling.TinyCorpus.Generate(100, seed: 2));
        var tokenizer = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text", addBeginEnd: true).Fit(text);
        var data = tokenizer.Transform(text);
        var clock = new ManualClock();
        var reports = new List<TrainingProgress>();
        var options = new Microsoft.ML.Recurrent.LanguageModeling.LanguageModelTrainerOptions
        {
            Tokenizer = tokenizer, HiddenSize = 8, EmbeddingSize = 8, SequenceLength = 4, BatchSize = 2, Epochs = 20,
            MaxTrainingTime = TimeSpan.FromSeconds(2.5), ProgressInterval = 1, TimeProvider = clock,
            Progress = new SyncProgress<TrainingProgress>(report =>
            {
                reports.Add(report);
                clock.Advance(TimeSpan.FromSeconds(1));
            }),
        };
        var trainer = ml.LanguageModeling().Trainers.Recurrent(options);
        trainer.Fit(data);

        // Batches 1-3 report at 0, 1 and 2 s; after batch 4 the clock reads 3 s, past the limit: the epoch ends there.
        CollectionAssert.AreEqual(new[] { "(1, False, 0)", "(2, False, 1)", "(3, False, 2)", "(4, True, 3)" },
            reports.Select(r => (r.Batch, r.CompletedEpoch is not null, r.Elapsed.TotalSeconds).ToString()).ToArray());
        Assert.IsTrue(reports.All(r => r.BatchCount > 4 && r.MemberIndex == 0 && r.MemberCount == 1));
        Assert.IsTrue(trainer.LastTrainingHistory!.StoppedByTimeLimit);
    }

    /// <summary>
    /// A Fit cancelled while its second network trains disposes the first network too (the classifier and the
    /// forecaster left it to the garbage collector): it leaves no more live LibTorch tensors behind than a Fit that
    /// succeeds and whose model is then released (creating a module leaves a few of TorchSharp's own temporaries to
    /// the collector either way). Counted without a collection.
    /// </summary>
    [TestMethod]
    [DoNotParallelize] // Tensor.TotalCount is process-wide.
    [DataRow("classifier")]
    [DataRow("forecaster")]
    public void AFailedFitLeavesNoNetworkBehind(string trainer)
    {
        (long LeftBehind, bool Cancelled) Fit(bool cancelInSecondMember)
        {
            bool cancelled = false;
            long leftBehind = LiveTensors.LeftBehindBy(() =>
            {
                cancelled = false;
                using var cancellation = new CancellationTokenSource();
                var progress = new SyncProgress<TrainingProgress>(report =>
                {
                    if (cancelInSecondMember && report.MemberIndex == 1)
                        cancellation.Cancel();
                });
                try
                {
                    Train(new MLContext(seed: 1), cancellation.Token, progress);
                }
                catch (OperationCanceledException)
                {
                    cancelled = true;
                }
            });
            return (leftBehind, cancelled);
        }

        void Train(MLContext ml, CancellationToken token, IProgress<TrainingProgress> progress)
        {
            if (trainer == "classifier")
            {
                var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 2);
                (options.EnsembleSize, options.ProgressInterval, options.CancellationToken, options.Progress) = (2, 1, token, progress);
                ml.BinaryClassification.Trainers.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(OrderTask.Generate(48, seed: 3))).ReleaseNativeMemory();
            }
            else
            {
                var options = new RecurrentForecastingTrainerOptions
                {
                    Lookback = 6, Horizon = 2, HiddenSize = 4, Epochs = 2, BatchSize = 4, EnsembleSize = 2,
                    ProgressInterval = 1, CancellationToken = token, Progress = progress,
                };
                var series = Enumerable.Range(0, 40).Select(t => new SeriesPoint { Value = (float)Math.Sin(t / 3.0) }).ToList();
                ml.Forecasting.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(series)).ReleaseNativeMemory();
            }
        }

        Fit(cancelInSecondMember: false); // warm-up: anything created once per process
        var succeeded = Fit(cancelInSecondMember: false);
        var failed = Fit(cancelInSecondMember: true);
        Assert.IsFalse(succeeded.Cancelled);
        Assert.IsTrue(failed.Cancelled);
        Assert.IsTrue(failed.LeftBehind <= succeeded.LeftBehind,
            $"a cancelled Fit left {failed.LeftBehind} live tensors, a released successful one {succeeded.LeftBehind}");
    }

    private sealed class SeriesPoint
    {
        public float Value { get; set; }
    }
}

/// <summary>A clock that moves only when told to.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
