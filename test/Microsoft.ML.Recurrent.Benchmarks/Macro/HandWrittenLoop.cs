using Microsoft.ML.Recurrent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Benchmarks.Macro;

/// <summary>
/// A minimal hand-written training loop: managed arrays per batch, tensors from them, forward, BCE with logits,
/// backward, gradient clipping at 5 and Adam at 1e-3 — the library trainer's defaults, on the same batches.
/// </summary>
internal static class HandWrittenLoop
{
    /// <summary>
    /// Trains for <paramref name="epochs"/> on the batches the library's loop would make from
    /// <paramref name="data"/> with <paramref name="seed"/>; returns the cost of each epoch from the end of its
    /// first batch (the trainer is timed the same way, through its progress reports). Without
    /// <paramref name="lengthBucketing"/> the batches are plain shuffled ones, each sorted longest first as
    /// pack_padded_sequence expects: the textbook recipe that relies on packing alone to skip padding.
    /// </summary>
    public static Measure.Cost[] Train(HandWrittenClassifier model, SequenceDataset data, int batchSize, int epochs, int seed,
        bool lengthBucketing = true)
    {
        // The same plan sequence as TrainingLoop: one Random(seed), one Shuffled plan per epoch.
        var random = new Random(seed);
        var all = Enumerable.Range(0, data.Count).ToArray();
        var parameters = model.parameters().ToArray();
        using var optimizer = optim.Adam(parameters, lr: 1e-3);
        model.train();
        var costs = new Measure.Cost[epochs];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var plan = BatchPlan.Shuffled(data, all, batchSize, lengthBucketing, random);
            var start = Measure.Cost.Start();
            for (int b = 0; b < plan.BatchCount; b++)
            {
                var indices = plan.GetBatch(b).ToArray();
                if (!lengthBucketing)
                    indices = indices.OrderByDescending(data.GetLength).ToArray();
                int rows = indices.Length, width = 0;
                foreach (int i in indices)
                    width = Math.Max(width, data.GetLength(i));
                var tokens = new long[rows * width];
                var lengths = new long[rows];
                var labels = new float[rows];
                for (int r = 0; r < rows; r++)
                {
                    var row = data.GetTokens(indices[r]);
                    for (int t = 0; t < row.Length; t++)
                        tokens[r * width + t] = row[t];
                    lengths[r] = row.Length;
                    labels[r] = data.GetValue(indices[r]);
                }
                using var scope = NewDisposeScope();
                var input = tensor(tokens, [rows, width]);
                var lengthTensor = tensor(lengths);
                var target = tensor(labels);
                optimizer.zero_grad();
                var loss = nn.functional.binary_cross_entropy_with_logits(model.call(input, lengthTensor), target);
                loss.backward();
                nn.utils.clip_grad_norm_(parameters, 5);
                optimizer.step();
                _ = loss.item<float>();
                if (b == 0)
                    start = Measure.Cost.Start();
            }
            costs[epoch] = start.Since();
        }
        model.eval();
        return costs;
    }
}
