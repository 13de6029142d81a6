using System.Diagnostics;
using Microsoft.ML.Recurrent.LanguageModeling;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Benchmarks.Macro;

/// <summary>
/// (b) Achieved GFLOP/s of LSTM language-model training (2 × 200, vocabulary 10k, batch 20, BPTT 20) as a
/// fraction of the machine's torch.mm GFLOP/s (2048 × 2048, same threads), measured alternately.
/// </summary>
internal static class LanguageModelFlops
{
    private const int Vocabulary = 10_000, Hidden = 200, Layers = 2, Batch = 20, Bptt = 20;

    /// <summary>
    /// Training FLOPs per token: each LSTM layer 24·H·(I+H) (4 gates, 2 FLOPs per multiply-add, forward plus about
    /// twice that backward) and 6·H·V for the output projection; the embedding is a lookup and the elementwise work is ignored.
    /// </summary>
    public static double FlopsPerToken => Layers * 24.0 * Hidden * (Hidden + Hidden) + 6.0 * Hidden * Vocabulary;

    public static void Run(Report report, bool quick)
    {
        int batches = quick ? 15 : 30, rounds = quick ? 2 : 3;
        var mlContext = new MLContext(seed: 1);
        // Enough stream for 20 segments × (batches + 1) windows of 20 tokens.
        int rows = (batches + 2) * Batch * Bptt / 50 + 1;
        var data = mlContext.Data.LoadFromEnumerable(SyntheticData.Stream(rows, 50, Vocabulary, seed: 9));
        Console.WriteLine($"(b) {FlopsPerToken / 1e6:F2} MFLOP per training token; {batches} batches of {Batch}x{Bptt} per timed epoch, {rounds} rounds");

        var fractions = (Sgd: new List<double>(), Adam: new List<double>());
        var achieved = (Sgd: new List<double>(), Adam: new List<double>());
        var peaks = new List<double>();
        var loads = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            double before = MatMulGflops();
            double sgd = LanguageModelGflops(mlContext, data, batches, adam: false);
            double adam = LanguageModelGflops(mlContext, data, batches, adam: true);
            double after = MatMulGflops();
            loads.Add(Measure.LoadAverage());
            double peak = (before + after) / 2;
            peaks.Add(peak);
            achieved.Sgd.Add(sgd);
            achieved.Adam.Add(adam);
            fractions.Sgd.Add(sgd / peak);
            fractions.Adam.Add(adam / peak);
            Console.WriteLine($"  round {round + 1}: mm {before:F1} / {after:F1} GFLOP/s, LM {sgd:F1} GFLOP/s with SGD, {adam:F1} with Adam (load {loads[^1]:F1})");
        }
        double load = Measure.Median(loads);
        report.Add("b", "torch.mm 2048x2048 GFLOP/s (median)", Measure.F(Measure.Median(peaks), "F1"), load);
        report.Add("b", "LM training GFLOP/s, ZarembaSmall recipe (SGD; median)", Measure.F(Measure.Median(achieved.Sgd), "F1"), load);
        report.Add("b", "LM training (SGD) / torch.mm", Measure.F(Measure.Median(fractions.Sgd)), load);
        report.Add("b", "LM training GFLOP/s with Adam instead (median)", Measure.F(Measure.Median(achieved.Adam), "F1"), load);
        report.Add("b", "LM training (Adam) / torch.mm", Measure.F(Measure.Median(fractions.Adam)), load);
    }

    /// <summary>Best of three 2048 × 2048 float32 products, after one warm-up.</summary>
    public static double MatMulGflops()
    {
        using var scope = NewDisposeScope();
        var a = rand(2048, 2048);
        var b = rand(2048, 2048);
        mm(a, b).Dispose();
        double best = double.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            mm(a, b).Dispose();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return 2.0 * 2048 * 2048 * 2048 / best / 1e9;
    }

    /// <summary>
    /// The configuration is Zaremba et al.'s small PTB model, whose recipe trains with SGD: the preset
    /// <see cref="LanguageModelTrainerOptions.ZarembaSmall"/>, on a 10k vocabulary. Adam (the trainer's default) adds
    /// about a dozen elementwise passes over the 4.6M parameters per step, which the FLOP count leaves out.
    /// </summary>
    private static double LanguageModelGflops(MLContext mlContext, IDataView data, int batches, bool adam)
    {
        var options = LanguageModelTrainerOptions.ZarembaSmall();
        options.TokenColumnName = "Tokens";
        options.VocabularySize = Vocabulary;
        options.BatchesPerEpoch = batches;
        // The first epoch warms up (allocator, oneDNN primitives); the second is timed. No validation split: the
        // timed epoch is training only.
        options.Epochs = 2;
        options.ValidationFraction = 0;
        options.Seed = 3;
        if (adam)
        {
            options.Optimizer = Microsoft.ML.Recurrent.Training.OptimizerKind.Adam;
            options.LearningRate = 1e-3;
        }
        var trainer = mlContext.LanguageModeling().Trainers.Recurrent(options);
        trainer.Fit(data).ReleaseNativeMemory();
        double seconds = trainer.LastTrainingHistory!.Epochs[1].Seconds;
        return FlopsPerToken * batches * Batch * Bptt / seconds / 1e9;
    }
}
