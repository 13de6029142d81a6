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
/// null without targets; <see cref="Weights"/> float32 <c>[B]</c> or null; <see cref="Wide"/> float32 <c>[B, W]</c> or null. The tensors are created in the dispose scope current at creation (the training loop opens
/// one per batch); <see cref="Dispose"/> releases them earlier.
/// </remarks>
internal sealed class SequenceBatch : IDisposable
{
    internal SequenceBatch(Tensor inputs, Tensor lengths, Tensor? targets, int[] indices, int maxLength, Tensor? weights = null, double weightSum = double.NaN,
        Tensor? wide = null)
    {
        Wide = wide;
        Inputs = inputs;
        Lengths = lengths;
        Targets = targets;
        Indices = indices;
        MaxLength = maxLength;
        Weights = weights;
        WeightSum = weights is null ? indices.Length : weightSum;
    }

    /// <summary>int64 <c>[B, T]</c> or float32 <c>[B, T, F]</c>, right-padded with 0.</summary>
    public Tensor Inputs { get; }

    /// <summary>int64 <c>[B]</c>: number of real steps of each row.</summary>
    public Tensor Lengths { get; }

    /// <summary>Targets (see <see cref="SequenceTargetKind"/> for shapes), or null when the dataset has none.</summary>
    public Tensor? Targets { get; }

    /// <summary>float32 <c>[B]</c>: each row's weight in the loss, when the dataset has weights; null when every row weighs 1.</summary>
    public Tensor? Weights { get; }

    /// <summary>float32 <c>[B, W]</c>: each row's wide features, when the dataset has them; otherwise null.</summary>
    public Tensor? Wide { get; }

    /// <summary>Sum of the rows' weights (<see cref="Size"/> without weights): what a mean over the batch divides by.</summary>
    public double WeightSum { get; }

    /// <summary>
    /// The batch's loss to minimize from a loss function of the reduction: its mean over the rows without weights,
    /// otherwise the weighted mean <c>Σ w·l / Σ w</c> of its per-row values (0, so no gradient, when every weight is 0).
    /// With a weight of 2 a row counts as two rows of weight 1 in the same batch, and a row of weight 0 not at all.
    /// </summary>
    public Tensor MeanLoss(Func<nn.Reduction, Tensor> loss)
        => Weights is null ? loss(nn.Reduction.Mean) : loss(nn.Reduction.None).mul(Weights).sum().div(Math.Max(WeightSum, float.Epsilon));

    /// <summary>The batch's total loss (weighted by the rows' weights, when there are any), for evaluation.</summary>
    public double SumLoss(Func<nn.Reduction, Tensor> loss)
        => (Weights is null ? loss(nn.Reduction.Sum) : loss(nn.Reduction.None).mul(Weights).sum()).ToDouble();

    /// <summary>How many rows <paramref name="hits"/> (Boolean <c>[B]</c>) marks, each counted with its weight.</summary>
    public double Count(Tensor hits)
        => (Weights is null ? hits.sum() : hits.to_type(ScalarType.Float32).mul(Weights).sum()).ToDouble();

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
        => Inputs.IsOn(device) ? this : new SequenceBatch(Inputs.to(device), Lengths.to(device), Targets?.to(device), Indices, MaxLength,
            Weights?.to(device), WeightSum, Wide?.to(device));

    /// <summary>Releases the tensors now rather than at the end of the enclosing dispose scope.</summary>
    public void Dispose()
    {
        Inputs.Dispose();
        Lengths.Dispose();
        Targets?.Dispose();
        Weights?.Dispose();
        Wide?.Dispose();
    }
}
