using System.Runtime.CompilerServices;

namespace Microsoft.ML.Recurrent.Runtime;

/// <summary>Runs the native-bridge repair as soon as this assembly is used.</summary>
/// <remarks>
/// The repair (<see cref="LibTorchSharpRepair"/>) lives in Microsoft.ML.Recurrent.Networks and runs from that
/// assembly's module initializer, which the runtime triggers only when code of that assembly runs. This assembly's
/// trainers and training loops call TorchSharp directly, possibly before any network code, so an application that
/// references only this library gets the repair from here too. The runtime runs a module initializer at most once:
/// triggering it here never repeats the repair.
/// </remarks>
internal static class LibraryInitializer
{
#pragma warning disable CA2255 // A library module initializer is intended here: the repair must precede any torch call.
    [ModuleInitializer]
    internal static void RepairWhenLoaded()
#pragma warning restore CA2255
        => RuntimeHelpers.RunModuleConstructor(typeof(TorchRuntime).Module.ModuleHandle);
}
