using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Runtime;

/// <summary>
/// Small device helpers for code that receives a network and makes tensors for it: every tensor follows the network's
/// device (the CPU unless the trainer chose CUDA with <see cref="TorchDevices"/>). On the CPU they change nothing.
/// </summary>
internal static class TensorDevices
{
    /// <summary>The device of <paramref name="module"/>'s parameters; the CPU for a module without any.</summary>
    internal static Device DeviceOf(nn.Module module)
    {
        foreach (var parameter in module.parameters())
            return parameter.device;
        return CPU;
    }

    /// <summary>Whether <paramref name="tensor"/> lives on <paramref name="device"/>.</summary>
    internal static bool IsOn(this Tensor tensor, Device device)
        => tensor.device_type == device.type && (device.type == DeviceType.CPU || tensor.device_index == device.index);

    /// <summary>
    /// <paramref name="tensor"/> itself when it is on the CPU, otherwise a copy there (in the current dispose scope),
    /// for reading its values; the original is kept.
    /// </summary>
    internal static Tensor OnCpu(this Tensor tensor) => tensor.IsOn(CPU) ? tensor : tensor.cpu();

    /// <summary>
    /// <paramref name="tensor"/> itself when it is on <paramref name="device"/>; otherwise a copy there, and the original
    /// is disposed (callers hand over a tensor they made for this purpose).
    /// </summary>
    internal static Tensor MoveTo(this Tensor tensor, Device device)
    {
        if (tensor.IsOn(device))
            return tensor;
        var moved = tensor.to(device);
        tensor.Dispose();
        return moved;
    }
}
