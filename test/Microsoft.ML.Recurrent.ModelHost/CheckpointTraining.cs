using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.ModelHost;

/// <summary>
/// The <c>train-with-checkpoint</c> command: trains a small binary model with <see cref="TrainingOptions.CheckpointPath"/>,
/// prints "epoch N done" after each epoch (after its checkpoint is on disk), saves the final model and prints its
/// scores on the training rows, round-trip formatted, one per line.
/// </summary>
/// <remarks>
/// <c>stallAfterEpoch</c> blocks the training thread after printing that epoch, so a test can kill the process at a
/// known point without racing the next epoch. The settings use every piece of state a checkpoint must carry: dropout
/// (the torch generator), a validation split with best-weight restore, plateau decay and Adam's moments.
/// </remarks>
public static class CheckpointTraining
{
    public sealed class Row
    {
        [VectorType]
        public int[] Tokens { get; set; } = [];

        public bool Label { get; set; }
    }

    public static int Run(string checkpointPath, string modelPath, int stallAfterEpoch)
    {
        var ml = new MLContext(seed: 5);
        var data = ml.Data.LoadFromEnumerable(Generate(160, seed: 11));
        var options = new RecurrentSequenceTrainerOptions
        {
            FeatureColumnName = "Tokens",
            HiddenSize = 8,
            EmbeddingSize = 8,
            EmbeddingDropout = 0.2,
            Epochs = 5,
            BatchSize = 16,
            LearningRate = 0.01,
            ValidationFraction = 0.2,
            LearningRateSchedule = LearningRateScheduleKind.ReduceOnPlateau,
            PlateauPatience = 0,
            CheckpointPath = checkpointPath,
            Progress = new EpochPrinter(stallAfterEpoch),
        };
        var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(data);
        ModelOperationsCatalogExtensions.SaveAtomically(ml.Model, model, data.Schema, modelPath);
        foreach (float score in model.Transform(data).GetColumn<float>("Score"))
            Console.WriteLine(score.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>Label: whether token 5 comes before token 6, among filler tokens 7..19.</summary>
    private static List<Row> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<Row>(count);
        for (int i = 0; i < count; i++)
        {
            bool label = random.Next(2) == 0;
            var tokens = new List<int>();
            for (int n = random.Next(1, 7); n > 0; n--)
                tokens.Add(random.Next(7, 20));
            int at = random.Next(tokens.Count + 1);
            tokens.Insert(at, label ? 5 : 6);
            tokens.Insert(random.Next(at + 1, tokens.Count + 1), label ? 6 : 5);
            rows.Add(new Row { Tokens = [.. tokens], Label = label });
        }
        return rows;
    }

    /// <summary>
    /// Prints "epoch N done" when an epoch is reported (its checkpoint is then on disk) and blocks for good after
    /// <c>stallAfterEpoch</c>. Unlike <see cref="Progress{T}"/>, which posts to the thread pool, it reports synchronously,
    /// so the line is printed before training goes on.
    /// </summary>
    internal sealed class EpochPrinter(int stallAfterEpoch) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.CompletedEpoch is null)
                return;
            Console.WriteLine($"epoch {value.Epoch} done");
            Console.Out.Flush();
            if (value.Epoch == stallAfterEpoch)
                Thread.Sleep(Timeout.Infinite);
        }
    }
}
