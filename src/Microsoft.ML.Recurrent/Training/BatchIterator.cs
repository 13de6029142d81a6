using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// Turns batches of example indices into <see cref="SequenceBatch"/> tensors, writing the dataset's values straight
/// into each new tensor's memory (no per-row tensors, no intermediate managed arrays).
/// </summary>
internal sealed class BatchIterator
{
    private readonly SequenceDataset _data;

    /// <summary>Creates batches over <paramref name="data"/>.</summary>
    public BatchIterator(SequenceDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _data = data;
    }

    /// <summary>The dataset batches are read from.</summary>
    public SequenceDataset Data => _data;

    /// <summary>
    /// Enumerates the plan's batches. Each batch lives in its own dispose scope, which also collects every tensor the
    /// caller creates while handling it; that scope ends when the next batch is requested or the enumeration ends, so
    /// neither the batch nor tensors made from it may be kept beyond that point (copy results into managed values).
    /// </summary>
    public IEnumerable<SequenceBatch> Enumerate(BatchPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        for (int b = 0; b < plan.BatchCount; b++)
        {
            using var scope = NewDisposeScope();
            yield return Create(plan.GetBatch(b));
        }
    }

    /// <summary>Builds the tensors of one batch from dataset indices.</summary>
    public SequenceBatch Create(ReadOnlySpan<int> indices)
    {
        if (indices.IsEmpty)
            throw new ArgumentException("A batch needs at least one example.", nameof(indices));
        int batch = indices.Length;
        int maxLength = 0;
        foreach (int i in indices)
            maxLength = Math.Max(maxLength, _data.GetLength(i));

        Tensor inputs = _data.InputKind == SequenceInputKind.Tokens ? TokenInputs(indices, maxLength) : FeatureInputs(indices, maxLength);
        Tensor lengths = empty([batch], ScalarType.Int64);
        var lengthValues = Span<long>(lengths);
        for (int r = 0; r < batch; r++)
            lengthValues[r] = _data.GetLength(indices[r]);
        var (weights, weightSum) = Weights(indices);
        return new SequenceBatch(inputs, lengths, Targets(indices, maxLength), indices.ToArray(), maxLength, weights, weightSum, Wide(indices));
    }

    private Tensor? Wide(ReadOnlySpan<int> indices)
    {
        int width = _data.WideSize;
        if (width == 0)
            return null;
        Tensor tensor = zeros([indices.Length, width], ScalarType.Float32);
        var values = Span<float>(tensor);
        for (int r = 0; r < indices.Length; r++)
        {
            var wideValues = _data.GetWide(indices[r], out var positions);
            var row = values.Slice(r * width, width);
            for (int i = 0; i < positions.Length; i++)
                row[positions[i]] = wideValues[i];
        }
        return tensor;
    }

    private (Tensor? Weights, double Sum) Weights(ReadOnlySpan<int> indices)
    {
        if (!_data.HasWeights)
            return (null, indices.Length);
        Tensor tensor = empty([indices.Length], ScalarType.Float32);
        var values = Span<float>(tensor);
        double sum = 0;
        for (int r = 0; r < indices.Length; r++)
        {
            values[r] = _data.GetWeight(indices[r]);
            sum += values[r];
        }
        return (tensor, sum);
    }

    private Tensor TokenInputs(ReadOnlySpan<int> indices, int maxLength)
    {
        Tensor tensor = empty([indices.Length, maxLength], ScalarType.Int64);
        var values = Span<long>(tensor);
        for (int r = 0; r < indices.Length; r++)
        {
            var row = values.Slice(r * maxLength, maxLength);
            var tokens = _data.GetTokens(indices[r]);
            for (int t = 0; t < tokens.Length; t++)
                row[t] = tokens[t];
            row[tokens.Length..].Clear();
        }
        return tensor;
    }

    private Tensor FeatureInputs(ReadOnlySpan<int> indices, int maxLength)
    {
        int width = _data.FeatureSize;
        Tensor tensor = empty([indices.Length, maxLength, width], ScalarType.Float32);
        var values = Span<float>(tensor);
        for (int r = 0; r < indices.Length; r++)
            CopyPadded(_data.GetFeatures(indices[r]), values.Slice(r * maxLength * width, maxLength * width), 0f);
        return tensor;
    }

    private Tensor? Targets(ReadOnlySpan<int> indices, int maxLength)
    {
        int batch = indices.Length;
        int width = _data.TargetWidth;
        switch (_data.TargetKind)
        {
            case SequenceTargetKind.None:
                return null;
            case SequenceTargetKind.Value:
            {
                Tensor tensor = empty([batch], ScalarType.Float32);
                var values = Span<float>(tensor);
                for (int r = 0; r < batch; r++)
                    values[r] = _data.GetValue(indices[r]);
                return tensor;
            }
            case SequenceTargetKind.Class:
            {
                Tensor tensor = empty([batch], ScalarType.Int64);
                var values = Span<long>(tensor);
                for (int r = 0; r < batch; r++)
                    values[r] = _data.GetClass(indices[r]);
                return tensor;
            }
            case SequenceTargetKind.Vector:
            {
                Tensor tensor = empty([batch, width], ScalarType.Float32);
                var values = Span<float>(tensor);
                for (int r = 0; r < batch; r++)
                    _data.GetVector(indices[r]).CopyTo(values.Slice(r * width, width));
                return tensor;
            }
            case SequenceTargetKind.StepClasses:
            {
                Tensor tensor = empty([batch, maxLength], ScalarType.Int64);
                var values = Span<long>(tensor);
                for (int r = 0; r < batch; r++)
                {
                    var row = values.Slice(r * maxLength, maxLength);
                    var classes = _data.GetStepClasses(indices[r]);
                    for (int t = 0; t < classes.Length; t++)
                        row[t] = classes[t];
                    row[classes.Length..].Fill(SequenceDataset.IgnoreIndex);
                }
                return tensor;
            }
            case SequenceTargetKind.StepValues:
            {
                Tensor tensor = empty([batch, maxLength, width], ScalarType.Float32);
                var values = Span<float>(tensor);
                for (int r = 0; r < batch; r++)
                    CopyPadded(_data.GetStepValues(indices[r]), values.Slice(r * maxLength * width, maxLength * width), 0f);
                return tensor;
            }
            default:
                throw new InvalidOperationException($"Unknown target kind {_data.TargetKind}.");
        }
    }

    private static void CopyPadded(ReadOnlySpan<float> source, Span<float> destination, float padding)
    {
        source.CopyTo(destination);
        destination[source.Length..].Fill(padding);
    }

    /// <summary>The CPU memory of a freshly created contiguous tensor, viewed as <typeparamref name="T"/>.</summary>
    private static Span<T> Span<T>(Tensor tensor) where T : unmanaged => MemoryMarshal.Cast<byte, T>(tensor.bytes);
}
