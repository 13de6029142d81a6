using System.Runtime.InteropServices;

namespace Microsoft.ML.Recurrent.Runtime;

/// <summary>
/// Turns LibTorch's flush-denormal mode on and off, which TorchSharp 0.107.0 does not expose.
/// </summary>
/// <remarks>
/// The mode lives in the processor's per-thread floating-point control register, and threads inherit it from the
/// thread that creates them. Training turns it on in a thread of its own (<see cref="TrainingThread"/>), whose LibTorch
/// worker threads are created with it and end with it, so no thread of the application is left with it.
/// It calls the static <c>at::Context::setFlushDenormal(bool)</c> in libtorch_cpu through its exported symbol.
/// </remarks>
internal static unsafe class FlushDenormal
{
    private const string SetFlushDenormalSymbol = "_ZN2at7Context16setFlushDenormalEb";

    private static readonly Lazy<IntPtr> SetFlushDenormal = new(FindExport);

    /// <summary>True when libtorch_cpu and its exported symbol were found.</summary>
    internal static bool ExportFound => SetFlushDenormal.Value != IntPtr.Zero;

    /// <summary>Returns true when the processor supports the mode and it is now on for this thread.</summary>
    public static bool TryEnableForCurrentThread() => Set(on: true);

    /// <summary>Turns the mode off for the calling thread (the .NET default).</summary>
    public static void DisableForCurrentThread() => Set(on: false);

    /// <summary>On for the calling thread until disposed, then off again (threads start with it off).</summary>
    public static Enabled Scope() => new(TryEnableForCurrentThread());

    /// <summary>Restores the mode when disposed.</summary>
    public readonly struct Enabled(bool wasEnabled) : IDisposable
    {
        /// <summary>Turns the mode off again if this scope turned it on.</summary>
        public void Dispose()
        {
            if (wasEnabled)
                DisableForCurrentThread();
        }
    }

    // The C++ bool argument is passed as a 32-bit int: a compiler may read the whole register, and a byte argument
    // can leave garbage in its upper bits. The result is a C++ bool: only its low byte is meaningful.
    private static bool Set(bool on)
    {
        IntPtr function = SetFlushDenormal.Value;
        return function != IntPtr.Zero && ((delegate* unmanaged<int, byte>)function)(on ? 1 : 0) != 0;
    }

    private static IntPtr FindExport()
    {
        string library = OperatingSystem.IsWindows() ? "torch_cpu.dll" : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so";
        if (!NativeLibrary.TryLoad(library, typeof(TorchSharp.torch).Assembly, null, out IntPtr handle))
            return IntPtr.Zero;
        return NativeLibrary.TryGetExport(handle, SetFlushDenormalSymbol, out IntPtr function) ? function : IntPtr.Zero;
    }
}
