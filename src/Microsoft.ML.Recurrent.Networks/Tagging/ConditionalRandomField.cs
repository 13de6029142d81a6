using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// A linear-chain conditional random field over per-token tag scores (emissions): learned transition scores between
/// consecutive tags plus start and end scores. Training minimizes the negative log-likelihood (forward algorithm);
/// inference takes the best tag path (Viterbi). Both recursions run over time with the whole batch and all tags as
/// tensor operations; padded steps (mask false) leave the running scores unchanged.
/// </summary>
internal sealed class ConditionalRandomField : Module
{
    private readonly Parameter transitions;
    private readonly Parameter start_transitions;
    private readonly Parameter end_transitions;

    public ConditionalRandomField(int tagCount) : base(nameof(ConditionalRandomField))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tagCount, 1);
        TagCount = tagCount;
        // Small random scores, as in common BiLSTM-CRF implementations: zeros would work too, but break no symmetry.
        transitions = new Parameter(empty(tagCount, tagCount).uniform_(-0.1, 0.1));
        start_transitions = new Parameter(empty(tagCount).uniform_(-0.1, 0.1));
        end_transitions = new Parameter(empty(tagCount).uniform_(-0.1, 0.1));
        RegisterComponents();
    }

    public int TagCount { get; }

    /// <summary>[from, to] transition scores.</summary>
    internal Tensor Transitions => transitions;

    internal Tensor StartTransitions => start_transitions;

    internal Tensor EndTransitions => end_transitions;

    /// <summary>log Z per sequence, [batch]: the log-sum-exp of the scores of every tag path (forward algorithm).</summary>
    /// <param name="emissions">[batch, time, tags] scores.</param>
    /// <param name="mask">[batch, time] boolean, true at real steps; every row starts with at least one real step.</param>
    public Tensor LogPartition(Tensor emissions, Tensor mask)
    {
        using var scope = NewDisposeScope();
        long time = emissions.shape[1];
        var alpha = start_transitions + emissions.select(1, 0);
        var step = transitions.unsqueeze(0);
        for (long t = 1; t < time; t++)
        {
            // alpha[b, i] + trans[i, j] + emission[b, t, j], summed out over the previous tag i.
            var next = (alpha.unsqueeze(2) + step + emissions.select(1, t).unsqueeze(1)).logsumexp(1);
            alpha = where(mask.select(1, t).unsqueeze(1), next, alpha);
        }
        return (alpha + end_transitions).logsumexp(1).MoveToOuterDisposeScope();
    }

    /// <summary>Score of the given tag paths, [batch].</summary>
    /// <param name="emissions">[batch, time, tags] scores.</param>
    /// <param name="tags">[batch, time] int64 tags; values at padded steps are ignored (any value, e.g. -100).</param>
    /// <param name="mask">[batch, time] boolean, true at real steps.</param>
    public Tensor PathScore(Tensor emissions, Tensor tags, Tensor mask)
    {
        using var scope = NewDisposeScope();
        long time = emissions.shape[1];
        var safeTags = where(mask, tags, zeros_like(tags));
        var weights = mask.to_type(emissions.dtype);
        var emitted = emissions.gather(2, safeTags.unsqueeze(2)).squeeze(2);
        var score = (emitted * weights).sum(1) + start_transitions.index_select(0, safeTags.select(1, 0));
        if (time > 1)
        {
            var previous = safeTags.narrow(1, 0, time - 1);
            var current = safeTags.narrow(1, 1, time - 1);
            var moved = transitions.view(-1).index_select(0, (previous * TagCount + current).view(-1)).view(previous.shape);
            score = score + (moved * weights.narrow(1, 1, time - 1)).sum(1);
        }
        var last = safeTags.gather(1, (mask.sum(1, type: ScalarType.Int64) - 1).unsqueeze(1)).squeeze(1);
        return (score + end_transitions.index_select(0, last)).MoveToOuterDisposeScope();
    }

    /// <summary>Negative log-likelihood of the gold paths, summed over the batch.</summary>
    public Tensor NegativeLogLikelihood(Tensor emissions, Tensor tags, Tensor mask)
    {
        using var scope = NewDisposeScope();
        return (LogPartition(emissions, mask) - PathScore(emissions, tags, mask)).sum().MoveToOuterDisposeScope();
    }

    /// <summary>The highest-scoring tag path of each sequence (Viterbi), one array of <c>lengths[b]</c> tags per row.</summary>
    /// <param name="emissions">[batch, time, tags] scores.</param>
    /// <param name="lengths">Real steps of each row, each at least 1.</param>
    public int[][] Decode(Tensor emissions, IReadOnlyList<int> lengths)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long batch = emissions.shape[0], time = emissions.shape[1];
        var mask = arange(time, dtype: ScalarType.Int64, device: emissions.device).unsqueeze(0).lt(tensor(lengths.Select(l => (long)l).ToArray(), device: emissions.device).unsqueeze(1));
        var score = start_transitions + emissions.select(1, 0);
        var step = transitions.unsqueeze(0);
        var pointers = new List<Tensor>();
        for (long t = 1; t < time; t++)
        {
            var (best, from) = (score.unsqueeze(2) + step).max(1);
            pointers.Add(from);
            score = where(mask.select(1, t).unsqueeze(1), best + emissions.select(1, t), score);
        }
        var lastTags = (score + end_transitions).argmax(1).cpu().data<long>().ToArray();
        // Backpointers [batch, time-1, tags] in one copy; following them is cheap scalar work.
        long[] back = pointers.Count == 0 ? [] : stack(pointers, 1).cpu().contiguous().data<long>().ToArray();
        var paths = new int[batch][];
        for (int b = 0; b < batch; b++)
        {
            int length = lengths[b];
            var path = new int[length];
            path[length - 1] = (int)lastTags[b];
            for (int t = length - 1; t > 0; t--)
                path[t - 1] = (int)back[((long)b * (time - 1) + (t - 1)) * TagCount + path[t]];
            paths[b] = path;
        }
        return paths;
    }
}
