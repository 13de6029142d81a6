using Microsoft.ML.Data;
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

/// <summary>The device settings through the trainers' and loaders' front doors (this machine has only a CPU LibTorch).</summary>
[TestClass]
public sealed class DeviceSettingsEndToEndTests
{
    [TestMethod]
    public void GpuDeviceIdWithFallbackTrainsOnTheCpuAndLogsIt()
    {
        var messages = new List<string>();
        var fallback = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = true };
        fallback.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var onCpu = new MLContext(seed: 1);
        Assert.IsTrue(messages.Count == 0);
        float[] Scores(MLContext ml)
        {
            var data = ml.Data.LoadFromEnumerable(Support.OrderTask.Generate(64, seed: 1));
            var model = ml.BinaryClassification.Trainers.Recurrent(Classification.RecurrentBinaryTrainerTests.SmallOptions(epochs: 1)).Fit(data);
            return model.Transform(data).GetColumn<float>("Score").ToArray();
        }
        CollectionAssert.AreEqual(Scores(onCpu), Scores(fallback), "the fallback trains exactly the CPU model");
        Assert.IsTrue(messages.Any(m => m.Contains("run on the CPU (MLContext.FallbackToCpu is true)", StringComparison.Ordinal)), "the fallback is logged");
    }

    [TestMethod]
    public void GpuDeviceIdWithoutFallbackFailsBeforeTrainingNamingTheCudaPackage()
    {
        var ml = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = false };
        var data = ml.Data.LoadFromEnumerable(Support.OrderTask.Generate(16, seed: 1));
        var progress = new List<Microsoft.ML.Recurrent.Training.TrainingProgress>();
        var options = Classification.RecurrentBinaryTrainerTests.SmallOptions(epochs: 1);
        options.Progress = new SynchronousProgress(progress.Add);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.BinaryClassification.Trainers.Recurrent(options).Fit(data));
        StringAssert.Contains(error.Message, "TorchSharp-cuda-linux");
        Assert.AreEqual(0, progress.Count, "no batch was trained");
    }

    [TestMethod]
    public void AnExplicitCpuDeviceWinsOverGpuDeviceId()
    {
        var ml = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = false };
        var data = ml.Data.LoadFromEnumerable(Support.OrderTask.Generate(32, seed: 1));
        var options = Classification.RecurrentBinaryTrainerTests.SmallOptions(epochs: 1);
        options.Device = "cpu";
        var model = ml.BinaryClassification.Trainers.Recurrent(options).Fit(data);
        Assert.AreEqual(32, model.Transform(data).GetColumn<float>("Score").Count());
    }

    [TestMethod]
    public void LoadingHonoursTheLoadingContextsDeviceSettings()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Support.OrderTask.Generate(32, seed: 1));
        var model = ml.BinaryClassification.Trainers.Recurrent(Classification.RecurrentBinaryTrainerTests.SmallOptions(epochs: 1)).Fit(data);
        using var folder = new Support.TempFolder();
        string path = Path.Combine(folder.Path, "model.zip");
        ml.Model.Save(model, data.Schema, path);
        var strict = new MLContext() { GpuDeviceId = 0, FallbackToCpu = false };
        // ML.NET wraps a loader's exception in TargetInvocationException; ours is the innermost (docs/platform.md).
        var error = Assert.Throws<Exception>(() => strict.Model.Load(path, out _)).GetBaseException();
        Assert.IsInstanceOfType<InvalidOperationException>(error);
        StringAssert.Contains(error.Message, "TorchSharp-cuda");
        var lenient = new MLContext() { GpuDeviceId = 0, FallbackToCpu = true };
        var loaded = lenient.Model.Load(path, out _);
        CollectionAssert.AreEqual(model.Transform(data).GetColumn<float>("Score").ToArray(), loaded.Transform(data).GetColumn<float>("Score").ToArray());
    }

    private sealed class SynchronousProgress(Action<Microsoft.ML.Recurrent.Training.TrainingProgress> report) : IProgress<Microsoft.ML.Recurrent.Training.TrainingProgress>
    {
        public void Report(Microsoft.ML.Recurrent.Training.TrainingProgress value) => report(value);
    }
}
