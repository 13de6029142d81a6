using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.Tests.LanguageModeling;
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

    /// <summary>
    /// A two-layer language model with dropout, whose between-layer dropout happens inside LibTorch's fused module and
    /// so can only draw from the process-wide generator: its run swaps a private stream in for each forward pass.
    /// </summary>
    private static float[] TrainLanguageModel(int seed)
    {
        var ml = new MLContext(seed: 1);
        var text = ml.Data.LoadFromEnumerable(TinyCorpus.Generate(200, seed: 1));
        var tokenizer = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text", addBeginEnd: true).Fit(text);
        var data = tokenizer.Transform(text);
        var options = new LanguageModelTrainerOptions
        {
            Tokenizer = tokenizer, HiddenSize = 12, EmbeddingSize = 12, Layers = 2, Dropout = 0.4, SequenceLength = 8, BatchSize = 8,
            EvaluationBatchSize = 4, Epochs = 2, LearningRate = 0.02, Seed = seed,
        };
        var model = ml.LanguageModeling().Trainers.Recurrent(options).Fit(data);
        var scores = model.Transform(data).GetColumn<float>("LogProbability").ToArray();
        model.ReleaseNativeMemory();
        return scores;
    }

    [TestMethod]
    [DoNotParallelize]
    public void ALanguageModelWithLayerDropoutIsUnchangedByRunsTrainingAtTheSameTime()
    {
        var alone = TrainLanguageModel(seed: 5);
        Assert.IsFalse(alone.SequenceEqual(TrainLanguageModel(seed: 6)), "the seed changes the model");

        // Another language model draws between-layer dropout too; the classifier reseeds the process-wide generator
        // when it creates its network.
        using var start = new Barrier(3);
        var language = Task.Factory.StartNew(() => { start.SignalAndWait(); return TrainLanguageModel(seed: 5); }, TaskCreationOptions.LongRunning);
        var others = new[]
        {
            Task.Factory.StartNew(() => { start.SignalAndWait(); return TrainLanguageModel(seed: 9); }, TaskCreationOptions.LongRunning),
            Task.Factory.StartNew(() => { start.SignalAndWait(); return TrainAndScore(seed: 11, dataSeed: 3); }, TaskCreationOptions.LongRunning),
        };
        Assert.IsTrue(Task.WaitAll([language, .. others], TimeSpan.FromMinutes(5)), "the runs did not finish within 5 minutes");
        CollectionAssert.AreEqual(alone, language.Result, "the language model trained alongside two others gives the same model as alone");
    }
}
