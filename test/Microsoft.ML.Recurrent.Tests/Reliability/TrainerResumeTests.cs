using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Forecasting;
using Microsoft.ML.Recurrent.ModelHost;
using Microsoft.ML.Recurrent.Tests.Support;
using Microsoft.ML.Recurrent.Tests.Tagging;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Tests.Reliability;

/// <summary>
/// <see cref="TrainingOptions.CheckpointPath"/> on the trainers whose resumption CheckpointResumeTests and
/// LanguageModelCheckpointTests do not cover in process: a run resumed after epoch 2 ends exactly as the uninterrupted run.
/// </summary>
[TestClass]
public sealed class TrainerResumeTests
{
    /// <summary>Scheduled sampling (teacher forcing ratio 0.5) and dropout both draw from the run's generator, which the checkpoint carries.</summary>
    [TestMethod]
    [DoNotParallelize]
    public void ResumingASeq2SeqModelGivesTheUninterruptedModelBitForBit()
    {
        using var folder = new TempFolder();
        (double[] Losses, int[][] Predicted) Train(int epochs, string? checkpoint)
        {
            var ml = new MLContext(seed: 5);
            var data = ml.Data.LoadFromEnumerable(Seq2SeqCheckpointTraining.Setup(checkpoint, 0, out var options));
            options.Epochs = epochs;
            options.Progress = null;
            var trainer = ml.SequenceToSequence().Trainers.Recurrent(options);
            var model = trainer.Fit(data);
            var losses = trainer.LastTrainingHistory!.Epochs.SelectMany(e => new[] { e.TrainingLoss, e.ValidationLoss ?? double.NaN }).ToArray();
            return (losses, model.Transform(data).GetColumn<int[]>("PredictedTokens").ToArray());
        }

        var uninterrupted = Train(4, null);
        string path = folder.File("seq2seq.ckpt");
        Train(2, path);
        var resumed = Train(4, path);
        CollectionAssert.AreEqual(uninterrupted.Losses, resumed.Losses, "per-epoch losses of the resumed run");
        CollectionAssert.AreEqual(uninterrupted.Predicted.Select(p => string.Join(' ', p)).ToArray(), resumed.Predicted.Select(p => string.Join(' ', p)).ToArray());
    }

    /// <summary>The tagger's word dropout and dropout, a validation split and best-weight restore.</summary>
    [TestMethod]
    [DoNotParallelize]
    public void ResumingATaggerGivesTheUninterruptedModel()
    {
        using var folder = new TempFolder();
        double[] Train(int epochs, string? checkpoint)
        {
            var ml = new MLContext(seed: 5);
            var options = TaggingTestData.SmallOptions(epochs);
            (options.WordDropout, options.ValidationFraction, options.CheckpointPath) = (0.1, 0.25, checkpoint);
            var trainer = ml.SequenceTagging().Trainers.BiLstm(options);
            trainer.Fit(ml.Data.LoadFromEnumerable(TaggingTestData.Generate(60, seed: 2)));
            return trainer.LastTrainingHistory!.Epochs.SelectMany(e => new[] { e.TrainingLoss, e.ValidationLoss ?? double.NaN, e.ValidationMetric ?? double.NaN }).ToArray();
        }

        var uninterrupted = Train(4, null);
        string path = folder.File("tagger.ckpt");
        Train(2, path);
        CollectionAssert.AreEqual(uninterrupted, Train(4, path));
    }

    /// <summary>A two-member forecasting ensemble with dropout: each member resumes from its own file.</summary>
    [TestMethod]
    [DoNotParallelize]
    public void ResumingAForecastingEnsembleGivesTheUninterruptedModel()
    {
        using var folder = new TempFolder();
        float[] Train(int epochs, string? checkpoint)
        {
            var ml = new MLContext(seed: 5);
            var options = new RecurrentForecastingTrainerOptions
            {
                Lookback = 8, Horizon = 2, HiddenSize = 6, Layers = 2, Dropout = 0.2, Epochs = epochs, BatchSize = 8, EnsembleSize = 2,
                LearningRate = 0.01, CheckpointPath = checkpoint,
            };
            var series = Enumerable.Range(0, 60).Select(t => new SeriesPoint { Value = (float)(5 + Math.Sin(t / 2.0) + 0.01 * t) }).ToList();
            var model = ml.Forecasting.Recurrent(options).Fit(ml.Data.LoadFromEnumerable(series));
            return model.Forecast(series.TakeLast(8).Select(p => p.Value).ToArray()).Forecast;
        }

        var uninterrupted = Train(4, null);
        string path = folder.File("forecast.ckpt");
        Train(2, path);
        Assert.IsTrue(File.Exists(path + ".member2"), "the second member keeps its own checkpoint");
        CollectionAssert.AreEqual(uninterrupted, Train(4, path));
    }

    private sealed class SeriesPoint
    {
        public float Value { get; set; }
    }
}
