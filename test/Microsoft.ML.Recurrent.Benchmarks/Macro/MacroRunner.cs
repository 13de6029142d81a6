using Microsoft.ML.Recurrent.Runtime;

namespace Microsoft.ML.Recurrent.Benchmarks.Macro;

/// <summary>
/// The macro benchmark: every figure of issue 10 in one process, each a ratio against a baseline measured in the
/// same run (interleaved) where one exists, with the load average it was taken under.
/// </summary>
internal static class MacroRunner
{
    public static int Run(string[] args)
    {
        bool quick = args.Contains("--quick");
        string? only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
        TorchRuntime.EnsureInitialized();
        // --threads 1 takes LibTorch's thread barriers out of the picture when other jobs hold the cores.
        string? threads = args.SkipWhile(a => a != "--threads").Skip(1).FirstOrDefault();
        if (threads is not null)
            TorchSharp.torch.set_num_threads(int.Parse(threads, System.Globalization.CultureInfo.InvariantCulture));
        Console.WriteLine($"Machine: {Environment.ProcessorCount} logical cores, {Measure.CpuModel()}, torch threads {TorchRuntime.IntraOpThreads}, " +
            $".NET {Environment.Version}; load at start {Measure.LoadAverage():F1}; {(quick ? "quick" : "full")} run");
        var report = new Report();
        var sections = new (string Name, Action<Report, bool> Run)[]
        {
            ("a", TrainingThroughput.Run),
            ("b", LanguageModelFlops.Run),
            ("c", InferenceLatency.Run),
            ("d", MemoryAndStartup.RunTrainingMemory),
            ("e", MemoryAndStartup.RunFirstBatch),
        };
        foreach (var (name, run) in sections)
        {
            if (only is not null && !only.Contains(name, StringComparison.Ordinal))
                continue;
            run(report, quick);
        }
        report.Add("d", "peak working set of the whole run", Measure.Mb(Measure.PeakWorkingSet()), Measure.LoadAverage());
        Console.WriteLine();
        Console.WriteLine(report.ToMarkdown());
        return 0;
    }
}
