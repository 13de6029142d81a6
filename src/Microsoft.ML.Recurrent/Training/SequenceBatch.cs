using Microsoft.ML.Recurrent.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// One mini-batch as tensors, right-padded to the batch's longest sequence.
/// </summary>
/// <remarks>
/// Shapes: <see cref="Inputs"/> int64 <c>[B, T]</c> (token ids) or float32 <c>[B, T, F]</c> (features), padding 0;
/// <see cref="Lengths"/> int64 <c>[B]</c>; <see cref="Targets"/> as described by <see cref="SequenceTargetKind"/>, or
/// null without targets. The tensors are created in the dispose scope current at creation (the training loop opens
/// one per batch); <see cref="Dispose"/> releases them earlier.
/// </remarks>
internal sealed class SequenceBatch : IDisposable
{
    internal SequenceBatch(Tensor inputs, Tensor lengths, Tensor? targets, int[] indices, int maxLength)
    {
        Inputs = inputs;
        Lengths = lengths;
        Targets = targets;
        Indices = indices;
        MaxLength = maxLength;
    }

    /// <summary>int64 <c>[B, T]</c> or float32 <c>[B, T, F]</c>, right-padded with 0.</summary>
    public Tensor Inputs { get; }

    /// <summary>int64 <c>[B]</c>: number of real steps of each row.</summary>
    public Tensor Lengths { get; }

    /// <summary>Targets (see <see cref="SequenceTargetKind"/> for shapes), or null when the dataset has none.</summary>
    public Tensor? Targets { get; }

    /// <summary>Dataset index of each row (row <c>i</c> of every tensor is example <c>Indices[i]</c>).</summary>
    public int[] Indices { get; }

    /// <summary>Number of rows (B).</summary>
    public int Size => Indices.Length;

    /// <summary>Padded length (T): the longest sequence of the batch.</summary>
    public int MaxLength { get; }

    /// <summary>Targets, or an exception naming the problem when the dataset was read without targets.</summary>
    public Tensor RequireTargets() =>
        Targets ?? throw new InvalidOperationException("The batch has no targets: the dataset was read without a target column.");

    /// <summary>Boolean <c>[B, T]</c>: true at real steps, false at padding.</summary>
    public Tensor CreateStepMask()
    {
        using var steps = arange(MaxLength, dtype: ScalarType.Int64);
        using var row = steps.unsqueeze(0);
        using var lengths = Lengths.unsqueeze(1);
        return row.lt(lengths);
    }

    /// <summary>
    /// This batch on <paramref name="device"/>: itself when it is there already (batches are made on the CPU), otherwise
    /// a batch of copies in the current dispose scope.
    /// </summary>
    public SequenceBatch To(Device device)
        => Inputs.IsOn(device) ? this : new SequenceBatch(Inputs.to(device), Lengths.to(device), Targets?.to(device), Indices, MaxLength);

    /// <summary>Releases the tensors now rather than at the end of the enclosing dispose scope.</summary>
    public void Dispose()
    {
        Inputs.Dispose();
        Lengths.Dispose();
        Targets?.Dispose();
    }
}
