using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.ModelHost;

/// <summary>
/// The <c>train-lm-with-checkpoint</c> command: <see cref="CheckpointTraining"/> for the language-model trainer. Prints
/// "epoch N done" after each epoch's checkpoint, saves the final model and prints each row's log-probability,
/// round-trip formatted, one per line.
/// </summary>
/// <remarks>
/// The settings make a checkpoint carry everything the language-model loop keeps between epochs: 7 windows per
/// epoch out of 20 per pass (945 training tokens in 6 streams), so epoch 2 ends in the middle of a pass with
/// recurrent state carried into the next window, and epoch 3 crosses the end of the pass; two layers with dropout,
/// so both dropout streams (the run's generator and the fused module's between-layer stream); Adam, plateau decay
/// and best-weight restore on the held-out tail.
/// </remarks>
public static class LanguageModelCheckpointTraining
{
    public sealed class Line
    {
        public string Text { get; set; } = "";
    }

    public static int Run(string checkpointPath, string modelPath, int stallAfterEpoch)
    {
        var ml = new MLContext(seed: 5);
        var text = ml.Data.LoadFromEnumerable(Generate(150, seed: 4));
        var tokenizer = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text", addBeginEnd: true).Fit(text);
        var data = tokenizer.Transform(text);
        var options = new LanguageModelTrainerOptions
        {
            Tokenizer = tokenizer,
            HiddenSize = 10,
            EmbeddingSize = 10,
            Layers = 2,
            Dropout = 0.3,
            SequenceLength = 8,
            BatchSize = 6,
            BatchesPerEpoch = 7,
            EvaluationBatchSize = 4,
            Epochs = 5,
            LearningRate = 0.02,
            LearningRateSchedule = LearningRateScheduleKind.ReduceOnPlateau,
            PlateauPatience = 0,
            CheckpointPath = checkpointPath,
            Progress = new CheckpointTraining.EpochPrinter(stallAfterEpoch),
        };
        var model = ml.LanguageModeling().Trainers.Recurrent(options).Fit(data);
        ModelOperationsCatalogExtensions.SaveAtomically(ml.Model, model, data.Schema, modelPath);
        foreach (float logProbability in model.Transform(data).GetColumn<float>("LogProbability"))
            Console.WriteLine(logProbability.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>Sentences of subject, verb and object from small fixed lists: strong next-word structure.</summary>
    private static List<Line> Generate(int count, int seed)
    {
        string[] subjects = ["the cat", "a dog", "the bird", "my friend", "our teacher"];
        string[] verbs = ["sees", "likes", "follows", "draws"];
        string[] objects = ["the red ball", "a small tree", "the old house", "a blue car"];
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => new Line { Text = $"{subjects[random.Next(subjects.Length)]} {verbs[random.Next(verbs.Length)]} {objects[random.Next(objects.Length)]}" })
            .ToList();
    }
}
