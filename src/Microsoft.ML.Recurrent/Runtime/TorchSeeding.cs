using TorchSharp;

namespace Microsoft.ML.Recurrent.Runtime;

/// <summary>
/// Creates a network from LibTorch's process-wide generator seeded with its seed, under one lock, so that a network's
/// initial weights depend only on its seed even when other trainers in the process create networks at the same time;
/// and puts the generator's state back afterwards, so that the application's own draws are not changed by a training.
/// </summary>
internal static class TorchSeeding
{
    private static readonly object Gate = new();

    public static T Create<T>(int seed, Func<T> create)
    {
        TorchRuntime.EnsureInitialized();
        lock (Gate)
        {
            using var outside = torch.random.get_rng_state();
            torch.manual_seed(seed);
            try
            {
                return create();
            }
            finally
            {
                torch.random.set_rng_state(outside);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> with the process-wide generator in <paramref name="state"/>, under the same lock,
    /// and puts the previous process-wide state back afterwards: for LibTorch operations that can only draw from the
    /// process-wide generator. <paramref name="state"/> is replaced by the state after the draws (the old tensor is
    /// disposed), so a sequence of calls draws as one private stream that nothing else in the process advances.
    /// </summary>
    public static T WithProcessGenerator<T>(ref torch.Tensor state, Func<T> action)
    {
        lock (Gate)
        {
            using var outside = torch.random.get_rng_state();
            torch.random.set_rng_state(state);
            try
            {
                return action();
            }
            finally
            {
                var after = torch.random.get_rng_state().DetachFromDisposeScope();
                state.Dispose();
                state = after;
                torch.random.set_rng_state(outside);
            }
        }
    }
}
