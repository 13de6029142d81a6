using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// Loss and validation metric of sequence tagging for <see cref="TrainingLoop"/>: the CRF's negative log-likelihood
/// (or per-token cross-entropy without a CRF), and entity F1 on validation data (token accuracy for tag sets without
/// entities, such as part of speech).
/// </summary>
internal sealed class TaggingTrainingTask : ITrainingTask
{
    private readonly string[] _tags;
    private readonly bool _hasEntities;

    public TaggingTrainingTask(string[] tags)
    {
        _tags = tags;
        _hasEntities = tags.Any(TagSchemes.IsEntityTag);
        Metric = new ValidationMetric(_hasEntities ? "entity F1" : "token accuracy", HigherIsBetter: true);
    }

    public ValidationMetric? Metric { get; }

    public Tensor ComputeLoss(nn.Module model, SequenceBatch batch)
    {
        using var scope = NewDisposeScope();
        return SummedLoss(model, batch).div(batch.Size).MoveToOuterDisposeScope();
    }

    public EvaluationResult Evaluate(nn.Module model, IEnumerable<SequenceBatch> batches)
    {
        var network = (TaggerNetwork)model;
        var scorer = new TaggingScorer();
        double loss = 0;
        long sentences = 0;
        foreach (var batch in batches)
        {
            var emissions = network.call(batch.Inputs, batch.Lengths);
            loss += Loss(network, emissions, batch).item<float>();
            sentences += batch.Size;
            var lengths = batch.Lengths.OnCpu().data<long>().Select(l => (int)l).ToArray();
            var predicted = Decode(network, emissions, lengths);
            var targets = batch.RequireTargets().OnCpu().data<long>().ToArray();
            for (int r = 0; r < batch.Size; r++)
            {
                var gold = new string[lengths[r]];
                for (int t = 0; t < gold.Length; t++)
                    gold[t] = _tags[targets[r * batch.MaxLength + t]];
                scorer.Add(gold, predicted[r].Select(i => _tags[i]).ToArray());
            }
        }
        var metrics = scorer.ToMetrics();
        return new EvaluationResult(sentences == 0 ? double.NaN : loss / sentences, _hasEntities ? metrics.F1 : metrics.TokenAccuracy);
    }

    /// <summary>Best tag indices per sentence: Viterbi with a CRF, per-token argmax without.</summary>
    internal static int[][] Decode(TaggerNetwork network, Tensor emissions, IReadOnlyList<int> lengths)
    {
        if (network.Crf is { } crf)
            return crf.Decode(emissions, lengths);
        using var best = emissions.argmax(2).MoveTo(CPU);
        var flat = best.data<long>().ToArray();
        long time = emissions.shape[1];
        return lengths.Select((length, r) => Enumerable.Range(0, length).Select(t => (int)flat[r * time + t]).ToArray()).ToArray();
    }

    private static Tensor SummedLoss(nn.Module model, SequenceBatch batch)
    {
        var network = (TaggerNetwork)model;
        return Loss(network, network.call(batch.Inputs, batch.Lengths), batch);
    }

    /// <summary>Loss summed over the batch's sentences.</summary>
    private static Tensor Loss(TaggerNetwork network, Tensor emissions, SequenceBatch batch)
    {
        var targets = batch.RequireTargets();
        if (network.Crf is { } crf)
            return crf.NegativeLogLikelihood(emissions, targets, batch.CreateStepMask());
        return nn.functional.cross_entropy(emissions.reshape(-1, emissions.shape[2]), targets.reshape(-1),
            ignore_index: SequenceDataset.IgnoreIndex, reduction: nn.Reduction.Sum);
    }
}
