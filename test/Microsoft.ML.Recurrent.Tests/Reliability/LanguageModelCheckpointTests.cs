using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Tests.LanguageModeling;
using Microsoft.ML.Recurrent.Tests.Support;
using Microsoft.ML.Recurrent.Text;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Tests.Reliability;

/// <summary>
/// Checkpoints of the language-model trainer (<see cref="TrainingOptions.CheckpointPath"/>): its loop carries a window
/// cursor and recurrent state across epochs, so a resumed run must restore both to end with the uninterrupted model.
/// </summary>
[TestClass]
public sealed class LanguageModelCheckpointTests
{
    // About 33 windows per pass: 10 batches per epoch put the checkpoint after epoch 2 in the middle of a pass (state
    // carried into window 20), and epoch 4 crosses the end of the pass, where the state starts again from zeros.
    private const int BatchesPerEpoch = 10;

    [TestMethod]
    [DoNotParallelize]
    [DataRow(RecurrentCellType.Lstm)]
    [DataRow(RecurrentCellType.Gru)]
    public void ResumingMidPassGivesTheUninterruptedModelBitForBit(RecurrentCellType cell)
    {
        using var folder = new TempFolder();
        var (ml, tokenizer, data) = Corpus(seed: 1);
        var (expectedWeights, expectedScores, expectedHistory) = Train(ml, tokenizer, data, cell, epochs: 4, checkpoint: null);

        string path = folder.File("lm.ckpt");
        var (_, _, firstHistory) = Train(ml, tokenizer, data, cell, epochs: 2, checkpoint: path);
        Assert.AreEqual(2, firstHistory.Epochs.Count);
        Assert.IsTrue(File.Exists(path), "no checkpoint after two epochs");

        var (weights, scores, history) = Train(ml, tokenizer, data, cell, epochs: 4, checkpoint: path);
        AssertSameWeights(expectedWeights, weights);
        CollectionAssert.AreEqual(expectedScores, scores, "the resumed model's log-probabilities differ from the uninterrupted run's");
        CollectionAssert.AreEqual(expectedHistory.Epochs.Select(e => (e.TrainingLoss, e.ValidationLoss)).ToArray(),
            history.Epochs.Select(e => (e.TrainingLoss, e.ValidationLoss)).ToArray(), "the resumed history differs");
        Assert.AreEqual(expectedHistory.BestEpoch, history.BestEpoch);

        // A finished checkpoint is kept: fitting again returns the same model without training.
        var (again, againScores, _) = Train(ml, tokenizer, data, cell, epochs: 4, checkpoint: path);
        AssertSameWeights(expectedWeights, again);
        CollectionAssert.AreEqual(expectedScores, againScores);
    }

    [TestMethod]
    public void ACheckpointFromOtherDataIsRefusedNamingTheFile()
    {
        using var folder = new TempFolder();
        string path = folder.File("other.ckpt");
        var (ml, tokenizer, data) = Corpus(seed: 1);
        Train(ml, tokenizer, data, RecurrentCellType.Lstm, epochs: 1, checkpoint: path);

        var other = tokenizer.Transform(ml.Data.LoadFromEnumerable(TinyCorpus.Generate(300, seed: 2)));
        var error = Assert.Throws<InvalidOperationException>(() => Train(ml, tokenizer, other, RecurrentCellType.Lstm, epochs: 2, checkpoint: path));
        StringAssert.Contains(error.Message, path);
        StringAssert.Contains(error.Message, "other training data");
    }

    [TestMethod]
    public void ACheckpointWithOtherOptionsIsRefused()
    {
        using var folder = new TempFolder();
        string path = folder.File("options.ckpt");
        var (ml, tokenizer, data) = Corpus(seed: 1);
        Train(ml, tokenizer, data, RecurrentCellType.Lstm, epochs: 1, checkpoint: path);
        // Another window length leaves the network's shape unchanged: the options fingerprint alone must refuse it.
        var error = Assert.Throws<InvalidOperationException>(() => Train(ml, tokenizer, data, RecurrentCellType.Lstm, epochs: 2, checkpoint: path, sequenceLength: 6));
        StringAssert.Contains(error.Message, path);
        StringAssert.Contains(error.Message, "other training options");
    }

    [TestMethod]
    [DataRow("truncated")]
    [DataRow("flipped")]
    public void ADamagedCheckpointIsReportedNotLoaded(string damage)
    {
        using var folder = new TempFolder();
        string path = folder.File("damaged.ckpt");
        var (ml, tokenizer, data) = Corpus(seed: 1);
        Train(ml, tokenizer, data, RecurrentCellType.Lstm, epochs: 1, checkpoint: path);
        byte[] bytes = File.ReadAllBytes(path);
        if (damage == "truncated")
            bytes = bytes[..(bytes.Length / 2)];
        else
            bytes[^5] ^= 0xFF;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => Train(ml, tokenizer, data, RecurrentCellType.Lstm, epochs: 2, checkpoint: path));
        StringAssert.Contains(error.Message, path);
        StringAssert.Contains(error.Message, "damaged");
    }

    private static (MLContext Ml, TokenizeToSequenceTransformer Tokenizer, IDataView Data) Corpus(int seed)
    {
        var ml = new MLContext(seed: 1);
        var text = ml.Data.LoadFromEnumerable(TinyCorpus.Generate(300, seed));
        var tokenizer = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text", addBeginEnd: true).Fit(text);
        return (ml, tokenizer, tokenizer.Transform(text));
    }

    /// <summary>
    /// A run that uses every piece of state a language-model checkpoint must carry: dropout (the run's generator), a
    /// cursor and recurrent state that cross epoch boundaries, Adam's moments, plateau decay and best-weight restore.
    /// </summary>
    private static (Dictionary<string, float[]> Weights, float[] Scores, TrainingHistory History) Train(MLContext ml, TokenizeToSequenceTransformer tokenizer,
        IDataView data, RecurrentCellType cell, int epochs, string? checkpoint, int sequenceLength = 8)
    {
        var options = new LanguageModelTrainerOptions
        {
            Tokenizer = tokenizer,
            CellType = cell,
            HiddenSize = 12,
            EmbeddingSize = 12,
            Layers = 2,
            Dropout = 0.3,
            SequenceLength = sequenceLength,
            BatchSize = 8,
            BatchesPerEpoch = BatchesPerEpoch,
            EvaluationBatchSize = 4,
            Epochs = epochs,
            LearningRate = 0.02,
            LearningRateSchedule = LearningRateScheduleKind.ReduceOnPlateau,
            PlateauPatience = 0,
            Seed = 3,
            CheckpointPath = checkpoint,
        };
        var trainer = ml.LanguageModeling().Trainers.Recurrent(options);
        var model = trainer.Fit(data);
        var weights = new Dictionary<string, float[]>();
        foreach (var (name, tensor) in model.Network.state_dict())
            weights[name] = tensor.data<float>().ToArray();
        var scores = model.Transform(data).GetColumn<float>("LogProbability").ToArray();
        return (weights, scores, trainer.LastTrainingHistory!);
    }

    private static void AssertSameWeights(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual)
    {
        CollectionAssert.AreEquivalent(expected.Keys.ToArray(), actual.Keys.ToArray());
        foreach (var (name, values) in expected)
            CollectionAssert.AreEqual(values, actual[name], $"tensor {name} differs from the uninterrupted run's");
    }
}
