using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Recurrent.ModelHost;

// Usage: OnnxHost score <model.zip> <input.idv> <column>[,<column>...]
// Prints one line per row (RowFormatter), then "torchsharp-assembly=<bool>" (managed assembly loaded, possibly as
// metadata only), "torchsharp-loaded-by=<frames>" (the call stack that loaded it, innermost first, when it was),
// "libtorch-mapped=<bool>" (any native LibTorch or TorchSharp library mapped), "onnxruntime-mapped=<bool>" and
// "recurrent-assemblies=<names>" (the library's assemblies that were loaded).
if (args.Length != 4 || args[0] != "score")
{
    Console.Error.WriteLine("usage: OnnxHost score <model.zip> <input.idv> <columns>");
    return 2;
}

// Whether TorchSharp's assembly is loaded says little on its own: the test needs to know what loaded it.
string? loadedBy = null;
AppDomain.CurrentDomain.AssemblyLoad += (_, e) =>
{
    if (loadedBy is null && e.LoadedAssembly.GetName().Name?.StartsWith("TorchSharp", StringComparison.Ordinal) == true)
    {
        loadedBy = string.Join(" < ", new StackTrace().GetFrames().Skip(1).Select(f => f.GetMethod())
            .Where(m => m is not null).Select(m => $"{m!.DeclaringType?.FullName}.{m.Name}"));
    }
};

var mlContext = new MLContext(seed: 1);
var model = mlContext.Model.Load(args[1], out _);
var input = mlContext.Data.LoadFromBinary(args[2]);
foreach (string line in RowFormatter.FormatTransform(model, input, args[3].Split(',')))
    Console.WriteLine(line);

// Also the PredictionEngine path's row mapper, so that both ways of scoring are covered before the check (a
// forecasting deployment reads rows in order and has none, like ML.NET's own forecasters).
if (model.IsRowToRowMapper)
    RowFormatter.FormatRowMapper(model, input, args[3].Split(','));

bool managed = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name?.StartsWith("TorchSharp", StringComparison.Ordinal) == true);
// Every shared object the process has mapped; LibTorch's are libtorch*.so, libc10.so and TorchSharp's bridge libLibTorchSharp.so.
string maps = OperatingSystem.IsLinux() ? File.ReadAllText("/proc/self/maps") : "";
bool native = maps.Split('\n').Any(l => l.Contains("libtorch", StringComparison.Ordinal) || l.Contains("libc10", StringComparison.Ordinal)
                                        || l.Contains("LibTorchSharp", StringComparison.Ordinal));
bool onnxRuntime = maps.Contains("libonnxruntime", StringComparison.Ordinal);
Console.WriteLine($"torchsharp-assembly={managed}");
Console.WriteLine($"torchsharp-loaded-by={loadedBy}");
Console.WriteLine($"libtorch-mapped={native}");
Console.WriteLine($"onnxruntime-mapped={onnxRuntime}");
Console.WriteLine("recurrent-assemblies=" + string.Join(',', AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name)
    .Where(n => n?.StartsWith("Microsoft.ML.Recurrent", StringComparison.Ordinal) == true && n != "Microsoft.ML.Recurrent.OnnxHost").Order(StringComparer.Ordinal)));
return 0;
