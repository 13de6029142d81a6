using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Microsoft.ML.Recurrent.Runtime;

/// <summary>
/// Chooses the device a trainer or transformer runs its network on, by ML.NET's own settings as
/// Microsoft.ML.TorchSharp reads them: an explicit <see cref="Training.TrainingOptions.Device"/> first, otherwise
/// <c>MLContext.GpuDeviceId</c> (null: CPU), and <c>MLContext.FallbackToCpu</c> when the GPU cannot be used.
/// </summary>
/// <remarks>
/// The packages bring TorchSharp-cpu, whose LibTorch has no CUDA. A CUDA request on it either falls back to the CPU
/// (FallbackToCpu true, with a warning in the MLContext's log) or fails with an exception naming the package to add.
/// </remarks>
internal static class TorchDevices
{
    /// <summary>What a user adds to train on CUDA; also in docs/platform.md.</summary>
    internal const string CudaRemedy =
        "Reference a CUDA build of LibTorch for TorchSharp 0.107.0 (for example the TorchSharp-cuda-linux or TorchSharp-cuda-windows " +
        "package) and set the MSBuild property RecurrentLibTorchCpu to false so that the CPU build is left out (see docs/platform.md), " +
        "or set MLContext.FallbackToCpu = true to train on the CPU";

    /// <summary>The device for <paramref name="environment"/>'s settings and <paramref name="explicitDevice"/>, warning on <paramref name="channel"/> when it falls back.</summary>
    internal static torch.Device Resolve(IHostEnvironment environment, string? explicitDevice, IChannel? channel)
    {
        var (gpuDeviceId, fallbackToCpu) = BridgeEnvironment.DeviceSettings(environment);
        TorchRuntime.EnsureInitialized();
        var choice = Choose(explicitDevice, gpuDeviceId, fallbackToCpu,
            torch.cuda.is_available() ? torch.cuda.device_count() : 0);
        if (choice.Warning is not null)
            channel?.LogWarning(choice.Warning);
        return choice.Index is int index ? new torch.Device(DeviceType.CUDA, index) : torch.CPU;
    }

    /// <summary>The outcome of <see cref="Choose"/>: a CUDA index (null: CPU) and the warning to log, if any.</summary>
    internal sealed record Choice(int? Index, string? Warning);

    /// <summary>
    /// The rule itself, apart from LibTorch: <paramref name="explicitDevice"/> ("cpu", "cuda" or "cuda:N") wins over
    /// <paramref name="gpuDeviceId"/>; a CUDA request that <paramref name="cudaDeviceCount"/> cannot satisfy falls back to
    /// the CPU when <paramref name="fallbackToCpu"/> says so and throws <see cref="InvalidOperationException"/> otherwise.
    /// </summary>
    internal static Choice Choose(string? explicitDevice, int? gpuDeviceId, bool fallbackToCpu, int cudaDeviceCount)
    {
        int? requested;
        string source;
        if (!string.IsNullOrWhiteSpace(explicitDevice))
        {
            requested = ParseDevice(explicitDevice);
            source = $"Device = \"{explicitDevice}\"";
        }
        else
        {
            requested = gpuDeviceId;
            source = $"MLContext.GpuDeviceId = {gpuDeviceId}";
        }
        if (requested is null)
            return new Choice(null, null);
        if (requested.Value < 0)
            throw new ArgumentOutOfRangeException(nameof(gpuDeviceId), requested, "A GPU device id is 0 or more.");
        if (requested.Value < cudaDeviceCount)
            return new Choice(requested, null);

        string why = cudaDeviceCount == 0
            ? "the LibTorch this application loaded has no CUDA support or finds no CUDA device"
            : $"LibTorch finds only {cudaDeviceCount} CUDA device(s)";
        if (fallbackToCpu)
            return new Choice(null, $"CUDA device {requested} was requested ({source}) but {why}; training and scoring run on the CPU (MLContext.FallbackToCpu is true).");
        throw new InvalidOperationException($"CUDA device {requested} was requested ({source}) but {why}. {CudaRemedy}.");
    }

    /// <summary>Reads "cpu" (null), "cuda" (0) or "cuda:N" (N).</summary>
    private static int? ParseDevice(string device)
    {
        string text = device.Trim().ToLowerInvariant();
        if (text == "cpu")
            return null;
        if (text == "cuda")
            return 0;
        if (text.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(text[5..], out int index) && index >= 0)
            return index;
        throw new ArgumentException($"Device must be \"cpu\", \"cuda\" or \"cuda:N\" (N = 0, 1, ...), not \"{device}\".", nameof(device));
    }
}
