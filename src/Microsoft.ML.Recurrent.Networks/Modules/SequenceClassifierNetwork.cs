using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.Recurrent.Modules;

/// <summary>
/// A recurrent encoder, a pooling over time (<see cref="SequencePooling"/>: final states by default) and a linear head:
/// [batch, outputSize] logits (1 for binary classification or regression, the class count for multiclass).
/// </summary>
/// <remarks>
/// Input: [batch, time] int64 token ids (with an embedding) or [batch, time, features] float32, right-padded, and
/// [batch] int64 lengths. Every pooling reads only the steps within each row's length, so padding never changes a result.
/// </remarks>
internal sealed class SequenceClassifierNetwork : Module<Tensor, Tensor, Tensor>
{
    private readonly RecurrentEncoder encoder;
    private readonly RunDropout? head_dropout;
    private readonly Linear head;
    private readonly Linear? attention_projection;
    private readonly Linear? attention_context;

    /// <param name="encoderSettings">The encoder's shape.</param>
    /// <param name="outputSize">Logits per sequence, at least 1.</param>
    /// <param name="dropout">Dropout probability on the pooled vector before the head, in [0, 1), training mode only.</param>
    /// <param name="pooling">How the encoder's outputs over time become one vector; default the final states.</param>
    public SequenceClassifierNetwork(RecurrentEncoderSettings encoderSettings, int outputSize, double dropout = 0, SequencePooling pooling = SequencePooling.Last)
        : base(nameof(SequenceClassifierNetwork))
    {
        ArgumentNullException.ThrowIfNull(encoderSettings);
        if (outputSize < 1)
            throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, "The output size must be at least 1.");
        if (!(dropout >= 0 && dropout < 1))
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "The dropout probability must lie in [0, 1).");
        encoder = new RecurrentEncoder(encoderSettings);
        if (dropout > 0)
            head_dropout = new RunDropout(dropout);
        if (!Enum.IsDefined(pooling))
            throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "Unknown pooling.");
        Pooling = pooling;
        if (pooling == SequencePooling.Attention)
        {
            attention_projection = nn.Linear(encoder.OutputSize, encoder.OutputSize);
            attention_context = nn.Linear(encoder.OutputSize, 1, hasBias: false);
        }
        head = nn.Linear(encoder.OutputSize, outputSize);
        OutputSize = outputSize;
        RegisterComponents();
    }

    /// <summary>The recurrent encoder whose final state feeds the head.</summary>
    public RecurrentEncoder Encoder => encoder;

    /// <summary>Logits per sequence.</summary>
    public int OutputSize { get; }

    /// <summary>How the encoder's outputs over time become the head's input.</summary>
    public SequencePooling Pooling { get; }

    /// <summary>Attention pooling's W and b (tanh(W h + b)), read by the ONNX exporter; null for other poolings.</summary>
    internal Linear? AttentionProjection => attention_projection;

    /// <summary>Attention pooling's context vector v (no bias), read by the ONNX exporter; null for other poolings.</summary>
    internal Linear? AttentionContext => attention_context;

    /// <summary>The linear head on the final state, read by the ONNX exporter.</summary>
    internal Linear Head => head;

    /// <summary>
    /// The parameters from the output down to the input, for discriminative fine-tuning and gradual unfreezing (ULMFiT):
    /// [0] everything outside the encoder (the head, attention pooling), [1] the top recurrent layer (both directions),
    /// ..., [Layers] the first recurrent layer, then [Layers + 1] the embedding when the network reads token ids. Frozen
    /// parameters are listed too.
    /// </summary>
    internal IReadOnlyList<IReadOnlyList<Parameter>> ParameterGroupsTopDown()
    {
        string encoderPrefix = nameof(encoder) + ".";
        var groups = new List<IReadOnlyList<Parameter>>
        {
            named_parameters().Where(p => !p.name.StartsWith(encoderPrefix, StringComparison.Ordinal)).Select(p => p.parameter).ToList(),
        };
        for (int layer = encoder.Settings.Layers - 1; layer >= 0; layer--)
            groups.Add(encoder.LayerParameters(layer));
        if (encoder.EmbeddingLayer is { } embedding)
            groups.Add(embedding.parameters().ToList());
        return groups;
    }

    /// <summary>Computes [batch, outputSize] logits for a right-padded batch; see <see cref="RecurrentEncoder.forward"/> for the inputs.</summary>
    public override Tensor forward(Tensor input, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        var pooled = Pool(input, lengths);
        var features = head_dropout is null ? pooled : head_dropout.call(pooled);
        return head.call(features).MoveToOuterDisposeScope();
    }

    /// <summary>[batch, encoder outputs]: the head's input for a right-padded batch.</summary>
    internal Tensor Pool(Tensor input, Tensor lengths)
    {
        // The final states need no per-step output: the encoder can skip building it.
        if (Pooling == SequencePooling.Last)
            return encoder.EncodeFinal(input, lengths);
        var sequence = encoder.call(input, lengths).Sequence; // [batch, time, hidden], zero at padded steps
        var lengthColumn = lengths.to_type(ScalarType.Int64).to(sequence.device).unsqueeze(1);
        var real = SequenceMasks.FromLengths(lengthColumn.squeeze(1), sequence.shape[1]); // [batch, time]
        switch (Pooling)
        {
            case SequencePooling.Mean:
                // Padded steps are zero, so the sum over all steps is the sum over the real ones.
                return sequence.sum(1).div(lengthColumn.to_type(sequence.dtype));
            case SequencePooling.Max:
                return sequence.masked_fill(real.logical_not().unsqueeze(2), float.NegativeInfinity).amax(1);
            default:
                var scores = attention_context!.call(attention_projection!.call(sequence).tanh()).squeeze(2); // [batch, time]
                var weights = scores.masked_fill(real.logical_not(), float.NegativeInfinity).softmax(1);
                return weights.unsqueeze(1).bmm(sequence).squeeze(1);
        }
    }
}
