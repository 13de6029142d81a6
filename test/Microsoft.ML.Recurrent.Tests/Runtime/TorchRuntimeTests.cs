using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Tests.Runtime;

[TestClass]
public sealed class TorchRuntimeTests
{
    [TestMethod]
    [DoNotParallelize] // seeds and draws from LibTorch's process-wide generator, which trainings beside it seed under a lock
    public void LstmForwardAndBackwardRunInAProjectThatReferencesOnlyTheLibrary()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        torch.manual_seed(7);
        var lstm = nn.LSTM(inputSize: 3, hiddenSize: 4, numLayers: 1, batchFirst: true);
        var input = randn(2, 5, 3);
        var (output, hidden, _) = lstm.forward(input);
        CollectionAssert.AreEqual(new long[] { 2, 5, 4 }, output.shape);
        output.sum().backward();
        foreach (var parameter in lstm.parameters())
        {
            Assert.IsNotNull(parameter.grad);
            Assert.IsTrue(parameter.grad!.abs().sum().item<float>() > 0, "every LSTM parameter receives a gradient");
        }
    }

    [TestMethod]
    public void FlushDenormalTurnsSubnormalResultsIntoZero()
    {
        TorchRuntime.EnsureInitialized();
        // Compare bit patterns: with the mode on, even float comparisons in .NET treat subnormals as zero.
        float subnormal = BitConverter.Int32BitsToSingle(0x00800000 >> 4);
        int Product() { using var scope = NewDisposeScope(); return BitConverter.SingleToInt32Bits(tensor(new[] { subnormal }).mul(1f).item<float>()); }
        RunOnNewThread(() =>
        {
            Assert.IsTrue(FlushDenormal.ExportFound, "libtorch_cpu exports at::Context::setFlushDenormal");
            // Threads inherit the mode from whichever thread created them, so start from a known state.
            FlushDenormal.DisableForCurrentThread();
            Assert.AreEqual(0x00800000 >> 4, Product(), "with the mode off subnormals are kept");
            using (FlushDenormal.Scope())
                Assert.AreEqual(0, Product(), "inside the scope subnormal results are flushed to zero");
            Assert.AreEqual(0x00800000 >> 4, Product(), "the scope turns the mode off again");
        });
    }

    [TestMethod]
    public void NoAssemblyOfTheLibraryHasAModuleInitializer()
    {
        // A module initializer runs in every process that touches an assembly, including a read-only deployment and
        // one that only scores ONNX: none of the library's assemblies may have one (the native repair happens at build
        // time). The C# compiler emits a module initializer as a static constructor of the <Module> type.
        foreach (var assembly in new[] { typeof(TorchRuntime).Assembly, typeof(RecurrentSequenceTransformer).Assembly, typeof(TokenizeToSequenceTransformer).Assembly })
        {
            var moduleType = assembly.ManifestModule.GetType("<Module>");
            Assert.IsNull(moduleType?.TypeInitializer, $"{assembly.GetName().Name} has a module initializer");
        }
    }

    [TestMethod]
    public void TheBuildRepairedTheNativeBridgeAndInitializingWritesNoFile()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Inconclusive("libLibTorchSharp.so exists only on Linux.");
        // The build (buildTransitive targets, imported in the repository by Directory.Build.targets) repaired the copy
        // in this test's output folder before any test ran; initializing TorchSharp must not rewrite it.
        string path = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", LibTorchSharpRepair.NativeFileName);
        Assert.IsTrue(File.Exists(path), $"{path} is in the build output");
        bool systemHasVersion = LibTorchSharpFile.SystemLibStdCxxHasVersion(LibTorchSharpRepair.MissingVersion);
        var requirement = ElfVersionRequirements.Read(File.ReadAllBytes(path)).Single(r => r.Version == LibTorchSharpRepair.MissingVersion);
        Assert.AreEqual(!systemHasVersion, requirement.IsWeak, "the build repairs the copy exactly when this system's libstdc++ lacks the version");
        var before = File.GetLastWriteTimeUtc(path);
        TorchRuntime.EnsureInitialized();
        using (var scope = NewDisposeScope())
            Assert.AreEqual(6f, torch.tensor(new[] { 1f, 2f, 3f }).sum().item<float>());
        Assert.AreEqual(before, File.GetLastWriteTimeUtc(path), "initializing TorchSharp left the file untouched");
    }

    [TestMethod]
    public void TheRepairToolRepairsACopyAndIsIdempotent()
    {
        // The tool the package's targets run, on a copy of TorchSharp's original (strict) file from the NuGet cache.
        string original = OriginalLibTorchSharp();
        string folder = Directory.CreateTempSubdirectory("recurrent-repair-").FullName;
        try
        {
            string copy = Path.Combine(folder, LibTorchSharpRepair.NativeFileName);
            File.Copy(original, copy);
            Assert.IsFalse(ElfVersionRequirements.Read(File.ReadAllBytes(copy)).Single(r => r.Version == LibTorchSharpRepair.MissingVersion).IsWeak,
                "TorchSharp's own file requires the version strictly");
            string tool = Path.Combine(AppContext.BaseDirectory, "Microsoft.ML.Recurrent.NativeRepair.dll");
            var first = RunTool(tool, "always", copy);
            StringAssert.Contains(first, "repaired");
            Assert.IsTrue(ElfVersionRequirements.Read(File.ReadAllBytes(copy)).Single(r => r.Version == LibTorchSharpRepair.MissingVersion).IsWeak);
            byte[] repaired = File.ReadAllBytes(copy);
            StringAssert.Contains(RunTool(tool, "always", copy), "already weak");
            CollectionAssert.AreEqual(repaired, File.ReadAllBytes(copy), "a second run changes nothing");
            // Only the flags of that one requirement differ from the original.
            byte[] source = File.ReadAllBytes(original);
            Assert.AreEqual(source.Length, repaired.Length);
            Assert.IsTrue(Enumerable.Range(0, source.Length).Count(i => source[i] != repaired[i]) is >= 1 and <= 2, "one 16-bit flags field changed");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string OriginalLibTorchSharp()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string version = typeof(torch).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "";
        string path = Path.Combine(packages, "torchsharp", version, "runtimes", "linux-x64", "native", LibTorchSharpRepair.NativeFileName);
        if (!File.Exists(path))
            Assert.Inconclusive($"TorchSharp's original native bridge is not at {path}.");
        return path;
    }

    private static string RunTool(string tool, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(tool);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, output);
        return output;
    }

    private static void RunOnNewThread(Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { action(); }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
            throw failure;
    }

    [TestMethod]
    public void TheLoadedNativeBridgeNoLongerRequiresTheMissingVersionStrictly()
    {
        TorchRuntime.EnsureInitialized();
        if (LibTorchSharpFile.SystemLibStdCxxHasVersion(LibTorchSharpRepair.MissingVersion))
            Assert.Inconclusive("This system's libstdc++ provides GLIBCXX_3.4.32: no repair is needed or done.");
        var copies = LibTorchSharpRepair.CandidatePaths(LibTorchSharpRepair.LoadedTorchSharpFolder()).ToList();
        Assert.IsTrue(copies.Count > 0, "the build output holds a copy of libLibTorchSharp.so");
        foreach (string path in copies)
        {
            var requirement = ElfVersionRequirements.Read(File.ReadAllBytes(path)).Single(r => r.Version == LibTorchSharpRepair.MissingVersion);
            Assert.IsTrue(requirement.IsWeak, $"{path} still requires {LibTorchSharpRepair.MissingVersion} strictly");
            Assert.AreEqual("libstdc++.so.6", requirement.Library);
        }
    }
}
