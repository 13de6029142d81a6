using TorchSharp;

namespace Microsoft.ML.Recurrent.Modules;

/// <summary>
/// The random generator of the training run on the current thread: dropout masks and word dropout draw from it, so a
/// run's result depends on its seed alone even while other runs train at the same time in the process. LibTorch's
/// default generator is process-wide: concurrent runs drawing from it would interleave their draws.
/// </summary>
/// <remarks>Outside a run (inference never draws, eval mode) <see cref="Current"/> is null and LibTorch's default is used.</remarks>
internal static class TrainingRandom
{
    [ThreadStatic]
    private static torch.Generator? t_current;

    /// <summary>The generator of the run on this thread, or null.</summary>
    public static torch.Generator? Current => t_current;

    /// <summary>Starts a run on this thread with a generator seeded by <paramref name="seed"/>; dispose to end it.</summary>
    public static Run Begin(long seed) => new(seed);

    /// <summary>One training run's generator; ending it restores the enclosing run's, if any.</summary>
    public sealed class Run : IDisposable
    {
        private readonly torch.Generator? _previous;
        private readonly torch.Generator _generator;
        private bool _ended;

        internal Run(long seed)
        {
            _previous = t_current;
            _generator = new torch.Generator(unchecked((ulong)seed));
            t_current = _generator;
        }

        /// <summary>The generator's state, for a checkpoint.</summary>
        public torch.Tensor GetState() => _generator.get_state();

        /// <summary>Continues from a state returned by <see cref="GetState"/>.</summary>
        public void SetState(torch.Tensor state) => _generator.set_state(state);

        public void Dispose()
        {
            if (_ended)
                return;
            _ended = true;
            t_current = _previous;
            _generator.Dispose();
        }
    }
}
