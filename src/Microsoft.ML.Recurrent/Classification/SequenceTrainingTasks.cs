using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// Loss and validation metric of each whole-sequence task, for <see cref="TrainingLoop"/>; with example weights, the
/// loss is the weighted mean over a batch and the validation loss and accuracy are weighted too.
/// </summary>
internal static class SequenceTrainingTasks
{
    public static ITrainingTask For(SequencePredictionKind kind) => kind switch
    {
        SequencePredictionKind.BinaryClassification => new Binary(),
        SequencePredictionKind.MulticlassClassification => new Multiclass(),
        _ => new Regression(),
    };

    private static Tensor Logits(nn.Module model, SequenceBatch batch)
        => ((SequenceClassifierNetwork)model).Score(batch.Inputs, batch.Lengths, batch.Wide);

    /// <summary>Binary cross-entropy on the logit; validation accuracy.</summary>
    private sealed class Binary : ITrainingTask
    {
        public ValidationMetric? Metric { get; } = new("accuracy", HigherIsBetter: true);

        public Tensor ComputeLoss(nn.Module model, SequenceBatch batch)
        {
            var logits = Logits(model, batch).reshape(-1);
            return batch.MeanLoss(reduction => nn.functional.binary_cross_entropy_with_logits(logits, batch.RequireTargets(), reduction: reduction));
        }

        public EvaluationResult Evaluate(nn.Module model, IEnumerable<SequenceBatch> batches)
        {
            double loss = 0, correct = 0, count = 0;
            foreach (var batch in batches)
            {
                var logits = Logits(model, batch).reshape(-1);
                var targets = batch.RequireTargets();
                loss += batch.SumLoss(reduction => nn.functional.binary_cross_entropy_with_logits(logits, targets, reduction: reduction));
                correct += batch.Count((logits > 0).eq(targets > 0.5));
                count += batch.WeightSum;
            }
            return new EvaluationResult(loss / count, correct / count);
        }
    }

    /// <summary>Cross-entropy over the classes; validation accuracy.</summary>
    private sealed class Multiclass : ITrainingTask
    {
        public ValidationMetric? Metric { get; } = new("accuracy", HigherIsBetter: true);

        public Tensor ComputeLoss(nn.Module model, SequenceBatch batch)
        {
            var logits = Logits(model, batch);
            return batch.MeanLoss(reduction => nn.functional.cross_entropy(logits, batch.RequireTargets(), reduction: reduction));
        }

        public EvaluationResult Evaluate(nn.Module model, IEnumerable<SequenceBatch> batches)
        {
            double loss = 0, correct = 0, count = 0;
            foreach (var batch in batches)
            {
                var logits = Logits(model, batch);
                var targets = batch.RequireTargets();
                loss += batch.SumLoss(reduction => nn.functional.cross_entropy(logits, targets, reduction: reduction));
                correct += batch.Count(logits.argmax(-1).eq(targets));
                count += batch.WeightSum;
            }
            return new EvaluationResult(loss / count, correct / count);
        }
    }

    /// <summary>Mean squared error; validation on the same loss (lower is better).</summary>
    private sealed class Regression : ITrainingTask
    {
        public Tensor ComputeLoss(nn.Module model, SequenceBatch batch)
        {
            var predictions = Logits(model, batch).reshape(-1);
            return batch.MeanLoss(reduction => nn.functional.mse_loss(predictions, batch.RequireTargets(), reduction));
        }
    }
}
