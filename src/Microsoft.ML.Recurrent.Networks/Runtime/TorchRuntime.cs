using TorchSharp;

namespace Microsoft.ML.Recurrent.Runtime;

/// <summary>
/// Prepares TorchSharp before its first use: repairs the native bridge where the system needs it, loads the CPU
/// backend and uses every core for intra-op parallelism. Training turns on flush-denormal mode for its duration
/// (denormals otherwise slow LSTM training many times over on some processors); see <c>FlushDenormal</c> in Microsoft.ML.Recurrent.
/// </summary>
/// <remarks>
/// Every component of this library calls <see cref="EnsureInitialized"/> before touching a tensor. Loading the
/// library writes no file: the native bridge is repaired when the application is built or published (the package's
/// MSBuild targets; see docs/platform.md), so an application that calls TorchSharp directly needs nothing from here.
/// Only when a copy was not repaired at build time (an application built elsewhere) does this method repair it, as
/// a fallback that needs a writable folder and otherwise throws an exception naming the file and the remedies.
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
            // Normally a no-op: the build repaired the copies in the output (or the system needs no repair).
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
}
