using BenchmarkDotNet.Running;
using Microsoft.ML.Recurrent.Benchmarks.Macro;

namespace Microsoft.ML.Recurrent.Benchmarks;

/// <summary>
/// <c>macro [--quick] [--only abcde]</c> runs the macro benchmark; <c>onnx-vs-torch [--rows N] [--hidden H] [--length T]</c>
/// compares the TorchSharp and ONNX serving paths; <c>tagging-transform</c> times the tagger's batched Transform
/// against a PredictionEngine on CoNLL-2003; <c>transform-cursors [--rows N]</c> times batched Transform through one
/// cursor and through a cursor set of two; <c>linear-baselines [--data DIR]</c> measures linear bag-of-words models on a
/// review folder (docs/benchmarks.md); anything else goes to BenchmarkDotNet's switcher (every
/// [Benchmark] class in this assembly, e.g. <c>--filter *Predict*</c>).
/// </summary>
public static class BenchmarkProgram
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "macro")
            return MacroRunner.Run(args[1..]);
        if (args.Length > 0 && args[0] == "onnx-vs-torch")
            return OnnxVsTorchBenchmark.Run(args[1..]);
        if (args.Length > 0 && args[0] == "tagging-transform")
            return TaggingTransformBenchmark.Run(args[1..]);
        if (args.Length > 0 && args[0] == "transform-cursors")
            return TransformCursorsBenchmark.Run(args[1..]);
        if (args.Length > 0 && args[0] == "linear-baselines")
            return LinearBaselinesBenchmark.Run(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
        return 0;
    }
}
