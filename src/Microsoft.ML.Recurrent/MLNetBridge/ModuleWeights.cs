using TorchSharp;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>Converts a TorchSharp module's parameters and buffers to bytes and back.</summary>
internal static class ModuleWeights
{
    public static byte[] ToBytes(torch.nn.Module module)
    {
        using var stream = new MemoryStream();
        module.save(stream);
        return stream.ToArray();
    }

    /// <summary>Loads weights saved by <see cref="ToBytes"/>; a mismatch with the module's layout is reported naming <paramref name="source"/>.</summary>
    public static void Load(torch.nn.Module module, byte[] weights, string source)
    {
        using var stream = new MemoryStream(weights, writable: false);
        try
        {
            module.load(stream, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException or IOException or FormatException)
        {
            throw new InvalidDataException(
                $"The model file is damaged or was written for a different network: the weights in '{source}' do not match " +
                $"the network described by the saved settings ({e.Message}).", e);
        }
    }
}
