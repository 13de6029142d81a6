using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.Recurrent.Seq2Seq;

/// <summary>
/// Attention over a right-padded batch of encoder outputs: weights [batch, source] that sum to 1 over each row's
/// real source steps and are exactly 0 at padded steps.
/// </summary>
/// <remarks>
/// The part of the score that depends only on the encoder outputs (W e_s for "general", W₁ e_s for additive) is
/// computed once per source by <see cref="PrepareKeys"/>, not once per decoder step.
/// </remarks>
internal sealed class Seq2SeqAttention : Module
{
    private readonly Linear? key_projection;
    private readonly Linear? query_projection;
    private readonly Linear? energy;

    public Seq2SeqAttention(AttentionKind kind, long memorySize, long querySize) : base(nameof(Seq2SeqAttention))
    {
        Kind = kind;
        switch (kind)
        {
            case AttentionKind.LuongDot:
                if (memorySize != querySize)
                    throw new ArgumentException($"Dot attention needs equal decoder ({querySize}) and encoder ({memorySize}) widths.", nameof(querySize));
                break;
            case AttentionKind.LuongGeneral:
                key_projection = nn.Linear(memorySize, querySize, hasBias: false);
                break;
            case AttentionKind.BahdanauAdditive:
                key_projection = nn.Linear(memorySize, querySize, hasBias: false);
                query_projection = nn.Linear(querySize, querySize, hasBias: true);
                energy = nn.Linear(querySize, 1, hasBias: false);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown attention kind.");
        }
        RegisterComponents();
    }

    public AttentionKind Kind { get; }

    /// <summary>The per-source part of the score: [batch, source, query] (the memory itself for dot attention).</summary>
    public Tensor PrepareKeys(Tensor memory) => key_projection is null ? memory.alias() : key_projection.call(memory);

    /// <summary>Attention weights [batch, source] of <paramref name="query"/> [batch, query] over valid steps (<paramref name="mask"/> [batch, source], true = real).</summary>
    public Tensor Weights(Tensor query, Tensor keys, Tensor mask)
    {
        using var scope = NewDisposeScope();
        Tensor scores = energy is null
            ? keys.bmm(query.unsqueeze(2)).squeeze(2)
            : energy.call((keys + query_projection!.call(query).unsqueeze(1)).tanh()).squeeze(2);
        // -inf before the softmax makes padded weights exactly 0; every row has at least one real step.
        return scores.masked_fill(mask.logical_not(), double.NegativeInfinity).softmax(1).MoveToOuterDisposeScope();
    }
}
