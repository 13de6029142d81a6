using TorchSharp;

namespace Microsoft.ML.Recurrent.Runtime;

/// <summary>
/// Seeds LibTorch's process-wide generator and creates a network under one lock, so that a network's initial weights
/// depend only on its seed even when other trainers in the process create networks at the same time.
/// </summary>
internal static class TorchSeeding
{
    private static readonly object Gate = new();

    public static T Create<T>(int seed, Func<T> create)
    {
        TorchRuntime.EnsureInitialized();
        lock (Gate)
        {
            torch.manual_seed(seed);
            return create();
        }
    }
}
