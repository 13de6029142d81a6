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
        // About 1e-39, made from its bits: this test thread may already have flush-denormal on (a test that trained
        // earlier on it), and then a subnormal literal is flushed to zero on its way in, and float.IsSubnormal says false.
        float subnormal = BitConverter.Int32BitsToSingle(0x000AE398);
        Assert.AreEqual(0x000AE398, BitConverter.SingleToInt32Bits(subnormal));
        RunOnNewThread(() =>
        {
            using var scope = NewDisposeScope();
            Assert.IsTrue(FlushDenormal.TryEnableForCurrentThread(), "this processor supports flush-denormal");
            Assert.AreEqual(0f, tensor(new[] { subnormal }).mul(1f).item<float>());
        });
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
    public void IntraOpThreadsEqualTheCoreCount()
    {
        Assert.AreEqual(Environment.ProcessorCount, TorchRuntime.IntraOpThreads);
    }

    [TestMethod]
    public void TheLoadedNativeBridgeNoLongerRequiresTheMissingVersionStrictly()
    {
        TorchRuntime.EnsureInitialized();
        if (LibTorchSharpRepair.SystemLibStdCxxHasVersion(LibTorchSharpRepair.MissingVersion))
            Assert.Inconclusive("This system's libstdc++ provides GLIBCXX_3.4.32: no repair is needed or done.");
        var copies = LibTorchSharpRepair.CandidatePaths().ToList();
        Assert.IsTrue(copies.Count > 0, "the build output holds a copy of libLibTorchSharp.so");
        foreach (string path in copies)
        {
            var requirement = ElfVersionRequirements.Read(File.ReadAllBytes(path)).Single(r => r.Version == LibTorchSharpRepair.MissingVersion);
            Assert.IsTrue(requirement.IsWeak, $"{path} still requires {LibTorchSharpRepair.MissingVersion} strictly");
            Assert.AreEqual("libstdc++.so.6", requirement.Library);
        }
    }
}
