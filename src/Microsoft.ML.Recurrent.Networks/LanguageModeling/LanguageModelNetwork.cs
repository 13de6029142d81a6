using Microsoft.ML.Recurrent.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.Recurrent.LanguageModeling;

/// <summary>
/// The recurrent state a language model carries from one window of the token stream to the next: the hidden state
/// [layers, batch, hidden] and, for LSTMs, the cell state. The holder owns its tensors.
/// </summary>
internal sealed class RecurrentState(Tensor hidden, Tensor? cell) : IDisposable
{
    public Tensor Hidden { get; } = hidden;

    public Tensor? Cell { get; } = cell;

    /// <summary>
    /// A copy cut from the autograd graph (truncated BPTT: gradients stop at the window boundary) and detached from
    /// every dispose scope, so that it survives the scope of the batch that computed it.
    /// </summary>
    public RecurrentState Keep() => new(
        Hidden.detach().DetachFromDisposeScope(),
        Cell?.detach().DetachFromDisposeScope());

    public void Dispose()
    {
        Hidden.Dispose();
        Cell?.Dispose();
    }
}

/// <summary>
/// Embedding → dropout → stacked LSTM/GRU/RNN (LibTorch's fused multi-layer module, dropout between layers) →
/// dropout → linear projection to the vocabulary, batch-first. With weight tying the projection reuses the embedding
/// matrix (Press and Wolf 2017), so embedding size and hidden size must be equal.
/// </summary>
internal sealed class LanguageModelNetwork : Module
{
    private readonly Embedding embedding;
    private readonly RunDropout? dropout;
    private readonly Module rnn;
    private readonly Linear? decoder;
    private readonly Parameter? decoder_bias;

    /// <param name="settings">The shape, already validated (<c>LanguageModelSettings.NetworkShape</c>).</param>
    /// <param name="dropoutProbability">Dropout on embeddings, between layers and before the projection, training mode only.</param>
    /// <param name="initRange">See <see cref="Initialize"/>.</param>
    public LanguageModelNetwork(LanguageModelShape settings, double dropoutProbability = 0, double initRange = 0)
        : base(nameof(LanguageModelNetwork))
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        embedding = nn.Embedding(settings.VocabularySize, settings.EmbeddingSize);
        if (dropoutProbability > 0)
            dropout = new RunDropout(dropoutProbability);
        double between = settings.Layers > 1 ? dropoutProbability : 0;
        rnn = settings.CellType switch
        {
            RecurrentCellType.Lstm => nn.LSTM(settings.EmbeddingSize, settings.HiddenSize, settings.Layers, batchFirst: true, dropout: between),
            RecurrentCellType.Gru => nn.GRU(settings.EmbeddingSize, settings.HiddenSize, settings.Layers, batchFirst: true, dropout: between),
            RecurrentCellType.RnnTanh => nn.RNN(settings.EmbeddingSize, settings.HiddenSize, settings.Layers, NonLinearities.Tanh, batchFirst: true, dropout: between),
            _ => nn.RNN(settings.EmbeddingSize, settings.HiddenSize, settings.Layers, NonLinearities.ReLU, batchFirst: true, dropout: between),
        };
        // Tying shares one tensor rather than registering it twice, so the optimizer sees each weight once.
        if (settings.TieWeights)
            decoder_bias = new Parameter(zeros(settings.VocabularySize));
        else
            decoder = nn.Linear(settings.HiddenSize, settings.VocabularySize);
        RegisterComponents();
        Initialize(initRange);
    }

    /// <summary>The network's shape; named like the settings it was built from, which the ONNX lowering reads.</summary>
    public LanguageModelShape Settings { get; }

    /// <summary>
    /// Runs [batch, time] token ids from <paramref name="state"/> (null = zeros) and returns [batch, time, vocabulary]
    /// logits with the state after the last step. Both results belong to the caller's dispose scope.
    /// </summary>
    public (Tensor Logits, RecurrentState State) Forward(Tensor input, RecurrentState? state)
    {
        var x = embedding.call(input);
        if (dropout is not null)
            x = dropout.call(x);
        Tensor output;
        RecurrentState next;
        switch (rnn)
        {
            case LSTM lstm:
            {
                var (o, h, c) = lstm.call(x, state is null ? null : (state.Hidden, state.Cell!));
                output = o;
                next = new RecurrentState(h, c);
                break;
            }
            case GRU gru:
            {
                var (o, h) = gru.call(x, state?.Hidden);
                output = o;
                next = new RecurrentState(h, null);
                break;
            }
            default:
            {
                var (o, h) = ((RNN)rnn).call(x, state?.Hidden);
                output = o;
                next = new RecurrentState(h, null);
                break;
            }
        }
        if (dropout is not null)
            output = dropout.call(output);
        var logits = decoder is not null ? decoder.call(output) : nn.functional.linear(output, embedding.weight!, decoder_bias);
        return (logits, next);
    }

    /// <summary>
    /// With a range r &gt; 0 every weight and bias is drawn from U(-r, r) (Zaremba et al. 2014). Otherwise the
    /// embedding (and untied projection) are drawn from U(-0.1, 0.1) with a zero output bias, as in PyTorch's
    /// word_language_model, and the recurrent layers keep LibTorch's defaults; the default N(0, 1) embedding would
    /// make a tied projection's first logits huge.
    /// </summary>
    private void Initialize(double initRange)
    {
        using var noGrad = no_grad();
        if (initRange > 0)
        {
            foreach (var parameter in parameters())
                parameter.uniform_(-initRange, initRange);
            return;
        }
        embedding.weight!.uniform_(-0.1, 0.1);
        if (decoder is not null)
        {
            decoder.weight!.uniform_(-0.1, 0.1);
            decoder.bias!.zero_();
        }
    }
}
