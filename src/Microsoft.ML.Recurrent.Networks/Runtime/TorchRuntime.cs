using System.Diagnostics;
using System.Runtime.CompilerServices;
using TorchSharp;

namespace Microsoft.ML.Recurrent.Runtime;

/// <summary>
/// Prepares TorchSharp before its first use: repairs the native bridge where the system needs it, loads the CPU
/// backend and, unless the application chose a thread count, uses every core the process may use for intra-op
/// parallelism. Training runs on a thread of its own with flush-denormal mode on (denormals otherwise slow LSTM
/// training many times over on some processors); see <c>TrainingThread</c> in Microsoft.ML.Recurrent.
/// </summary>
/// <remarks>
/// <para>Every component of this library calls <see cref="EnsureInitialized"/> before touching a tensor. Loading the
/// library writes no file: the native bridge is repaired when the application is built or published (the package's
/// MSBuild targets; see docs/platform.md), so an application that calls TorchSharp directly needs nothing from here.
/// Only when a copy was not repaired at build time (an application built elsewhere) does this method repair it, as
/// a fallback that needs a writable folder and otherwise throws an exception naming the file and the remedies.</para>
/// <para>The thread count is the application's when it set <c>OMP_NUM_THREADS</c> or <c>MKL_NUM_THREADS</c> in the
/// environment, or when LibTorch was already loaded when this library first initialized it (the application used
/// TorchSharp first, so it may have called <c>torch.set_num_threads</c>): the library then leaves it as it is. Otherwise
/// it sets <see cref="Environment.ProcessorCount"/> once, at initialization, and never again; an application may set
/// another count with <c>torch.set_num_threads</c> at any time after.</para>
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
            // Decided before loading LibTorch: afterwards it is always loaded.
            bool applicationChoseThreads = ThreadCountChosenByApplication();
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
            if (!applicationChoseThreads)
                torch.set_num_threads(Environment.ProcessorCount);
            _initialized = true;
        }
    }

    /// <summary>True when the environment sets LibTorch's thread count, or when LibTorch is already loaded (the application used TorchSharp first).</summary>
    internal static bool ThreadCountChosenByApplication()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OMP_NUM_THREADS")) || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MKL_NUM_THREADS")))
            return true;
        try
        {
            using var process = Process.GetCurrentProcess();
            foreach (ProcessModule module in process.Modules)
            {
                string name = module.ModuleName;
                if (name.StartsWith("libtorch_cpu.", StringComparison.Ordinal) || name.Equals("torch_cpu.dll", StringComparison.OrdinalIgnoreCase))
                    return true;
            }
            return false;
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception or UnauthorizedAccessException)
        {
            // The modules cannot be listed here: leave the count to LibTorch and the application rather than guess.
            return true;
        }
    }

    /// <summary>Number of intra-op threads LibTorch uses (after initialization; see the remarks of <see cref="TorchRuntime"/>).</summary>
    public static int IntraOpThreads
    {
        get
        {
            EnsureInitialized();
            return torch.get_num_threads();
        }
    }
}
