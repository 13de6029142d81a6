using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Microsoft.ML.Recurrent.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Tests.Runtime;

[TestClass]
public sealed class TorchRuntimeTests
{
    [TestMethod]
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
    public void TheModuleInitializerDoesNotLoadTorchSharp()
    {
        // Every process that uses any component runs the module initializers, including one that only scores an ONNX
        // deployment pipeline. TorchSharp is already loaded in this process, so each assembly is loaded a second time
        // into a load context of its own that records every request for TorchSharp instead of satisfying it. The
        // library's initializer triggers the networks assembly's, which repairs the native bridge; the networks
        // assembly's also runs on its own when network code is the first to run.
        foreach (var assembly in new[] { typeof(LibraryInitializer).Assembly, typeof(TorchRuntime).Assembly })
        {
            string folder = Path.GetDirectoryName(assembly.Location)!;
            var context = new RecordingLoadContext(folder);
            try
            {
                var library = context.LoadFromAssemblyPath(assembly.Location);
                RuntimeHelpers.RunModuleConstructor(library.ManifestModule.ModuleHandle);
                CollectionAssert.AreEqual(Array.Empty<string>(), context.TorchSharpRequests.ToArray(),
                    $"{assembly.GetName().Name}:\n{string.Join('\n', context.TorchSharpRequests)}");
            }
            finally
            {
                context.Unload();
            }
        }
    }

    /// <summary>Loads the library's dependencies from its folder, except TorchSharp, whose requests it records and refuses.</summary>
    private sealed class RecordingLoadContext(string folder) : AssemblyLoadContext(nameof(RecordingLoadContext), isCollectible: true)
    {
        public List<string> TorchSharpRequests { get; } = [];

        protected override Assembly? Load(AssemblyName name)
        {
            if (name.Name?.StartsWith("TorchSharp", StringComparison.Ordinal) == true)
            {
                TorchSharpRequests.Add(Environment.StackTrace);
                throw new FileNotFoundException($"{name.Name} is refused in this load context.");
            }
            string path = Path.Combine(folder, name.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
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
        if (LibTorchSharpRepair.SystemLibStdCxxHasVersion(LibTorchSharpRepair.MissingVersion))
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
