using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>Names a task's validation metric and its direction.</summary>
/// <param name="Name">Display name, e.g. "accuracy" or "perplexity".</param>
/// <param name="HigherIsBetter">True for metrics such as accuracy, false for errors.</param>
internal sealed record ValidationMetric(string Name, bool HigherIsBetter);

/// <summary>Result of evaluating a model on a dataset.</summary>
/// <param name="Loss">Mean loss per example (or per step, as the task defines it).</param>
/// <param name="Metric">Value of <see cref="ITrainingTask.Metric"/>, or null when the task has none.</param>
internal readonly record struct EvaluationResult(double Loss, double? Metric);

/// <summary>
/// What a task (classification, regression, tagging, language modelling, forecasting) contributes to
/// <see cref="TrainingLoop"/>: the loss of a batch and, optionally, a validation metric.
/// </summary>
internal interface ITrainingTask
{
    /// <summary>The metric <see cref="Evaluate"/> reports, which then drives early stopping, plateau decay and
    /// best-weight selection; null to use the validation loss.</summary>
    ValidationMetric? Metric => null;

    /// <summary>
    /// Runs <paramref name="model"/> on <paramref name="batch"/> and returns the scalar loss to minimize (usually a mean),
    /// still attached to the autograd graph (any floating scalar type). Called in training mode, inside a per-batch dispose scope.
    /// </summary>
    Tensor ComputeLoss(nn.Module model, SequenceBatch batch);

    /// <summary>
    /// Evaluates the model over <paramref name="batches"/>. The loop has already set eval mode and disabled gradients;
    /// each batch lives in its own dispose scope that ends when the next is requested, so accumulate managed numbers,
    /// not tensors. The default returns the mean of <see cref="ComputeLoss"/> over the examples (weighted by the batches'
    /// <see cref="SequenceBatch.WeightSum"/>) and no metric.
    /// </summary>
    EvaluationResult Evaluate(nn.Module model, IEnumerable<SequenceBatch> batches)
    {
        double sum = 0, count = 0;
        foreach (var batch in batches)
        {
            using var loss = ComputeLoss(model, batch);
            sum += loss.ToDouble() * batch.WeightSum;
            count += batch.WeightSum;
        }
        return new EvaluationResult(count == 0 ? double.NaN : sum / count, null);
    }
}
