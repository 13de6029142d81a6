using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.Recurrent.Modules;

/// <summary>
/// A recurrent encoder, a pooling over time (<see cref="SequencePooling"/>: final states by default) and a linear head:
/// [batch, outputSize] logits (1 for binary classification or regression, the class count for multiclass). With wide
/// features (wide and deep, Cheng et al. 2016), a linear map of a per-sequence feature vector is added to the logits:
/// the same as joining that vector to the pooled encoding before the output layer.
/// </summary>
/// <remarks>
/// Input: [batch, time] int64 token ids (with an embedding) or [batch, time, features] float32, right-padded, and
/// [batch] int64 lengths; with wide features also [batch, wideSize] float32. Every pooling reads only the steps within
/// each row's length, so padding never changes a result. The wide map starts at zero, so an untrained wide part
/// changes nothing and training can only move it where the loss falls.
/// </remarks>
internal sealed class SequenceClassifierNetwork : Module<Tensor, Tensor, Tensor>
{
    private readonly RecurrentEncoder encoder;
    private readonly RunDropout? head_dropout;
    private readonly Linear head;
    private readonly Linear? attention_projection;
    private readonly Linear? attention_context;
    private readonly Linear? wide;

    /// <param name="encoderSettings">The encoder's shape.</param>
    /// <param name="outputSize">Logits per sequence, at least 1.</param>
    /// <param name="dropout">Dropout probability on the pooled vector before the head, in [0, 1), training mode only.</param>
    /// <param name="pooling">How the encoder's outputs over time become one vector; default the final states.</param>
    /// <param name="wideSize">Values of the wide feature vector read beside the sequence; 0 (default) for none.</param>
    public SequenceClassifierNetwork(RecurrentEncoderSettings encoderSettings, int outputSize, double dropout = 0, SequencePooling pooling = SequencePooling.Last,
        int wideSize = 0)
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
        ArgumentOutOfRangeException.ThrowIfNegative(wideSize);
        if (wideSize > 0)
        {
            wide = nn.Linear(wideSize, outputSize, hasBias: false);
            using var noGrad = no_grad();
            wide.weight!.zero_();
        }
        WideSize = wideSize;
        OutputSize = outputSize;
        RegisterComponents();
    }

    /// <summary>The recurrent encoder whose final state feeds the head.</summary>
    public RecurrentEncoder Encoder => encoder;

    /// <summary>Logits per sequence.</summary>
    public int OutputSize { get; }

    /// <summary>Values of the wide feature vector; 0 when the network reads none.</summary>
    public int WideSize { get; }

    /// <summary>The wide features' linear map (no bias: the head has one), read by the ONNX exporter; null without wide features.</summary>
    internal Linear? Wide => wide;

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
    /// [0] everything outside the encoder (the head, attention pooling, the wide map), [1] the top recurrent layer (both directions),
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

    /// <summary>
    /// Computes [batch, outputSize] logits for a right-padded batch; see <see cref="RecurrentEncoder.forward"/> for the
    /// inputs. A network with wide features needs <see cref="Score"/>.
    /// </summary>
    public override Tensor forward(Tensor input, Tensor lengths) => Score(input, lengths, null);

    /// <summary>
    /// Computes [batch, outputSize] logits: the head on the pooled encoding plus, for a network with wide features, the
    /// wide map of <paramref name="wideFeatures"/> ([batch, <see cref="WideSize"/>] float32).
    /// </summary>
    /// <exception cref="ArgumentException">The wide features are missing, unexpected or of the wrong width.</exception>
    public Tensor Score(Tensor input, Tensor lengths, Tensor? wideFeatures)
    {
        if ((wide is null) != (wideFeatures is null))
            throw new ArgumentException(wide is null
                ? "This network reads no wide features."
                : $"This network needs its {WideSize} wide features beside the sequence.", nameof(wideFeatures));
        if (wideFeatures is not null && (wideFeatures.dim() != 2 || wideFeatures.shape[1] != WideSize))
            throw new ArgumentException($"The wide features have shape [{string.Join(", ", wideFeatures.shape)}]; expected [batch, {WideSize}].", nameof(wideFeatures));
        using var scope = NewDisposeScope();
        var pooled = Pool(input, lengths);
        var features = head_dropout is null ? pooled : head_dropout.call(pooled);
        var logits = head.call(features);
        if (wide is not null)
            logits = logits + wide.call(wideFeatures!);
        return logits.MoveToOuterDisposeScope();
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
