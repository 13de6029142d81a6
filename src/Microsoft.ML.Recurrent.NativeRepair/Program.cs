using Microsoft.ML.Recurrent.Runtime;

// Usage: Microsoft.ML.Recurrent.NativeRepair (auto|always) <libLibTorchSharp.so>...
//   auto:   repair only when this machine's libstdc++ lacks GLIBCXX_3.4.32 (the build output runs here);
//   always: repair regardless (publish output runs on a system nobody knows at build time; the edit is harmless
//           where the version exists).
// Prints one line per file; exits 1 with the reason when a file cannot be repaired.
if (args.Length < 1 || args[0] is not ("auto" or "always"))
{
    Console.Error.WriteLine("usage: Microsoft.ML.Recurrent.NativeRepair (auto|always) <libLibTorchSharp.so>...");
    return 2;
}

if (args[0] == "auto" && (!OperatingSystem.IsLinux() || LibTorchSharpFile.SystemLibStdCxxHasVersion(LibTorchSharpFile.MissingVersion)))
{
    Console.WriteLine($"Microsoft.ML.Recurrent: this system's libstdc++ provides {LibTorchSharpFile.MissingVersion}; {LibTorchSharpFile.NativeFileName} left as it is.");
    return 0;
}

foreach (string path in args.Skip(1))
{
    try
    {
        Console.WriteLine($"Microsoft.ML.Recurrent: {path}: {LibTorchSharpFile.Repair(path)}");
    }
    catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or InvalidDataException)
    {
        Console.Error.WriteLine($"error RECURRENT001: {e.Message}");
        return 1;
    }
}
return 0;
