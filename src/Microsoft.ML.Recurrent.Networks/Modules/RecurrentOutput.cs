using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Modules;

/// <summary>What a recurrent encoder produces for a right-padded batch of sequences.</summary>
/// <param name="Sequence">
/// The top layer's output at every time step, shape [batch, time, hidden × directions], with the forward direction's
/// features first. Positions at or past a sequence's length are exactly zero.
/// </param>
/// <param name="Final">
/// The summary of each whole sequence, shape [batch, hidden × directions]: the forward direction's top-layer output at
/// the last valid step (length − 1) followed, when bidirectional, by the backward direction's top-layer output at
/// step 0, i.e. after it has read the sequence from its true end back to its start.
/// </param>
/// <remarks>The tensors belong to the caller, who disposes them (directly or through a dispose scope).</remarks>
public sealed record RecurrentOutput(Tensor Sequence, Tensor Final);
