using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Benchmarks.Macro;

/// <summary>
/// (c) PredictionEngine latency for a 1-layer BiLSTM-128 on a 20-token sentence against a hand-written TorchSharp
/// forward of the same shape (alternating blocks), and batch Transform rows per second; (d) working-set growth
/// over many predictions after warm-up.
/// </summary>
internal static class InferenceLatency
{
    private const int SentenceLength = 20;

    public static void Run(Report report, bool quick)
    {
        var mlContext = new MLContext(seed: 1);
        var training = mlContext.Data.LoadFromEnumerable(SyntheticData.Sentences(300, TrainingThroughput.Vocabulary, seed: 21));
        var model = mlContext.BinaryClassification.Trainers.Recurrent(TrainingThroughput.TrainerOptions(epochs: 1)).Fit(training);
        var engine = mlContext.Model.CreatePredictionEngine<TokenRow, ScoredRow>(model);
        var row = new TokenRow { Tokens = SyntheticData.Sentence(SentenceLength, TrainingThroughput.Vocabulary, seed: 4) };

        using var raw = new DenseBiLstmClassifier(TrainingThroughput.Vocabulary, TrainingThroughput.EmbeddingSize, TrainingThroughput.HiddenSize);
        raw.eval();
        long[] ids = row.Tokens.Select(t => (long)t).ToArray();
        float RawPredict()
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            return raw.call(tensor(ids, [1, ids.Length]), tensor(new long[] { ids.Length })).sigmoid().item<float>();
        }

        for (int i = 0; i < 300; i++)
        {
            engine.Predict(row);
            RawPredict();
        }

        int blocks = quick ? 10 : 20, perBlock = 100;
        var engineTimes = new List<double>();
        var rawTimes = new List<double>();
        var loads = new List<double>();
        for (int block = 0; block < blocks; block++)
        {
            for (int i = 0; i < perBlock; i++)
                engineTimes.Add(Time(() => engine.Predict(row)));
            for (int i = 0; i < perBlock; i++)
                rawTimes.Add(Time(() => RawPredict()));
            if (block % 5 == 0)
                loads.Add(Measure.LoadAverage());
        }
        var engineSorted = engineTimes.Order().ToArray();
        var rawSorted = rawTimes.Order().ToArray();
        double load = Measure.Median(loads);
        double p50 = Measure.Percentile(engineSorted, 0.5), p99 = Measure.Percentile(engineSorted, 0.99);
        double rawP50 = Measure.Percentile(rawSorted, 0.5);
        report.Add("c", "PredictionEngine p50 / p99 (BiLSTM-128, 20 tokens)", $"{Measure.F(p50 * 1e3, "F3")} ms / {Measure.F(p99 * 1e3, "F3")} ms", load);
        report.Add("c", "hand-written TorchSharp forward p50", $"{Measure.F(rawP50 * 1e3, "F3")} ms", load);
        report.Add("c", "PredictionEngine p50 / hand-written p50", Measure.F(p50 / rawP50) + "x", load);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
            engine.Predict(row);
        long perPrediction = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;
        report.Add("c", "managed bytes allocated per Predict", perPrediction.ToString(), Measure.LoadAverage());

        MeasureTransform(report, mlContext, model, engineSorted, quick);
        MeasurePredictionMemory(report, engine, row, quick);
    }

    private static void MeasureTransform(Report report, MLContext mlContext, RecurrentSequenceTransformer model, double[] engineSorted, bool quick)
    {
        int rows = quick ? 1000 : 2000;
        var sentences = Enumerable.Range(0, rows)
            .Select(i => new TokenRow { Tokens = SyntheticData.Sentence(SentenceLength, TrainingThroughput.Vocabulary, seed: 100 + i) }).ToArray();
        var data = mlContext.Data.LoadFromEnumerable(sentences);
        using var raw = new DenseBiLstmClassifier(TrainingThroughput.Vocabulary, TrainingThroughput.EmbeddingSize, TrainingThroughput.HiddenSize);
        raw.eval();
        // Warm-up of both (oneDNN caches a primitive per shape), then alternating rounds: each ratio compares runs
        // taken moments apart.
        TransformRowsPerSecond(model, data, rows);
        HandWrittenBatchedRowsPerSecond(raw, sentences);
        var rates = new List<double>();
        var ratios = new List<double>();
        for (int round = 0; round < 5; round++)
        {
            double transform, batched;
            if (round % 2 == 0)
            {
                transform = TransformRowsPerSecond(model, data, rows);
                batched = HandWrittenBatchedRowsPerSecond(raw, sentences);
            }
            else
            {
                batched = HandWrittenBatchedRowsPerSecond(raw, sentences);
                transform = TransformRowsPerSecond(model, data, rows);
            }
            rates.Add(transform);
            ratios.Add(transform / batched);
        }
        double mean = engineSorted.Average();
        double rate = Measure.Median(rates);
        report.Add("c", "batch Transform rows/s (20 tokens)", Measure.F(rate, "F0"), Measure.LoadAverage());
        report.Add("c", "batch Transform / PredictionEngine throughput", Measure.F(rate * mean) + "x", Measure.LoadAverage());
        report.Add("c", "batch Transform / hand-written batched forward (64 rows per call)", Measure.F(Measure.Median(ratios)) + "x", Measure.LoadAverage());
    }

    private static double TransformRowsPerSecond(RecurrentSequenceTransformer model, IDataView data, int rows)
    {
        var scored = model.Transform(data);
        var clock = Stopwatch.StartNew();
        using (var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name == "Probability")))
        {
            var getter = cursor.GetGetter<float>(scored.Schema["Probability"]);
            float value = 0;
            while (cursor.MoveNext())
                getter(ref value);
        }
        return rows / clock.Elapsed.TotalSeconds;
    }

    /// <summary>A hand-written scoring loop over the same rows, 64 per network call: the ceiling for Transform.</summary>
    private static double HandWrittenBatchedRowsPerSecond(DenseBiLstmClassifier raw, TokenRow[] sentences)
    {
        const int batch = 64;
        var clock = Stopwatch.StartNew();
        for (int start = 0; start < sentences.Length; start += batch)
        {
            var rows = sentences.Skip(start).Take(batch).ToArray();
            var ids = rows.SelectMany(r => r.Tokens.Select(t => (long)t)).ToArray();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var output = raw.call(tensor(ids, [rows.Length, SentenceLength]), full(rows.Length, SentenceLength, ScalarType.Int64)).sigmoid();
            _ = output.data<float>().ToArray();
        }
        return sentences.Length / clock.Elapsed.TotalSeconds;
    }

    private static void MeasurePredictionMemory(Report report, PredictionEngine<TokenRow, ScoredRow> engine, TokenRow row, bool quick)
    {
        int count = quick ? 20_000 : 100_000;
        for (int i = 0; i < 2000; i++)
            engine.Predict(row);
        long before = Measure.WorkingSetAfterCollection();
        for (int i = 0; i < count; i++)
            engine.Predict(row);
        long after = Measure.WorkingSetAfterCollection();
        double growth = (after - before) * 100.0 / before;
        report.Add("d", $"working set over {count} predictions after warm-up", $"{Measure.Mb(before)} -> {Measure.Mb(after)} ({Measure.F(growth, "+0.00;-0.00")}%)", Measure.LoadAverage());
    }

    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
