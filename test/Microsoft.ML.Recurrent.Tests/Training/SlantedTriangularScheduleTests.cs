using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Tests.LanguageModeling;
using Microsoft.ML.Recurrent.Tests.Support;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Tests.Training;

/// <summary>
/// <see cref="LearningRateScheduleKind.SlantedTriangular"/> (ULMFiT's STLR): the formula against hand-computed rates, the
/// loop applying it batch by batch, and a resumed run computing the same rates.
/// </summary>
[TestClass]
public sealed class SlantedTriangularScheduleTests
{
    // LearningRate 0.01, ratio 4, warm-up 0.25 over 9 steps: the peak is step floor(9 * 0.25) = 2, the last step 8.
    // Climb: p = s / 2; descent: p = (8 - s) / 6; rate = 0.01 * (1 + 3p) / 4.
    private static readonly double[] NineSteps = [0.0025, 0.00625, 0.01, 0.00875, 0.0075, 0.00625, 0.005, 0.00375, 0.0025];

    [TestInitialize]
    public void Initialize() => TorchRuntime.EnsureInitialized();

    private static TrainingOptions Options(int epochs = 3) => new()
    {
        Epochs = epochs, BatchSize = 8, LearningRate = 0.01, Optimizer = OptimizerKind.Sgd, Momentum = 0, Seed = 4,
        LearningRateSchedule = LearningRateScheduleKind.SlantedTriangular, WarmupFraction = 0.25, SlantedTriangularRatio = 4,
    };

    [TestMethod]
    public void TheFormulaGivesTheHandComputedRates()
    {
        var options = Options();
        for (int step = 0; step < NineSteps.Length; step++)
            Assert.AreEqual(NineSteps[step], LearningRateScheduler.SlantedTriangularRate(options, step, 9), 1e-12, $"step {step}");

        Assert.AreEqual(0.01, LearningRateScheduler.SlantedTriangularRate(options, 0, 1), 1e-12, "a one-step run sits at the peak");
        // 10 steps, warm-up 0.1: the peak is step 1, so step 0 is the low end and the descent spans steps 1..9.
        var defaults = new TrainingOptions { LearningRate = 0.032, LearningRateSchedule = LearningRateScheduleKind.SlantedTriangular };
        Assert.AreEqual(0.001, LearningRateScheduler.SlantedTriangularRate(defaults, 0, 10), 1e-12);
        Assert.AreEqual(0.032, LearningRateScheduler.SlantedTriangularRate(defaults, 1, 10), 1e-12);
        Assert.AreEqual(0.001 * (1 + 31.0 * 4 / 8), LearningRateScheduler.SlantedTriangularRate(defaults, 5, 10), 1e-12);
        Assert.AreEqual(0.001, LearningRateScheduler.SlantedTriangularRate(defaults, 9, 10), 1e-12);
        var flat = new TrainingOptions { LearningRate = 0.5, SlantedTriangularRatio = 1 };
        Assert.AreEqual(0.5, LearningRateScheduler.SlantedTriangularRate(flat, 3, 10), 1e-12, "ratio 1 keeps the rate constant");
    }

    [TestMethod]
    public void TheLoopSetsTheRateBeforeEveryBatch()
    {
        // 24 rows in batches of 8: 3 batches per epoch, 9 steps over 3 epochs.
        var data = TrainingTestData.LinearRegression(24, 3, seed: 11);
        using var model = new StepSumRegressor(2);
        var used = new List<double>();
        var history = new TrainingLoop(Options()) { BeforeOptimizerStep = (_, optimizer) => used.Add(optimizer.ParamGroups.Single().LearningRate) }
            .Train(model, new RegressionTask(), data);

        AssertRates(NineSteps, used, "rates the optimizer used");
        AssertRates([NineSteps[0], NineSteps[3], NineSteps[6]], history.Epochs.Select(e => e.LearningRate).ToList(), "each epoch reports its first batch's rate");
    }

    [TestMethod]
    public void AResumedRunComputesTheSameRates()
    {
        using var folder = new TempFolder();
        var data = TrainingTestData.LinearRegression(24, 3, seed: 12);
        string checkpoint = folder.File("stlr.ckpt");

        using (var model = new StepSumRegressor(2))
        using (var cancellation = new CancellationTokenSource())
        {
            var options = Options();
            options.CheckpointPath = checkpoint;
            options.CancellationToken = cancellation.Token;
            // The checkpoint is on disk before the epoch's report: cancelling there stops the run right after epoch 1.
            options.Progress = new SyncProgress<TrainingProgress>(p =>
            {
                if (p.CompletedEpoch is { Epoch: 1 })
                    cancellation.Cancel();
            });
            Assert.ThrowsExactly<OperationCanceledException>(() => new TrainingLoop(options).Train(model, new RegressionTask(), data));
        }

        using var resumedModel = new StepSumRegressor(2);
        var resumedOptions = Options();
        resumedOptions.CheckpointPath = checkpoint;
        var used = new List<double>();
        var history = new TrainingLoop(resumedOptions) { BeforeOptimizerStep = (_, optimizer) => used.Add(optimizer.ParamGroups.Single().LearningRate) }
            .Train(resumedModel, new RegressionTask(), data);

        AssertRates(NineSteps[3..], used, "the resumed run continues the schedule at step 3");
        AssertRates([NineSteps[0], NineSteps[3], NineSteps[6]], history.Epochs.Select(e => e.LearningRate).ToList(), "history");
    }

    [TestMethod]
    public void TheLanguageModelLoopFollowsTheScheduleToo()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TinyCorpus.Generate(40, seed: 2));
        var tokenizer = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text", addBeginEnd: true).Fit(data);
        var options = TinyCorpus.SmallOptions(tokenizer);
        options.HiddenSize = 8;
        options.EmbeddingSize = 8;
        options.Epochs = 3;
        options.BatchesPerEpoch = 2;
        options.LearningRate = 0.02;
        options.LearningRateSchedule = LearningRateScheduleKind.SlantedTriangular;
        options.WarmupFraction = 0.5;
        options.SlantedTriangularRatio = 4;
        var trainer = ml.LanguageModeling().Trainers.Recurrent(options);
        trainer.Fit(tokenizer.Transform(data));

        // 6 steps, peak at step 3: the epochs start at steps 0, 2 and 4.
        double[] expected = [0.02 / 4, 0.02 * (1 + 3 * 2 / 3.0) / 4, 0.02 * (1 + 3 * 0.5) / 4];
        AssertRates(expected, trainer.LastTrainingHistory!.Epochs.Select(e => e.LearningRate).ToList(), "language-model epochs");
    }

    [TestMethod]
    public void OutOfRangeSettingsAreRejectedNamingTheProperty()
    {
        (TrainingOptions Options, string Property)[] cases =
        [
            (new() { WarmupFraction = 0 }, nameof(TrainingOptions.WarmupFraction)),
            (new() { WarmupFraction = 1 }, nameof(TrainingOptions.WarmupFraction)),
            (new() { WarmupFraction = double.NaN }, nameof(TrainingOptions.WarmupFraction)),
            (new() { SlantedTriangularRatio = 0.5 }, nameof(TrainingOptions.SlantedTriangularRatio)),
            (new() { SlantedTriangularRatio = double.PositiveInfinity }, nameof(TrainingOptions.SlantedTriangularRatio)),
        ];
        foreach (var (options, property) in cases)
            Assert.AreEqual(property, Assert.ThrowsExactly<ArgumentOutOfRangeException>(options.Validate).ParamName);
        CollectionAssert.AreEqual(new[] { "Constant", "StepDecay", "ReduceOnPlateau", "SlantedTriangular" }, Enum.GetNames<LearningRateScheduleKind>(),
            "appended after the existing kinds, so saved values keep their meaning");
    }

    private static void AssertRates(IReadOnlyList<double> expected, IReadOnlyList<double> actual, string what)
    {
        Assert.AreEqual(expected.Count, actual.Count, $"{what}: count");
        for (int i = 0; i < expected.Count; i++)
            Assert.AreEqual(expected[i], actual[i], 1e-12, $"{what}[{i}]");
    }
}
