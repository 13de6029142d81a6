using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Classification;

/// <summary>Loss and validation metric of each whole-sequence task, for <see cref="TrainingLoop"/>.</summary>
internal static class SequenceTrainingTasks
{
    public static ITrainingTask For(SequencePredictionKind kind) => kind switch
    {
        SequencePredictionKind.BinaryClassification => new Binary(),
        SequencePredictionKind.MulticlassClassification => new Multiclass(),
        _ => new Regression(),
    };

    private static Tensor Logits(nn.Module model, SequenceBatch batch)
        => ((SequenceClassifierNetwork)model).call(batch.Inputs, batch.Lengths);

    /// <summary>Binary cross-entropy on the logit; validation accuracy.</summary>
    private sealed class Binary : ITrainingTask
    {
        public ValidationMetric? Metric { get; } = new("accuracy", HigherIsBetter: true);

        public Tensor ComputeLoss(nn.Module model, SequenceBatch batch)
            => nn.functional.binary_cross_entropy_with_logits(Logits(model, batch).reshape(-1), batch.RequireTargets());

        public EvaluationResult Evaluate(nn.Module model, IEnumerable<SequenceBatch> batches)
        {
            double loss = 0;
            long correct = 0, count = 0;
            foreach (var batch in batches)
            {
                var logits = Logits(model, batch).reshape(-1);
                var targets = batch.RequireTargets();
                loss += nn.functional.binary_cross_entropy_with_logits(logits, targets, reduction: nn.Reduction.Sum).item<float>();
                correct += (logits > 0).eq(targets > 0.5).sum().item<long>();
                count += batch.Size;
            }
            return new EvaluationResult(loss / count, (double)correct / count);
        }
    }

    /// <summary>Cross-entropy over the classes; validation accuracy.</summary>
    private sealed class Multiclass : ITrainingTask
    {
        public ValidationMetric? Metric { get; } = new("accuracy", HigherIsBetter: true);

        public Tensor ComputeLoss(nn.Module model, SequenceBatch batch)
            => nn.functional.cross_entropy(Logits(model, batch), batch.RequireTargets());

        public EvaluationResult Evaluate(nn.Module model, IEnumerable<SequenceBatch> batches)
        {
            double loss = 0;
            long correct = 0, count = 0;
            foreach (var batch in batches)
            {
                var logits = Logits(model, batch);
                var targets = batch.RequireTargets();
                loss += nn.functional.cross_entropy(logits, targets, reduction: nn.Reduction.Sum).item<float>();
                correct += logits.argmax(-1).eq(targets).sum().item<long>();
                count += batch.Size;
            }
            return new EvaluationResult(loss / count, (double)correct / count);
        }
    }

    /// <summary>Mean squared error; validation on the same loss (lower is better).</summary>
    private sealed class Regression : ITrainingTask
    {
        public Tensor ComputeLoss(nn.Module model, SequenceBatch batch)
            => nn.functional.mse_loss(Logits(model, batch).reshape(-1), batch.RequireTargets());
    }
}
