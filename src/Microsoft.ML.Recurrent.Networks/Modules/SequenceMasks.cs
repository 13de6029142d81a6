using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Modules;

/// <summary>
/// Tensor helpers for right-padded batches of variable-length sequences, laid out [batch, time, ...] with a
/// [batch] int64 tensor of lengths.
/// </summary>
internal static class SequenceMasks
{
    /// <summary>[batch, time] boolean mask, true where t &lt; length.</summary>
    public static Tensor FromLengths(Tensor lengths, long time)
    {
        using var scope = NewDisposeScope();
        var steps = arange(time, dtype: ScalarType.Int64, device: lengths.device).unsqueeze(0);
        return steps.lt(lengths.to_type(ScalarType.Int64).unsqueeze(1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// [batch, time] int64 time indices that reverse each sequence within its own length: t' = length − 1 − t for
    /// t &lt; length, and t itself for padded positions, so the padding stays at the end. The permutation is its own
    /// inverse.
    /// </summary>
    public static Tensor ReverseIndex(Tensor lengths, long time)
    {
        using var scope = NewDisposeScope();
        var steps = arange(time, dtype: ScalarType.Int64, device: lengths.device).unsqueeze(0);
        var column = lengths.to_type(ScalarType.Int64).unsqueeze(1);
        var reversed = column - 1 - steps;
        return where(steps.lt(column), reversed, steps.expand(lengths.shape[0], time)).MoveToOuterDisposeScope();
    }

    /// <summary>Reorders the time axis of [batch, time, features] by a [batch, time] index such as <see cref="ReverseIndex"/>.</summary>
    /// <remarks>
    /// Row selection on the flattened [batch × time, features] view instead of a gather along time: its backward pass
    /// (index_add) is several times faster on CPU than gather's scatter_add, which made a bidirectional layer about
    /// 20% slower than LibTorch's own bidirectional module; with index_select the two take the same time.
    /// </remarks>
    public static Tensor GatherTime(Tensor sequence, Tensor timeIndex)
    {
        using var scope = NewDisposeScope();
        long batch = sequence.shape[0], time = sequence.shape[1], features = sequence.shape[2];
        var rowStart = arange(batch, dtype: ScalarType.Int64, device: timeIndex.device).mul(time).unsqueeze(1);
        var rows = (timeIndex + rowStart).view(-1);
        return sequence.reshape(batch * time, features).index_select(0, rows).view(batch, time, features).MoveToOuterDisposeScope();
    }

    /// <summary>Reverses each sequence of [batch, time, features] within its own length; padded positions keep their place.</summary>
    public static Tensor ReverseWithinLength(Tensor sequence, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        return GatherTime(sequence, ReverseIndex(lengths, sequence.shape[1])).MoveToOuterDisposeScope();
    }

    /// <summary>Picks sequence[b, positions[b], :] from [batch, time, features], giving [batch, features].</summary>
    public static Tensor GatherAt(Tensor sequence, Tensor positions)
    {
        using var scope = NewDisposeScope();
        long batch = sequence.shape[0], features = sequence.shape[2];
        var index = positions.to_type(ScalarType.Int64).view(batch, 1, 1).expand(batch, 1, features);
        return sequence.gather(1, index).squeeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>Picks each sequence's last valid step, sequence[b, lengths[b] − 1, :], giving [batch, features].</summary>
    public static Tensor LastValid(Tensor sequence, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        return GatherAt(sequence, lengths.to_type(ScalarType.Int64) - 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Checks that <paramref name="lengths"/> is a [batch] integer tensor with every value in 1..<paramref name="time"/>,
    /// throwing <see cref="ArgumentException"/> otherwise, so that bad lengths never reach a native gather. Returns the
    /// shortest length (<paramref name="time"/> for an empty batch).
    /// </summary>
    public static long Validate(Tensor lengths, long batch, long time, string parameterName)
    {
        if (lengths.dim() != 1 || lengths.shape[0] != batch)
            throw new ArgumentException(
                $"Lengths must be a one-dimensional tensor with one entry per sequence ({batch}); got shape [{string.Join(", ", lengths.shape)}].",
                parameterName);
        if (lengths.dtype is not (ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte))
            throw new ArgumentException($"Lengths must be an integer tensor (int64); got {lengths.dtype}.", parameterName);
        if (batch == 0)
            return time;
        var (min, max) = Range(lengths);
        if (min < 1 || max > time)
            throw new ArgumentException(
                $"Every sequence length must lie in 1..{time} (the padded width of the batch); got lengths from {min} to {max}.",
                parameterName);
        return min;
    }

    /// <summary>The smallest and largest value of a non-empty integer tensor.</summary>
    /// <remarks>
    /// Contiguous int64/int32 tensors in CPU memory (every batch the library builds) are scanned in place: that is one
    /// pass over a few hundred values instead of four native calls, which matter for single-row inference.
    /// </remarks>
    public static (long Min, long Max) Range(Tensor values)
    {
        if (values.device_type == DeviceType.CPU && values.is_contiguous())
        {
            if (values.dtype == ScalarType.Int64)
                return Range<long>(values);
            if (values.dtype == ScalarType.Int32)
                return Range<int>(values);
        }
        using var scope = NewDisposeScope();
        return (values.min().to_type(ScalarType.Int64).item<long>(), values.max().to_type(ScalarType.Int64).item<long>());
    }

    private static (long Min, long Max) Range<T>(Tensor values) where T : unmanaged, System.Numerics.INumber<T>
    {
        var span = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(values.bytes);
        T min = span[0], max = span[0];
        foreach (var value in span)
        {
            min = T.Min(min, value);
            max = T.Max(max, value);
        }
        return (long.CreateTruncating(min), long.CreateTruncating(max));
    }
}
