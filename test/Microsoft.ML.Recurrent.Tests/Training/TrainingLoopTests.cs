using Microsoft.ML.Recurrent.Tests.Support;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Tests.Training;

[TestClass]
public sealed class TrainingLoopTests
{
    [TestInitialize]
    public void Initialize() => TorchRuntime.EnsureInitialized();

    [TestMethod]
    public void ALinearModelConvergesOnASeparableRegression()
    {
        var data = TrainingTestData.LinearRegression(256, 6, seed: 1);
        using var model = new StepSumRegressor(2);
        var logs = new List<string>();
        var history = new TrainingLoop(new TrainingOptions { Epochs = 25, BatchSize = 16, LearningRate = 0.05, Seed = 3 }, logs.Add)
            .Train(model, new RegressionTask(), data);

        Assert.AreEqual(25, history.Epochs.Count);
        double first = history.Epochs[0].TrainingLoss, last = history.Epochs[^1].TrainingLoss;
        Assert.IsTrue(last < first * 0.1, $"loss fell from {first} to {last}");
        Assert.IsFalse(history.StoppedEarly);
        Assert.IsTrue(logs.Any(l => l.StartsWith("Epoch 25/25: training loss", StringComparison.Ordinal)), string.Join("\n", logs));
    }

    [TestMethod]
    [DoNotParallelize] // two fits compared: nothing else may draw from LibTorch's process-wide generator meanwhile (docs/platform.md).
    public void TheSameSeedGivesIdenticalFinalParameters()
    {
        var data = TrainingTestData.LinearRegression(64, 5, seed: 2);
        Dictionary<string, float[]> Run(int seed)
        {
            using var model = new StepSumRegressor(2);
            new TrainingLoop(new TrainingOptions { Epochs = 3, BatchSize = 8, LearningRate = 0.01, Seed = seed }).Train(model, new RegressionTask(), data);
            return ModelState.Capture(model);
        }
        var a = Run(5);
        ModelState.AssertEqual(a, Run(5), "same seed");
        Assert.IsFalse(a["_step.weight"].SequenceEqual(Run(6)["_step.weight"]), "a different shuffling seed changes the result");
    }

    [TestMethod]
    public void EarlyStoppingRestoresTheWeightsOfTheBestEpoch()
    {
        var data = TrainingTestData.LinearRegression(40, 4, seed: 3);
        var validation = TrainingTestData.LinearRegression(10, 4, seed: 4);
        using var model = new StepSumRegressor(2);
        var snapshots = new Dictionary<int, Dictionary<string, float[]>>();
        var options = new TrainingOptions
        {
            Epochs = 20, BatchSize = 8, LearningRate = 0.01, Seed = 1, EarlyStoppingPatience = 3,
            Progress = new SyncProgress<TrainingProgress>(p =>
            {
                if (p.CompletedEpoch is { } done)
                    snapshots[done.Epoch] = ModelState.Capture(model);
            }),
        };
        var task = new ScriptedMetricTask([0.5, 0.7, 0.9, 0.6, 0.85, 0.89, 0.95]);
        var history = new TrainingLoop(options).Train(model, task, data, validation);

        Assert.IsTrue(history.StoppedEarly);
        Assert.AreEqual(6, history.Epochs.Count);
        Assert.AreEqual(3, history.BestEpoch);
        Assert.AreEqual("scripted accuracy", history.MonitoredValue);
        Assert.IsTrue(history.RestoredBestWeights);
        Assert.AreEqual(0.9, history.Epochs[2].ValidationMetric);
        ModelState.AssertEqual(snapshots[3], ModelState.Capture(model), "restored epoch-3 weights");
        Assert.IsFalse(snapshots[6]["_step.weight"].SequenceEqual(snapshots[3]["_step.weight"]), "training moved on after epoch 3");
    }

    [TestMethod]
    public void StepDecayFollowsTheDocumentedTable()
    {
        var data = TrainingTestData.LinearRegression(16, 3, seed: 5);
        using var model = new StepSumRegressor(2);
        var used = new List<double>();
        var loop = new TrainingLoop(new TrainingOptions
        {
            Epochs = 7, BatchSize = 16, LearningRate = 0.1, Optimizer = OptimizerKind.Sgd,
            LearningRateSchedule = LearningRateScheduleKind.StepDecay, StepSize = 2, DecayFactor = 0.5, StartDecayAfterEpoch = 1,
        })
        { BeforeOptimizerStep = (_, optimizer) => used.Add(optimizer.ParamGroups.First().LearningRate) };
        var history = loop.Train(model, new RegressionTask(), data);

        double[] expected = [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025];
        CollectionAssert.AreEqual(expected, history.Epochs.Select(e => e.LearningRate).ToArray());
        CollectionAssert.AreEqual(expected, used.ToArray(), "the optimizer used the scheduled rates (one batch per epoch)");
    }

    [TestMethod]
    public void ReduceOnPlateauDecaysWhenTheMetricStalls()
    {
        var data = TrainingTestData.LinearRegression(16, 3, seed: 6);
        using var model = new StepSumRegressor(2);
        var history = new TrainingLoop(new TrainingOptions
        {
            Epochs = 6, BatchSize = 16, LearningRate = 0.1, LearningRateSchedule = LearningRateScheduleKind.ReduceOnPlateau, PlateauPatience = 1,
        }).Train(model, new ScriptedMetricTask([0.5, 0.6, 0.6, 0.6, 0.6, 0.6]), data, data);
        CollectionAssert.AreEqual(new[] { 0.1, 0.1, 0.1, 0.1, 0.05, 0.05 }, history.Epochs.Select(e => e.LearningRate).ToArray());
    }

    [TestMethod]
    public void CancellingFromTheProgressCallbackStopsWithinOneBatch()
    {
        var data = TrainingTestData.LinearRegression(80, 3, seed: 7);
        using var model = new StepSumRegressor(2);
        using var cancellation = new CancellationTokenSource();
        int steps = 0;
        var loop = new TrainingLoop(new TrainingOptions
        {
            Epochs = 5, BatchSize = 8, ProgressInterval = 1, CancellationToken = cancellation.Token,
            Progress = new SyncProgress<TrainingProgress>(p =>
            {
                if (p.Epoch == 2 && p.Batch == 3)
                    cancellation.Cancel();
            }),
        })
        { BeforeOptimizerStep = (_, _) => steps++ };

        Assert.ThrowsExactly<OperationCanceledException>(() => loop.Train(model, new RegressionTask(), data));
        Assert.AreEqual(10 + 3, steps, "no batch ran after the one whose report cancelled");
    }

    [TestMethod]
    public void ANaNLossThrowsNamingEpochAndBatch()
    {
        var data = TrainingTestData.LinearRegression(40, 3, seed: 8);
        using var model = new StepSumRegressor(2);
        var loop = new TrainingLoop(new TrainingOptions { Epochs = 3, BatchSize = 10 });
        var error = Assert.ThrowsExactly<TrainingDivergedException>(() => loop.Train(model, new NaNAtCallTask(4 + 3), data));
        StringAssert.Contains(error.Message, "epoch 2");
        StringAssert.Contains(error.Message, "batch 3");
        StringAssert.Contains(error.Message, "lower learning rate");
        Assert.AreEqual((2, 3), (error.Epoch, error.Batch));
    }

    [TestMethod]
    public void GradientsSeenByTheOptimizerAreClippedToTheNorm()
    {
        var data = TrainingTestData.LinearRegression(32, 5, seed: 9);
        double MaxNorm(double clip)
        {
            using var model = new StepSumRegressor(2);
            double max = 0;
            new TrainingLoop(new TrainingOptions { Epochs = 2, BatchSize = 8, GradientClipNorm = clip, Optimizer = OptimizerKind.Sgd, Momentum = 0 })
            {
                BeforeOptimizerStep = (m, _) =>
                {
                    double squares = m.parameters().Sum(p => p.grad!.pow(2).sum().item<float>());
                    max = Math.Max(max, Math.Sqrt(squares));
                },
            }.Train(model, new RegressionTask(), data);
            return max;
        }
        const double Clip = 0.05;
        Assert.IsTrue(MaxNorm(0) > Clip * 4, "unclipped gradients exceed the clip norm");
        Assert.IsTrue(MaxNorm(Clip) <= Clip * (1 + 1e-4), "clipped gradients respect it");
    }

    [TestMethod]
    public void ValidationFractionHoldsOutADeterministicPart()
    {
        var data = TrainingTestData.LinearRegression(50, 3, seed: 10);
        var seen = new List<int[]>();
        for (int run = 0; run < 2; run++)
        {
            using var model = new StepSumRegressor(2);
            var task = new RecordingTask();
            new TrainingLoop(new TrainingOptions { Epochs = 1, BatchSize = 7, ValidationFraction = 0.2, Seed = 12 }).Train(model, task, data);
            Assert.AreEqual(10, task.Evaluated.Count);
            Assert.AreEqual(40, task.Trained.Count);
            Assert.IsFalse(task.Trained.Intersect(task.Evaluated).Any());
            CollectionAssert.AreEqual(task.Evaluated.Order().ToArray(), task.Evaluated.ToArray(), "validation runs in the original order");
            seen.Add(task.Evaluated.ToArray());
        }
        CollectionAssert.AreEqual(seen[0], seen[1]);
    }

    [TestMethod]
    public void AbsurdOptionsAreRejectedNamingTheProperty()
    {
        (TrainingOptions Options, string Property)[] cases =
        [
            (new() { Epochs = 0 }, nameof(TrainingOptions.Epochs)),
            (new() { BatchSize = 0 }, nameof(TrainingOptions.BatchSize)),
            (new() { LearningRate = 0 }, nameof(TrainingOptions.LearningRate)),
            (new() { LearningRate = double.NaN }, nameof(TrainingOptions.LearningRate)),
            (new() { ValidationFraction = 0.7 }, nameof(TrainingOptions.ValidationFraction)),
            (new() { GradientClipNorm = -1 }, nameof(TrainingOptions.GradientClipNorm)),
            (new() { Momentum = 1 }, nameof(TrainingOptions.Momentum)),
            (new() { DecayFactor = 0 }, nameof(TrainingOptions.DecayFactor)),
            (new() { EarlyStoppingPatience = -1 }, nameof(TrainingOptions.EarlyStoppingPatience)),
            (new() { MaxTrainingTime = TimeSpan.Zero }, nameof(TrainingOptions.MaxTrainingTime)),
            (new() { Optimizer = (OptimizerKind)42 }, nameof(TrainingOptions.Optimizer)),
        ];
        foreach (var (options, property) in cases)
        {
            var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(options.Validate, property);
            Assert.AreEqual(property, error.ParamName);
        }
        new TrainingOptions().Validate();
    }

    [TestMethod]
    public void PredictionReturnsRowsInTheOriginalOrder()
    {
        var data = TrainingTestData.LinearRegression(23, 4, seed: 13);
        using var model = new StepSumRegressor(2);
        var rows = BatchPredictor.Predict(model, batch => model.Predict(batch), data, batchSize: 5);
        var perStep = BatchPredictor.Predict(model, batch => batch.Inputs, data, batchSize: 5, trimToLength: true);
        Assert.AreEqual(23, rows.Length);
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            var single = model.Predict(new BatchIterator(data).Create([17]));
            Assert.AreEqual(single.item<float>(), rows[17].Single(), 1e-5);
        }
        CollectionAssert.AreEqual(data.GetFeatures(9).ToArray(), perStep[9]);
    }

    [TestMethod]
    public void TheTimeLimitStopsAfterTheEpochThatExceedsIt()
    {
        var data = TrainingTestData.LinearRegression(16, 3, seed: 15);
        using var model = new StepSumRegressor(2);
        var history = new TrainingLoop(new TrainingOptions { Epochs = 5, MaxTrainingTime = TimeSpan.FromTicks(1) }).Train(model, new RegressionTask(), data);
        Assert.AreEqual(1, history.Epochs.Count);
        Assert.IsTrue(history.StoppedByTimeLimit);
        Assert.IsFalse(history.StoppedEarly);
    }

    [TestMethod]
    public void WithoutATaskMetricTheValidationLossIsMonitored()
    {
        var data = TrainingTestData.LinearRegression(64, 4, seed: 16);
        using var model = new StepSumRegressor(2);
        var reports = new List<TrainingProgress>();
        var history = new TrainingLoop(new TrainingOptions
        {
            Epochs = 3, BatchSize = 8, LearningRate = 0.05, ValidationFraction = 0.25, ProgressInterval = 2,
            Progress = new SyncProgress<TrainingProgress>(reports.Add),
        }).Train(model, new RegressionTask(), data);

        Assert.AreEqual("validation loss", history.MonitoredValue);
        Assert.IsTrue(history.Epochs.All(e => e.ValidationLoss is > 0 && e.ValidationMetric is null));
        Assert.IsTrue(history.Epochs[^1].ValidationLoss < history.Epochs[0].ValidationLoss);
        Assert.AreEqual(history.Epochs.Select(e => e.ValidationLoss).Min(), history.Epochs[history.BestEpoch!.Value - 1].ValidationLoss);
        // 48 training examples = 6 batches: reports after batches 2 and 4, then the epoch summary.
        CollectionAssert.AreEqual(new[] { 2, 4, 6 }, reports.Where(r => r.Epoch == 1).Select(r => r.Batch).ToArray());
        Assert.IsNotNull(reports.Last().CompletedEpoch);
    }

    [TestMethod]
    [DoNotParallelize] // Tensor.TotalCount is process-wide.
    public void LiveTensorsDoNotGrowWithTheNumberOfBatches()
    {
        var data = TrainingTestData.LinearRegression(80, 5, seed: 14);
        long Growth(int epochs)
        {
            using var model = new StepSumRegressor(2);
            return LiveTensors.LeftBehindBy(() =>
                new TrainingLoop(new TrainingOptions { Epochs = epochs, BatchSize = 8, ValidationFraction = 0.25, Seed = 1 })
                    .Train(model, new ScriptedMetricTask([0.1, 0.3, 0.2, 0.4, 0.5, 0.6]), data));
        }
        long one = Growth(1), six = Growth(6);
        Assert.IsTrue(Math.Abs(six - one) <= 2, $"live tensors grew by {one} after 1 epoch and {six} after 6 epochs");
    }

    /// <summary>Reports a scripted validation metric per epoch (after consuming the batches).</summary>
    private sealed class ScriptedMetricTask(double[] script) : RegressionTask, ITrainingTask
    {
        private int _evaluations;

        public ValidationMetric? Metric { get; } = new("scripted accuracy", HigherIsBetter: true);

        public EvaluationResult Evaluate(nn.Module model, IEnumerable<SequenceBatch> batches)
        {
            Assert.IsFalse(model.training, "evaluation runs in eval mode");
            Assert.IsFalse(torch.is_grad_enabled(), "evaluation runs without gradients");
            int count = batches.Sum(b => b.Size);
            Assert.IsTrue(count > 0);
            return new EvaluationResult(1.0, script[_evaluations++]);
        }
    }

    /// <summary>Returns NaN at the given 1-based training call.</summary>
    private sealed class NaNAtCallTask(int call) : RegressionTask
    {
        private int _calls;

        public override Tensor ComputeLoss(nn.Module model, SequenceBatch batch)
        {
            var loss = base.ComputeLoss(model, batch);
            return ++_calls == call ? loss * float.NaN : loss;
        }
    }

    /// <summary>Records which examples were trained on and evaluated.</summary>
    private sealed class RecordingTask : RegressionTask
    {
        public List<int> Trained { get; } = [];

        public List<int> Evaluated { get; } = [];

        public override Tensor ComputeLoss(nn.Module model, SequenceBatch batch)
        {
            (model.training ? Trained : Evaluated).AddRange(batch.Indices);
            return base.ComputeLoss(model, batch);
        }
    }
}
