using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Benchmarks.Macro;

/// <summary>
/// (a) Training tokens per second of RecurrentSequenceTrainer (ML.NET Fit on an IDataView) against hand-written
/// dense and packed TorchSharp loops with the same BiLSTM shape and the same batches, interleaved round by round.
/// </summary>
internal static class TrainingThroughput
{
    public const int Vocabulary = 5000;
    public const int EmbeddingSize = 100;
    public const int HiddenSize = 128;
    public const int BatchSize = 32;
    private const int Seed = 11;

    public static RecurrentSequenceTrainerOptions TrainerOptions(int epochs, int seed = Seed) => new()
    {
        FeatureColumnName = "Tokens",
        HiddenSize = HiddenSize,
        EmbeddingSize = EmbeddingSize,
        VocabularySize = Vocabulary,
        // Dropout off on both sides, so that the two loops do the same arithmetic.
        EmbeddingDropout = 0,
        Epochs = epochs,
        BatchSize = BatchSize,
        Seed = seed,
    };

    public static void Run(Report report, bool quick)
    {
        // Short units, many rounds: on a shared machine the load swings within seconds, so each ratio compares
        // runs taken moments apart, in alternating order, and the median of the ratios is reported.
        int rounds = quick ? 4 : 8;
        var mlContext = new MLContext(seed: 1);
        string? sst2 = Sst2Sample.FindTrainFile();
        var rowsRead = sst2 is not null
            ? Sst2Sample.Rows(sst2, quick ? 1500 : 4000, Vocabulary, seed: 5)
            : SyntheticData.Sentences(quick ? 300 : 400, Vocabulary, seed: 5);
        string source = sst2 is not null ? "SST-2 train.tsv sample" : "generated sentences (../shared/data/sst2 absent)";
        int rows = rowsRead.Length;
        var data = mlContext.Data.LoadFromEnumerable(rowsRead);
        var dataset = SequenceDataReader.Read(data, "Tokens", 1, "Label", SequenceTargetKind.Value, trimPadding: true);
        var all = Enumerable.Range(0, dataset.Count).ToArray();
        // Every unit is timed from the end of its first batch (identical in all three) to the end of the epoch.
        var firstBatch = BatchPlan.Shuffled(dataset, all, BatchSize, true, new Random(Seed)).GetBatch(0).ToArray();
        long tokens = all.Sum(i => (long)dataset.GetLength(i)) - firstBatch.Sum(i => (long)dataset.GetLength(i));
        // The textbook packed loop shuffles without bucketing, so its untimed first batch is another one.
        var textbookFirst = BatchPlan.Shuffled(dataset, all, BatchSize, false, new Random(Seed)).GetBatch(0).ToArray();
        long textbookTokens = all.Sum(i => (long)dataset.GetLength(i)) - textbookFirst.Sum(i => (long)dataset.GetLength(i));
        Console.WriteLine($"(a) {rows} {source}, mean length {all.Average(i => dataset.GetLength(i)):F1}, {tokens} timed tokens per epoch, {rounds} rounds of one epoch per loop");

        // Warm-up: LibTorch's allocator and oneDNN's primitive cache (keyed by shape) are per process.
        Trainer(mlContext, data);
        Dense(dataset);
        Packed(dataset);
        Packed(dataset, lengthBucketing: false);

        // Ratios of tokens per second (trainer / loop); the textbook loop times a different number of tokens.
        double textbookScale = (double)textbookTokens / tokens;
        var wall = (Dense: new List<double>(), Packed: new List<double>(), Textbook: new List<double>());
        var cpu = (Dense: new List<double>(), Packed: new List<double>(), Textbook: new List<double>());
        var trainerRates = new List<double>();
        var loads = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            Measure.Cost trainer = default, dense = default, packed = default, textbook = default;
            var units = new Action[]
            {
                () => trainer = Trainer(mlContext, data),
                () => dense = Dense(dataset),
                () => packed = Packed(dataset),
                () => textbook = Packed(dataset, lengthBucketing: false),
            };
            foreach (var unit in round % 2 == 0 ? units : units.Reverse())
                unit();
            loads.Add(Measure.LoadAverage());
            trainerRates.Add(tokens / trainer.Wall);
            wall.Dense.Add(dense.Wall / trainer.Wall);
            wall.Packed.Add(packed.Wall / trainer.Wall);
            cpu.Dense.Add(dense.Cpu / trainer.Cpu);
            cpu.Packed.Add(packed.Cpu / trainer.Cpu);
            wall.Textbook.Add(textbook.Wall / trainer.Wall / textbookScale);
            cpu.Textbook.Add(textbook.Cpu / trainer.Cpu / textbookScale);
            Console.WriteLine($"  round {round + 1}: tokens per wall s trainer {tokens / trainer.Wall:F0}, dense {tokens / dense.Wall:F0}, packed {tokens / packed.Wall:F0}, " +
                $"textbook packed {textbookTokens / textbook.Wall:F0}; per CPU s {tokens / trainer.Cpu:F0}, {tokens / dense.Cpu:F0}, " +
                $"{tokens / packed.Cpu:F0}, {textbookTokens / textbook.Cpu:F0} (load {loads[^1]:F1})");
        }
        double load = Measure.Median(loads);
        report.Add("a", "trainer tokens/s (wall, median)", Measure.F(Measure.Median(trainerRates), "F0"), load);
        report.Add("a", "trainer / hand-written dense loop, tokens/s (wall; CPU time)", $"{Measure.F(Measure.Median(wall.Dense))}x; {Measure.F(Measure.Median(cpu.Dense))}x", load);
        report.Add("a", "trainer / hand-written packed loop on the same bucketed batches, tokens/s (wall; CPU time)", $"{Measure.F(Measure.Median(wall.Packed))}x; {Measure.F(Measure.Median(cpu.Packed))}x", load);
        report.Add("a", "trainer / textbook packed loop (shuffled batches, no bucketing), tokens/s (wall; CPU time)", $"{Measure.F(Measure.Median(wall.Textbook))}x; {Measure.F(Measure.Median(cpu.Textbook))}x", load);
    }

    /// <summary>A one-epoch Fit, timed through its progress reports from the end of the first batch to the end of the epoch.</summary>
    private static Measure.Cost Trainer(MLContext mlContext, IDataView data)
    {
        Measure.Cost start = default, cost = default;
        var options = TrainerOptions(epochs: 1);
        options.ProgressInterval = 1;
        options.Progress = new ProgressRecorder(p =>
        {
            if (p.CompletedEpoch is not null)
                cost = start.Since();
            else if (p.Batch == 1)
                start = Measure.Cost.Start();
        });
        mlContext.BinaryClassification.Trainers.Recurrent(options).Fit(data).ReleaseNativeMemory();
        return cost;
    }

    private static Measure.Cost Dense(SequenceDataset data) => TimeHandWritten(new DenseBiLstmClassifier(Vocabulary, EmbeddingSize, HiddenSize), data);

    private static Measure.Cost Packed(SequenceDataset data, bool lengthBucketing = true)
        => TimeHandWritten(new PackedBiLstmClassifier(Vocabulary, EmbeddingSize, HiddenSize), data, lengthBucketing);

    private static Measure.Cost TimeHandWritten(HandWrittenClassifier model, SequenceDataset data, bool lengthBucketing = true)
    {
        manual_seed(Seed);
        using (model)
            return HandWrittenLoop.Train(model, data, BatchSize, epochs: 1, Seed, lengthBucketing)[0];
    }
}

/// <summary>Reports synchronously on the training thread (Progress&lt;T&gt; would post to the thread pool).</summary>
internal sealed class ProgressRecorder(Action<TrainingProgress> action) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => action(value);
}
