using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.Seq2Seq;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.ModelHost;

/// <summary>
/// The <c>train-seq2seq-with-checkpoint</c> command: <see cref="CheckpointTraining"/> for the sequence-to-sequence
/// trainer. Prints "epoch N done" after each epoch's checkpoint, saves the final model, then prints each epoch's
/// training and validation loss (round-trip formatted) and each row's predicted ids.
/// </summary>
/// <remarks>
/// Scheduled sampling (teacher forcing ratio 0.5) and dropout both draw from the run's generator, so the checkpoint
/// must carry it for epochs 3 to 5 of a resumed run to draw what the uninterrupted run drew; a validation split with
/// best-weight restore, plateau decay and Adam's moments complete the state.
/// </remarks>
public static class Seq2SeqCheckpointTraining
{
    public sealed class Pair
    {
        [VectorType]
        public int[] Source { get; set; } = [];

        [VectorType]
        public int[] Target { get; set; } = [];
    }

    public static int Run(string checkpointPath, string modelPath, int stallAfterEpoch)
    {
        var ml = new MLContext(seed: 5);
        var data = ml.Data.LoadFromEnumerable(Setup(checkpointPath, stallAfterEpoch, out var options));
        var trainer = ml.SequenceToSequence().Trainers.Recurrent(options);
        var model = trainer.Fit(data);
        ModelOperationsCatalogExtensions.SaveAtomically(ml.Model, model, data.Schema, modelPath);
        foreach (var epoch in trainer.LastTrainingHistory!.Epochs)
            Console.WriteLine($"loss {epoch.TrainingLoss.ToString("R", CultureInfo.InvariantCulture)} {epoch.ValidationLoss?.ToString("R", CultureInfo.InvariantCulture)}");
        foreach (var predicted in model.Transform(data).GetColumn<int[]>("PredictedTokens"))
            Console.WriteLine(string.Join(' ', predicted));
        return 0;
    }

    /// <summary>The rows (sources of 2-5 ids in 4..11, targets their reversal in &lt;s&gt; and &lt;/s&gt;) and the settings.</summary>
    public static List<Pair> Setup(string? checkpointPath, int stallAfterEpoch, out Seq2SeqTrainerOptions options)
    {
        options = new Seq2SeqTrainerOptions
        {
            HiddenSize = 12,
            EmbeddingSize = 8,
            Dropout = 0.2,
            TeacherForcingRatio = 0.5,
            Epochs = 5,
            BatchSize = 16,
            LearningRate = 0.01,
            ValidationFraction = 0.2,
            LearningRateSchedule = LearningRateScheduleKind.ReduceOnPlateau,
            PlateauPatience = 0,
            CheckpointPath = checkpointPath,
            Progress = new CheckpointTraining.EpochPrinter(stallAfterEpoch),
        };
        var random = new Random(3);
        return Enumerable.Range(0, 120).Select(_ =>
        {
            var source = Enumerable.Range(0, random.Next(2, 6)).Select(_ => random.Next(4, 12)).ToArray();
            return new Pair { Source = source, Target = [2, .. source.Reverse(), 3] };
        }).ToList();
    }
}
