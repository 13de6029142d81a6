using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Tests.Support;
using Microsoft.ML.Recurrent.Tests.Training;
using Microsoft.ML.Recurrent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Tests.Classification;

/// <summary>
/// ULMFiT's fine-tuning controls on the sequence classifier: discriminative learning rates
/// (<see cref="RecurrentSequenceTrainerOptions.LayerLearningRateDecay"/>) and gradual unfreezing
/// (<see cref="RecurrentSequenceTrainerOptions.GradualUnfreezing"/>), through the shared loop and through the trainer.
/// </summary>
[TestClass]
public sealed class FineTuningControlsTests
{
    private sealed class Row
    {
        public int[] Tokens { get; set; } = [];
        public bool Label { get; set; }
    }

    [TestInitialize]
    public void Initialize() => TorchRuntime.EnsureInitialized();

    /// <summary>Positive rows use only tokens 2 and 3, negative rows only 4 and 5: separable from any single token.</summary>
    private static List<Row> Separable(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            bool label = i % 2 == 0;
            int first = label ? 2 : 4;
            return new Row { Label = label, Tokens = Enumerable.Range(0, 2 + random.Next(4)).Select(_ => first + random.Next(2)).ToArray() };
        }).ToList();
    }

    private static SequenceDataset Dataset(IEnumerable<Row> rows)
    {
        var builder = new SequenceDataset.Builder(SequenceInputKind.Tokens, 1, SequenceTargetKind.Value);
        foreach (var row in rows)
        {
            builder.AddTokens(row.Tokens);
            builder.AddValue(row.Label ? 1 : 0);
        }
        return builder.Build();
    }

    // Made under the seeding lock from a fixed seed: equal networks each time, and no draws from LibTorch's
    // generator while a concurrent test's trainer seeds it.
    private static SequenceClassifierNetwork Network(int layers, bool freezeEmbeddings = false) => Microsoft.ML.Recurrent.Runtime.TorchSeeding.Create(5,
        () => new SequenceClassifierNetwork(new RecurrentEncoderSettings
        {
            CellType = RecurrentCellType.Lstm, HiddenSize = 4, Layers = layers, Bidirectional = true,
            VocabularySize = 8, EmbeddingSize = 4, FreezeEmbeddings = freezeEmbeddings,
        }, outputSize: 1, pooling: SequencePooling.Attention));

    private static TrainingLoop Loop(int epochs, double decay, bool gradual, Action<nn.Module, optim.Optimizer>? beforeStep = null) =>
        new(new TrainingOptions { Epochs = epochs, BatchSize = 8, LearningRate = 0.05, Seed = 2 })
        {
            ParameterGrouping = model => new ParameterGrouping(((SequenceClassifierNetwork)model).ParameterGroupsTopDown(), decay, gradual),
            BeforeOptimizerStep = beforeStep,
        };

    private static ITrainingTask Binary => SequenceTrainingTasks.For(SequencePredictionKind.BinaryClassification);

    [TestMethod]
    public void EachGroupLearnsAtTheRateDividedByTheDecayToItsDepth()
    {
        using var network = Network(layers: 2);
        var groups = network.ParameterGroupsTopDown();
        Assert.AreEqual(4, groups.Count, "head, top layer, first layer, embedding");
        CollectionAssert.AreEqual(new[] { 5, 8, 8, 1 }, groups.Select(g => g.Count).ToArray(),
            "head (weight, bias) with attention (2 + 1); two directions of 4 LSTM tensors per layer; the embedding");
        Assert.AreEqual(network.parameters().Count(), groups.Sum(g => g.Count));

        var seen = new List<(double Rate, int Count)[]>();
        Loop(1, decay: 2, gradual: false, (_, optimizer) => seen.Add(optimizer.ParamGroups.Select(g => (g.LearningRate, ((TorchSharp.Modules.ParamGroup)g).Parameters.Count())).ToArray()))
            .Train(network, Binary, Dataset(Separable(16, seed: 1)));

        Assert.AreEqual(2, seen.Count);
        foreach (var step in seen)
            CollectionAssert.AreEqual(new[] { (0.05, 5), (0.025, 8), (0.0125, 8), (0.00625, 1) }, step);
    }

    [TestMethod]
    public void FrozenEmbeddingsStayOutOfTheGroupsAndFrozen()
    {
        using var network = Network(layers: 1, freezeEmbeddings: true);
        var embedding = network.Encoder.EmbeddingLayer!.weight!;
        var before = embedding.data<float>().ToArray();
        var rates = new List<double[]>();
        Loop(3, decay: 2.6, gradual: true, (_, optimizer) => rates.Add(optimizer.ParamGroups.Select(g => g.LearningRate).ToArray()))
            .Train(network, Binary, Dataset(Separable(8, seed: 2)));

        CollectionAssert.AreEqual(new[] { 0.05, 0, }, rates[0], "epoch 1: the head only");
        Assert.AreEqual(2, rates[1].Length, "no group for the frozen embedding");
        Assert.AreEqual(0.05, rates[1][0]);
        Assert.AreEqual(0.05 / 2.6, rates[1][1], 1e-15, "epoch 2: the recurrent layer too");
        Assert.IsFalse(embedding.requires_grad, "the embedding stays frozen after gradual unfreezing");
        CollectionAssert.AreEqual(before, embedding.data<float>().ToArray());
    }

    [TestMethod]
    public void GradualUnfreezingTrainsOnlyTheHeadInTheFirstEpoch()
    {
        var data = Dataset(Separable(24, seed: 3));
        using var network = Network(layers: 1);
        var initial = ModelState.Capture(network);
        var rates = new List<double[]>();
        Loop(1, decay: 1, gradual: true, (_, optimizer) => rates.Add(optimizer.ParamGroups.Select(g => g.LearningRate).ToArray())).Train(network, Binary, data);

        CollectionAssert.AreEqual(new[] { 0.05, 0, 0 }, rates[0], "head, recurrent layer, embedding");
        var after = ModelState.Capture(network);
        foreach (var (name, values) in initial)
        {
            if (name.StartsWith("encoder.", StringComparison.Ordinal))
                CollectionAssert.AreEqual(values, after[name], $"{name} waits for a later epoch");
            else
                Assert.IsFalse(values.SequenceEqual(after[name]), $"{name} trained in epoch 1");
        }
        Assert.IsTrue(network.parameters().All(p => p.requires_grad), "every parameter requires gradients again after training");

        // One group per epoch: head, recurrent layer, embedding; after three epochs every weight has moved.
        using var full = Network(layers: 1);
        var start = ModelState.Capture(full);
        Loop(3, decay: 1, gradual: true).Train(full, Binary, data);
        var end = ModelState.Capture(full);
        foreach (var (name, values) in start)
        {
            Assert.IsFalse(values.SequenceEqual(end[name]), $"{name} trained by epoch 3");
        }
    }

    [TestMethod]
    public void GradientsAreSwitchedBackOnWhenTrainingFails()
    {
        using var network = Network(layers: 2);
        var loop = Loop(3, decay: 2, gradual: true);
        Assert.ThrowsExactly<InvalidOperationException>(() => loop.Train(network, new FailingTask(Binary, failAtCall: 2), Dataset(Separable(16, seed: 4))));
        Assert.IsTrue(network.parameters().All(p => p.requires_grad));
    }

    [TestMethod]
    public void AResumedGradualRunEndsWithTheUninterruptedWeights()
    {
        using var folder = new TempFolder();
        var data = Dataset(Separable(24, seed: 5));
        using var reference = Network(layers: 1);
        var initial = ModelState.Capture(reference);
        Loop(3, decay: 2, gradual: true).Train(reference, Binary, data);

        TrainingLoop Checkpointed(CancellationToken token, IProgress<TrainingProgress>? progress) => new(new TrainingOptions
        {
            Epochs = 3, BatchSize = 8, LearningRate = 0.05, Seed = 2, CheckpointPath = folder.File("gradual.ckpt"), CancellationToken = token, Progress = progress,
        })
        {
            ParameterGrouping = model => new ParameterGrouping(((SequenceClassifierNetwork)model).ParameterGroupsTopDown(), 2, true),
        };
        using (var interrupted = Network(layers: 1))
        using (var cancellation = new CancellationTokenSource())
        {
            Load(interrupted, initial);
            var stopAfterEpochOne = new SyncProgress<TrainingProgress>(p =>
            {
                if (p.CompletedEpoch is { Epoch: 1 })
                    cancellation.Cancel();
            });
            Assert.ThrowsExactly<OperationCanceledException>(() => Checkpointed(cancellation.Token, stopAfterEpochOne).Train(interrupted, Binary, data));
            Assert.IsTrue(interrupted.parameters().All(p => p.requires_grad));
        }
        using var resumed = Network(layers: 1);
        Checkpointed(CancellationToken.None, null).Train(resumed, Binary, data);
        ModelState.AssertEqual(ModelState.Capture(reference), ModelState.Capture(resumed), "resumed after epoch 1");
    }

    [TestMethod]
    public void TheTrainerLearnsASeparableTaskWithDiscriminativeRatesAndGradualUnfreezing()
    {
        var ml = new MLContext(seed: 1);
        var rows = Separable(48, seed: 6);
        var data = ml.Data.LoadFromEnumerable(rows);
        var trainer = ml.BinaryClassification.Trainers.Recurrent(new RecurrentSequenceTrainerOptions
        {
            FeatureColumnName = "Tokens", HiddenSize = 6, EmbeddingSize = 4, Layers = 2, EmbeddingDropout = 0, Pooling = SequencePooling.Max,
            Epochs = 8, BatchSize = 8, LearningRate = 0.03,
            LayerLearningRateDecay = 2, GradualUnfreezing = true, LearningRateSchedule = LearningRateScheduleKind.SlantedTriangular,
        });
        var model = trainer.Fit(data);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(data));
        Assert.IsTrue(metrics.Accuracy > 0.9, $"accuracy {metrics.Accuracy}");
        Assert.AreEqual(8, trainer.LastTrainingHistories[0].Epochs.Count);
    }

    [TestMethod]
    public void TheNewOptionsArePartOfTheCheckpointFingerprint()
    {
        using var network = Network(layers: 1);
        string Fingerprint(Action<RecurrentSequenceTrainerOptions> change)
        {
            var options = new RecurrentSequenceTrainerOptions();
            change(options);
            return TrainingCheckpoint.FingerprintOptions(options, seed: 1, network);
        }
        string baseline = Fingerprint(_ => { });
        Assert.AreNotEqual(baseline, Fingerprint(o => o.LayerLearningRateDecay = 2.6));
        Assert.AreNotEqual(baseline, Fingerprint(o => o.GradualUnfreezing = true));
        Assert.AreNotEqual(baseline, Fingerprint(o => o.WarmupFraction = 0.2));
        Assert.AreNotEqual(baseline, Fingerprint(o => o.SlantedTriangularRatio = 16));
        Assert.AreEqual(baseline, Fingerprint(_ => { }));
    }

    [TestMethod]
    public void ADecayBelowOneIsRejected()
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            ml.BinaryClassification.Trainers.Recurrent(new RecurrentSequenceTrainerOptions { LayerLearningRateDecay = 0.5 }));
        Assert.AreEqual(nameof(RecurrentSequenceTrainerOptions.LayerLearningRateDecay), error.ParamName);
    }

    private static void Load(nn.Module model, Dictionary<string, float[]> state)
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            using var values = tensor(state[name], parameter.shape);
            parameter.copy_(values);
        }
    }

    /// <summary>Delegates to a task and throws on its <c>failAtCall</c>-th loss.</summary>
    private sealed class FailingTask(ITrainingTask inner, int failAtCall) : ITrainingTask
    {
        private int _calls;

        public Tensor ComputeLoss(nn.Module model, SequenceBatch batch)
            => ++_calls == failAtCall ? throw new InvalidOperationException("scripted failure") : inner.ComputeLoss(model, batch);
    }
}
