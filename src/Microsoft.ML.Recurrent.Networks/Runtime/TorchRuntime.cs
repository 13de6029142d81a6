using System.Runtime.CompilerServices;
using TorchSharp;

namespace Microsoft.ML.Recurrent.Runtime;

/// <summary>
/// Prepares TorchSharp before its first use: repairs the native bridge where the system needs it, loads the CPU
/// backend and uses every core for intra-op parallelism. Training turns on flush-denormal mode for its duration
/// (denormals otherwise slow LSTM training many times over on some processors); see <c>FlushDenormal</c> in Microsoft.ML.Recurrent.
/// </summary>
/// <remarks>
/// Every component of this library calls <see cref="EnsureInitialized"/> before touching a tensor. An application
/// that calls TorchSharp directly, before using any component, can call it too; the library also attempts the
/// repair as soon as it is loaded (the module initializers of this assembly and of Microsoft.ML.Recurrent).
/// </remarks>
public static class TorchRuntime
{
    private static readonly object Gate = new();
    private static volatile bool _initialized;

    /// <summary>Idempotent and thread-safe. Throws <see cref="InvalidOperationException"/> with the cause when LibTorch cannot load.</summary>
    public static void EnsureInitialized()
    {
        if (_initialized)
            return;
        lock (Gate)
        {
            if (_initialized)
                return;
            LibTorchSharpRepair.RepairIfNeeded(LibTorchSharpRepair.LoadedTorchSharpFolder());
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException(
                    "TorchSharp's native libraries (LibTorch CPU) could not be loaded. Check that the application references " +
                    "TorchSharp-cpu (through Microsoft.ML.Recurrent) and that 'ldd' on libLibTorchSharp.so in the application " +
                    $"folder finds every dependency. Cause: {e.GetBaseException().Message}", e);
            }
            torch.set_num_threads(Environment.ProcessorCount);
            _initialized = true;
        }
    }

    /// <summary>Number of intra-op threads TorchSharp uses after initialization.</summary>
    public static int IntraOpThreads
    {
        get
        {
            EnsureInitialized();
            return torch.get_num_threads();
        }
    }

#pragma warning disable CA2255 // A library module initializer is intended here: the repair must precede any torch call.
    [ModuleInitializer]
    internal static void RepairWhenLoaded()
#pragma warning restore CA2255
    {
        // Runs before any code of this assembly, so before the first network touches TorchSharp, and from
        // Microsoft.ML.Recurrent's own module initializer (LibraryInitializer), whose trainers call TorchSharp directly.
        // Without TorchSharp's folder from its loaded assembly: every process that uses any component of the library
        // runs this, including one that only scores an ONNX deployment pipeline and must not load TorchSharp.
        try
        {
            LibTorchSharpRepair.RepairIfNeeded();
        }
        catch (Exception)
        {
            // EnsureInitialized repeats the repair and reports the failure with its cause; loading must not fail here.
        }
    }
}
