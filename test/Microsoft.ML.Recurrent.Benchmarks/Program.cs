using Microsoft.ML.Recurrent.Benchmarks;

// Usage: Benchmarks onnx-vs-torch [--rows N] [--hidden H] [--length T]
string verb = args.Length == 0 ? "onnx-vs-torch" : args[0];
return verb switch
{
    "onnx-vs-torch" => OnnxVsTorchBenchmark.Run(args.Length == 0 ? [] : args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Benchmarks onnx-vs-torch [--rows N] [--hidden H] [--length T]");
    return 2;
}
