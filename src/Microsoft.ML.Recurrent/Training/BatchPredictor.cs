using Microsoft.ML.Recurrent.Runtime;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>Runs a model over a whole dataset in batches, in the original order, for inference.</summary>
internal static class BatchPredictor
{
    /// <summary>
    /// Calls <paramref name="forward"/> on batches of <paramref name="batchSize"/> examples in dataset order, in eval
    /// mode without gradients, and returns each example's row of the output (converted to float32) as a float array.
    /// The output's first dimension must be the batch. With <paramref name="trimToLength"/>, an output whose second
    /// dimension is the padded length T (per-step outputs such as <c>[B, T, K]</c>) keeps only the example's real
    /// steps: <c>length * K</c> floats.
    /// </summary>
    public static float[][] Predict(nn.Module model, Func<SequenceBatch, Tensor> forward, SequenceDataset data, int batchSize,
        bool trimToLength = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        TorchRuntime.EnsureInitialized();

        var results = new float[data.Count][];
        var iterator = new BatchIterator(data);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            foreach (var batch in iterator.Enumerate(BatchPlan.Sequential(data.Count, batchSize)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var output = forward(batch);
                if (output.dim() == 0 || output.shape[0] != batch.Size)
                    throw new InvalidOperationException($"The model output has shape [{string.Join(", ", output.shape)}]; its first dimension must be the batch size {batch.Size}.");
                var values = output.to_type(ScalarType.Float32).OnCpu().contiguous().data<float>().ToArray();
                int rowSize = values.Length / batch.Size;
                bool perStep = trimToLength && output.dim() >= 2 && output.shape[1] == batch.MaxLength && batch.MaxLength > 0;
                int stepSize = perStep ? rowSize / batch.MaxLength : 0;
                for (int r = 0; r < batch.Size; r++)
                {
                    int keep = perStep ? data.GetLength(batch.Indices[r]) * stepSize : rowSize;
                    results[batch.Indices[r]] = values.AsSpan(r * rowSize, keep).ToArray();
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return results;
    }
}
