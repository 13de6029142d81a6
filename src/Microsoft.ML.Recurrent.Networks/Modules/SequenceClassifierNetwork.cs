using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.Recurrent.Modules;

/// <summary>
/// A recurrent encoder followed by a linear head on its final state: [batch, outputSize] logits (1 for binary
/// classification or regression, the class count for multiclass classification).
/// </summary>
internal sealed class SequenceClassifierNetwork : Module<Tensor, Tensor, Tensor>
{
    private readonly RecurrentEncoder encoder;
    private readonly RunDropout? head_dropout;
    private readonly Linear head;

    /// <param name="encoderSettings">The encoder's shape.</param>
    /// <param name="outputSize">Logits per sequence, at least 1.</param>
    /// <param name="dropout">Dropout probability on the final state before the head, in [0, 1), training mode only.</param>
    public SequenceClassifierNetwork(RecurrentEncoderSettings encoderSettings, int outputSize, double dropout = 0)
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
        head = nn.Linear(encoder.OutputSize, outputSize);
        OutputSize = outputSize;
        RegisterComponents();
    }

    /// <summary>The recurrent encoder whose final state feeds the head.</summary>
    public RecurrentEncoder Encoder => encoder;

    /// <summary>Logits per sequence.</summary>
    public int OutputSize { get; }

    /// <summary>The linear head on the final state, read by the ONNX exporter.</summary>
    internal Linear Head => head;

    /// <summary>Computes [batch, outputSize] logits for a right-padded batch; see <see cref="RecurrentEncoder.forward"/> for the inputs.</summary>
    public override Tensor forward(Tensor input, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        // The head reads only the final states: the encoder can skip building the per-step output.
        var final = encoder.EncodeFinal(input, lengths);
        var features = head_dropout is null ? final : head_dropout.call(final);
        return head.call(features).MoveToOuterDisposeScope();
    }
}
