using Microsoft.ML.Recurrent.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.Recurrent.Seq2Seq;

/// <summary>Decoder state of a batch of hypotheses: hidden state, LSTM cell state (null otherwise), and the vector fed back at the next step.</summary>
internal sealed record DecoderState(Tensor Hidden, Tensor? Cell, Tensor Feed)
{
    /// <summary>The rows <paramref name="rows"/> (int64) of every tensor, e.g. the parents of surviving beam hypotheses.</summary>
    public DecoderState Select(Tensor rows) => new(Hidden.index_select(0, rows), Cell?.index_select(0, rows), Feed.index_select(0, rows));
}

/// <summary>An encoded source batch: outputs [batch, source, width], attention keys, the real-step mask and the initial decoder state.</summary>
internal sealed record EncodedSource(Tensor Memory, Tensor Keys, Tensor Mask, DecoderState Initial)
{
    /// <summary>Repeats a one-row encoding <paramref name="rows"/> times (one per beam hypothesis).</summary>
    public EncodedSource Repeat(long rows) => rows == Memory.shape[0] ? this
        : new(Memory.expand(rows, -1, -1), Keys.expand(rows, -1, -1), Mask.expand(rows, -1), Initial);
}

/// <summary>
/// Encoder-decoder with attention: a (bi)directional recurrent encoder over source ids, and a one-layer recurrent
/// decoder that emits one target id per step, attending over the encoder outputs (see <see cref="AttentionKind"/>).
/// </summary>
/// <remarks>
/// The decoder's hidden size is the encoder's output width (hidden × directions), which dot attention requires and
/// which lets the encoder's final state initialise the decoder through one tanh layer. Luong variants use input
/// feeding (the previous attentional vector joins the next input); Bahdanau feeds the context of the previous state.
/// The decoder steps in C# one position at a time, so teacher forcing can be mixed with the model's own predictions.
/// </remarks>
internal sealed class Seq2SeqNetwork : Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly RecurrentEncoder encoder;
    private readonly Embedding target_embedding;
    private readonly RunDropout? dropout;
    private readonly Linear bridge;
    private readonly LSTMCell? lstm_cell;
    private readonly Module<Tensor, Tensor, Tensor>? cell;
    private readonly Seq2SeqAttention attention;
    private readonly Linear combine;
    private readonly Linear output;

    public Seq2SeqNetwork(Seq2SeqModelSettings settings, double dropoutRate = 0) : base(nameof(Seq2SeqNetwork))
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        encoder = new RecurrentEncoder(new RecurrentEncoderSettings
        {
            CellType = settings.CellType,
            HiddenSize = settings.HiddenSize,
            Layers = settings.Layers,
            Bidirectional = settings.Bidirectional,
            VocabularySize = settings.SourceVocabularySize,
            EmbeddingSize = settings.EmbeddingSize,
            EmbeddingDropout = dropoutRate,
            Dropout = dropoutRate,
        });
        long width = encoder.OutputSize;
        DecoderSize = width;
        target_embedding = nn.Embedding(settings.TargetVocabularySize, settings.EmbeddingSize, padding_idx: 0);
        if (dropoutRate > 0)
            dropout = new RunDropout(dropoutRate);
        bridge = nn.Linear(width, width);
        long cellInput = settings.EmbeddingSize + width;
        switch (settings.CellType)
        {
            case RecurrentCellType.Lstm: lstm_cell = nn.LSTMCell(cellInput, width); break;
            case RecurrentCellType.Gru: cell = nn.GRUCell(cellInput, width); break;
            case RecurrentCellType.RnnTanh: cell = nn.RNNCell(cellInput, width, NonLinearities.Tanh); break;
            case RecurrentCellType.RnnRelu: cell = nn.RNNCell(cellInput, width, NonLinearities.ReLU); break;
            default: throw new ArgumentOutOfRangeException(nameof(settings), settings.CellType, "Unknown recurrent cell type.");
        }
        attention = new Seq2SeqAttention(settings.Attention, width, width);
        combine = nn.Linear(2 * width, width);
        output = nn.Linear(width, settings.TargetVocabularySize);
        RegisterComponents();
    }

    public Seq2SeqModelSettings Settings { get; }

    /// <summary>Width of the decoder state, of the attentional vector and of each encoder output.</summary>
    public long DecoderSize { get; }

    /// <summary>Encodes [batch, source] ids with [batch] lengths.</summary>
    public EncodedSource Encode(Tensor source, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        var encoded = encoder.call(source, lengths);
        var mask = Modules.SequenceMasks.FromLengths(lengths, source.shape[1]);
        var hidden = bridge.call(encoded.Final).tanh();
        var cellState = lstm_cell is null ? null : zeros_like(hidden);
        var state = new DecoderState(hidden, cellState, zeros_like(hidden));
        var result = new EncodedSource(encoded.Sequence, attention.PrepareKeys(encoded.Sequence), mask, state);
        scope.MoveToOuter(result.Memory, result.Keys, result.Mask, hidden, state.Feed);
        if (cellState is not null)
            scope.MoveToOuter(cellState);
        return result;
    }

    /// <summary>
    /// One decoder step for every row: reads the previous ids [batch] and returns logits [batch, target vocabulary],
    /// the attention weights [batch, source] and the next state.
    /// </summary>
    public (Tensor Logits, Tensor Weights, DecoderState State) Step(Tensor previous, DecoderState state, EncodedSource source)
    {
        var embedded = target_embedding.call(previous);
        if (dropout is not null)
            embedded = dropout.call(embedded);
        Tensor weights, context, hidden;
        Tensor? cellState;
        if (attention.Kind == AttentionKind.BahdanauAdditive)
        {
            weights = attention.Weights(state.Hidden, source.Keys, source.Mask);
            context = Context(weights, source.Memory);
            (hidden, cellState) = Advance(cat([embedded, context], 1), state);
        }
        else
        {
            (hidden, cellState) = Advance(cat([embedded, state.Feed], 1), state);
            weights = attention.Weights(hidden, source.Keys, source.Mask);
            context = Context(weights, source.Memory);
        }
        var attentional = combine.call(cat([hidden, context], 1)).tanh();
        var feed = attention.Kind == AttentionKind.BahdanauAdditive ? context : attentional;
        if (dropout is not null)
            attentional = dropout.call(attentional);
        return (output.call(attentional), weights, new DecoderState(hidden, cellState, feed));
    }

    /// <summary>
    /// Logits [batch, steps, target vocabulary] for decoder inputs [batch, steps] (each target without its last id).
    /// With <paramref name="useTruth"/> null every step reads the true previous id (teacher forcing); otherwise it
    /// returns, for step t ≥ 1, a [batch] boolean tensor choosing per row between the true id and the model's own
    /// previous prediction (false), or null for all-true.
    /// </summary>
    public Tensor Decode(Tensor source, Tensor lengths, Tensor decoderInputs, Func<int, long, Tensor?>? useTruth = null)
    {
        using var scope = NewDisposeScope();
        var encoded = Encode(source, lengths);
        var state = encoded.Initial;
        long batch = decoderInputs.shape[0];
        int steps = (int)decoderInputs.shape[1];
        var logits = new Tensor[steps];
        Tensor previous = decoderInputs.select(1, 0);
        for (int t = 0; t < steps; t++)
        {
            if (t > 0)
            {
                var truth = decoderInputs.select(1, t);
                var choice = useTruth?.Invoke(t, batch);
                previous = choice is null ? truth : where(choice, truth, logits[t - 1].detach().argmax(1));
            }
            (logits[t], _, state) = Step(previous, state, encoded);
        }
        return stack(logits, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Teacher-forced logits; see <see cref="Decode"/>.</summary>
    public override Tensor forward(Tensor source, Tensor lengths, Tensor decoderInputs) => Decode(source, lengths, decoderInputs);

    private static Tensor Context(Tensor weights, Tensor memory) => weights.unsqueeze(1).bmm(memory).squeeze(1);

    private (Tensor Hidden, Tensor? Cell) Advance(Tensor input, DecoderState state)
    {
        if (lstm_cell is not null)
        {
            var (h, c) = lstm_cell.call(input, (state.Hidden, state.Cell!));
            return (h, c);
        }
        return (cell!.call(input, state.Hidden), null);
    }
}
