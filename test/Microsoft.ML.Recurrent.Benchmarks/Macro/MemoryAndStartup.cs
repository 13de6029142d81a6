using System.Diagnostics;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Benchmarks.Macro;

/// <summary>(d) Working-set growth over 10 training epochs; (e) time from an IDataView to the first batch.</summary>
internal static class MemoryAndStartup
{
    public static void RunTrainingMemory(Report report, bool quick)
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(SyntheticData.Sentences(quick ? 300 : 600, TrainingThroughput.Vocabulary, seed: 31));
        var workingSets = new List<long>();
        var options = TrainingThroughput.TrainerOptions(epochs: 10);
        options.ProgressInterval = int.MaxValue;
        options.Progress = new ProgressRecorder(p =>
        {
            if (p.CompletedEpoch is not null)
                workingSets.Add(Measure.WorkingSetAfterCollection());
        });
        mlContext.BinaryClassification.Trainers.Recurrent(options).Fit(data).ReleaseNativeMemory();
        // Epoch 1 allocates the optimizer state and LibTorch's caches; growth is counted from the end of epoch 2.
        long start = workingSets[1], end = workingSets[^1];
        report.Add("d", "working set, end of epoch 2 -> end of epoch 10",
            $"{Measure.Mb(start)} -> {Measure.Mb(end)} ({Measure.F((end - start) * 100.0 / start, "+0.00;-0.00")}%)", Measure.LoadAverage());
    }

    public static void RunFirstBatch(Report report, bool quick)
    {
        int rows = quick ? 5000 : 20_000;
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(SyntheticData.Sentences(rows, TrainingThroughput.Vocabulary, seed: 41));

        var readTimes = new List<double>();
        var firstBatchTimes = new List<double>();
        for (int round = 0; round < 3; round++)
        {
            var clock = Stopwatch.StartNew();
            var dataset = SequenceDataReader.Read(data, "Tokens", 1, "Label", SequenceTargetKind.Value, trimPadding: true);
            readTimes.Add(clock.Elapsed.TotalSeconds);
            var plan = BatchPlan.Shuffled(dataset, Enumerable.Range(0, dataset.Count).ToArray(), TrainingThroughput.BatchSize, true, new Random(1));
            using (TorchSharp.torch.NewDisposeScope())
                new BatchIterator(dataset).Create(plan.GetBatch(0));
            firstBatchTimes.Add(clock.Elapsed.TotalSeconds);
        }

        double fitToFirstStep = double.NaN;
        var options = TrainingThroughput.TrainerOptions(epochs: 1);
        options.ProgressInterval = 1;
        var fitClock = new Stopwatch();
        using var stop = new CancellationTokenSource();
        options.CancellationToken = stop.Token;
        options.Progress = new ProgressRecorder(p =>
        {
            if (double.IsNaN(fitToFirstStep))
                fitToFirstStep = fitClock.Elapsed.TotalSeconds;
            // Nothing more to learn from this run: the loop stops before the next batch.
            stop.Cancel();
        });
        fitClock.Start();
        try
        {
            mlContext.BinaryClassification.Trainers.Recurrent(options).Fit(data).ReleaseNativeMemory();
        }
        catch (OperationCanceledException)
        {
        }
        double load = Measure.LoadAverage();
        report.Add("e", $"IDataView ({rows} rows) -> dataset read", $"{Measure.F(Measure.Median(readTimes) * 1e3, "F1")} ms", load);
        report.Add("e", "IDataView -> first batch tensors", $"{Measure.F(Measure.Median(firstBatchTimes) * 1e3, "F1")} ms", load);
        report.Add("e", "Fit() call -> first optimizer step done", $"{Measure.F(fitToFirstStep * 1e3, "F1")} ms", load);
    }
}
