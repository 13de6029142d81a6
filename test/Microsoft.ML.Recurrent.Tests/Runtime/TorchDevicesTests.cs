using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Microsoft.ML.Recurrent.Tests.Runtime;

[TestClass]
public sealed class TorchDevicesTests
{
    [TestMethod]
    public void WithoutAnySettingTheCpuIsUsed()
        => Assert.AreEqual(new TorchDevices.Choice(null, null), TorchDevices.Choose(null, null, fallbackToCpu: false, cudaDeviceCount: 0));

    [TestMethod]
    public void GpuDeviceIdSelectsThatCudaDeviceWhenLibTorchHasIt()
        => Assert.AreEqual(new TorchDevices.Choice(1, null), TorchDevices.Choose(null, gpuDeviceId: 1, fallbackToCpu: false, cudaDeviceCount: 2));

    [TestMethod]
    [DataRow("cpu", null)]
    [DataRow("CPU", null)]
    [DataRow("cuda", 0)]
    [DataRow("cuda:1", 1)]
    public void AnExplicitDeviceWinsOverGpuDeviceId(string device, int? expected)
        => Assert.AreEqual(expected, TorchDevices.Choose(device, gpuDeviceId: 0, fallbackToCpu: false, cudaDeviceCount: 2).Index);

    [TestMethod]
    public void FallbackToCpuTrainsOnTheCpuAndSaysWhy()
    {
        var choice = TorchDevices.Choose(null, gpuDeviceId: 0, fallbackToCpu: true, cudaDeviceCount: 0);
        Assert.IsNull(choice.Index);
        StringAssert.Contains(choice.Warning, "MLContext.GpuDeviceId = 0");
        StringAssert.Contains(choice.Warning, "run on the CPU");
    }

    [TestMethod]
    public void WithoutFallbackACudaRequestOnACpuLibTorchNamesThePackageToAdd()
    {
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => TorchDevices.Choose("cuda:0", null, fallbackToCpu: false, cudaDeviceCount: 0));
        StringAssert.Contains(error.Message, "TorchSharp-cuda-linux");
        StringAssert.Contains(error.Message, "RecurrentLibTorchCpu");
        var tooFew = Assert.ThrowsExactly<InvalidOperationException>(() => TorchDevices.Choose(null, gpuDeviceId: 3, fallbackToCpu: false, cudaDeviceCount: 2));
        StringAssert.Contains(tooFew.Message, "only 2 CUDA device(s)");
    }

    [TestMethod]
    [DataRow("gpu")]
    [DataRow("cuda:-1")]
    [DataRow("cuda:x")]
    public void AnUnknownDeviceNameIsRejectedWithTheAcceptedForms(string device)
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => TorchDevices.Choose(device, null, false, 0));
        StringAssert.Contains(error.Message, "\"cpu\", \"cuda\" or \"cuda:N\"");
    }

    [TestMethod]
    public void MLContextSettingsAreReadAndTheFallbackIsLoggedThroughTheContext()
    {
        // This machine's LibTorch is the CPU build: GpuDeviceId = 0 must fall back or fail as the context says.
        Assert.IsFalse(torch.cuda.is_available(), "the tests run on TorchSharp-cpu");
        var messages = new List<string>();
        var mlContext = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = true };
        mlContext.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        IHostEnvironment environment = mlContext;
        using (var channel = environment.Start("device test"))
            Assert.AreEqual(DeviceType.CPU, TorchDevices.Resolve(environment, null, channel).type);
        Assert.IsTrue(messages.Any(m => m.Contains("MLContext.FallbackToCpu is true", StringComparison.Ordinal)), string.Join('\n', messages));

        var strict = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = false };
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => TorchDevices.Resolve(strict, null, null));
        StringAssert.Contains(error.Message, "TorchSharp-cuda");
    }
}
