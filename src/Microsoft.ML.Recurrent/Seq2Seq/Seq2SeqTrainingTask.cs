using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Seq2Seq;

/// <summary>
/// Token-level cross-entropy of the decoder for <see cref="TrainingLoop"/>, with teacher forcing; validation reports
/// the teacher-forced token accuracy.
/// </summary>
/// <remarks>
/// The loop's batches carry the sources (and the example indices); the targets are looked up here by index, in the
/// training targets for training batches and in <paramref name="validation"/> (or the training targets, when the
/// validation rows are a held-out fraction of the training data) for validation batches.
/// With a teacher forcing ratio below 1, the choice between the true previous id and the model's own prediction is drawn
/// from the training run's generator (<see cref="TrainingRandom"/>), like dropout: it is part of every checkpoint, so a
/// resumed run draws what the uninterrupted run would have, and runs training at the same time do not share it.
/// </remarks>
internal sealed class Seq2SeqTrainingTask(TargetSequences training, TargetSequences? validation, double teacherForcingRatio) : ITrainingTask
{
    public ValidationMetric? Metric { get; } = new("token accuracy", HigherIsBetter: true);

    public Tensor ComputeLoss(nn.Module model, SequenceBatch batch)
    {
        var (logits, gold) = Run((Seq2SeqNetwork)model, batch, training, teacherForcingRatio);
        return nn.functional.cross_entropy(logits.flatten(0, 1), gold.flatten(), ignore_index: SequenceDataset.IgnoreIndex);
    }

    public EvaluationResult Evaluate(nn.Module model, IEnumerable<SequenceBatch> batches)
    {
        double loss = 0;
        long correct = 0, count = 0;
        foreach (var batch in batches)
        {
            var (logits, gold) = Run((Seq2SeqNetwork)model, batch, validation ?? training, 1);
            var real = gold.ne(SequenceDataset.IgnoreIndex);
            loss += nn.functional.cross_entropy(logits.flatten(0, 1), gold.flatten(), ignore_index: SequenceDataset.IgnoreIndex, reduction: nn.Reduction.Sum).item<float>();
            correct += logits.argmax(2).eq(gold).logical_and(real).sum().item<long>();
            count += real.sum().item<long>();
        }
        return new EvaluationResult(count == 0 ? double.NaN : loss / count, count == 0 ? null : (double)correct / count);
    }

    // Logits for every target position after <s>, and the ids they should predict (padding = ignore index).
    private (Tensor Logits, Tensor Gold) Run(Seq2SeqNetwork network, SequenceBatch batch, TargetSequences targets, double ratio)
    {
        var ids = targets.Batch(batch.Indices).MoveTo(batch.Inputs.device);
        long steps = ids.shape[1] - 1;
        var inputs = ids.narrow(1, 0, steps);
        var gold = ids.narrow(1, 1, steps);
        gold = gold.masked_fill(gold.eq(0), SequenceDataset.IgnoreIndex);
        Func<int, long, Tensor?>? useTruth = ratio >= 1 ? null : (_, rows) =>
            // Drawn on the CPU from the run's checkpointed generator, then moved to the network's device.
            rand([rows], generator: TrainingRandom.Current).lt(ratio).MoveTo(batch.Inputs.device);
        return (network.Decode(batch.Inputs, batch.Lengths, inputs, useTruth), gold);
    }
}
