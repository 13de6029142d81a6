using System.Runtime.InteropServices;

namespace Microsoft.ML.Recurrent.Runtime;

/// <summary>
/// Turns on LibTorch's flush-denormal mode, which TorchSharp 0.107.0 does not expose.
/// </summary>
/// <remarks>
/// The mode lives in the processor's per-thread floating-point control register, so it applies to the thread that
/// calls <see cref="TryEnableForCurrentThread"/>; the training engine calls it on the thread that trains.
/// It calls <c>at::globalContext().setFlushDenormal(true)</c> in libtorch_cpu through its exported C++ symbols.
/// </remarks>
internal static unsafe class FlushDenormal
{
    private const string GlobalContextSymbol = "_ZN2at13globalContextEv";
    private const string SetFlushDenormalSymbol = "_ZN2at7Context16setFlushDenormalEb";

    private static readonly Lazy<(IntPtr GlobalContext, IntPtr SetFlushDenormal)> Exports = new(FindExports);

    /// <summary>Returns true when the processor supports the mode and it is now on for this thread.</summary>
    public static bool TryEnableForCurrentThread()
    {
        var (globalContext, setFlushDenormal) = Exports.Value;
        if (globalContext == IntPtr.Zero || setFlushDenormal == IntPtr.Zero)
            return false;
        IntPtr context = ((delegate* unmanaged<IntPtr>)globalContext)();
        return ((delegate* unmanaged<IntPtr, byte, byte>)setFlushDenormal)(context, 1) != 0;
    }

    private static (IntPtr, IntPtr) FindExports()
    {
        string library = OperatingSystem.IsWindows() ? "torch_cpu.dll" : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so";
        if (!NativeLibrary.TryLoad(library, typeof(TorchSharp.torch).Assembly, null, out IntPtr handle))
            return (IntPtr.Zero, IntPtr.Zero);
        NativeLibrary.TryGetExport(handle, GlobalContextSymbol, out IntPtr globalContext);
        NativeLibrary.TryGetExport(handle, SetFlushDenormalSymbol, out IntPtr setFlushDenormal);
        return (globalContext, setFlushDenormal);
    }
}
