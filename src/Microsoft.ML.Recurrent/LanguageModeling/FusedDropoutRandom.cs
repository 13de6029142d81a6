using Microsoft.ML.Recurrent.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.LanguageModeling;

/// <summary>
/// The generator of the dropout between the stacked layers of a <see cref="LanguageModelNetwork"/> in one training
/// run. That dropout happens inside LibTorch's fused multi-layer LSTM/GRU/RNN, which draws from the process-wide
/// generator and cannot be pointed at the run's own (<c>TrainingRandom</c>); left alone it would depend on whatever
/// else in the process draws, and a checkpoint could not restore it. So each training forward pass runs with the
/// process-wide generator set to this run's state (<see cref="TorchSeeding.WithProcessGenerator"/>), which is then
/// kept here and saved with the checkpoint.
/// </summary>
internal sealed class FusedDropoutRandom : IDisposable
{
    private Tensor _state;

    /// <summary>A stream seeded by <paramref name="seed"/>.</summary>
    public FusedDropoutRandom(long seed)
    {
        using var generator = new Generator(unchecked((ulong)seed));
        _state = generator.get_state().DetachFromDisposeScope();
    }

    /// <summary>Whether <paramref name="model"/> has between-layer dropout in its fused module, so needs this stream.</summary>
    public static bool IsNeeded(LanguageModelNetwork model, double dropout) => model.Settings.Layers > 1 && dropout > 0;

    /// <summary>The current state (owned by this object), for a checkpoint.</summary>
    public Tensor State => _state;

    /// <summary>Runs a training forward pass, drawing its between-layer dropout from this stream.</summary>
    public T Run<T>(Func<T> forward) => TorchSeeding.WithProcessGenerator(ref _state, forward);

    /// <summary>Continues from a state taken from <see cref="State"/>; takes ownership of <paramref name="state"/>.</summary>
    public void Restore(Tensor state)
    {
        _state.Dispose();
        _state = state;
    }

    public void Dispose() => _state.Dispose();
}
