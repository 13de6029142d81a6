using Microsoft.ML.Recurrent.LanguageModeling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.Recurrent.Modules;

/// <summary>
/// One layer in one direction: a single-layer, unidirectional, batch-first LibTorch recurrent module run on a whole
/// dense [batch, time, input] tensor, which lets LibTorch use its fused (oneDNN) kernel. Returns [batch, time, hidden].
/// </summary>
internal sealed class RecurrentDirection : Module<Tensor, Tensor>
{
    private readonly Module rnn;

    public RecurrentDirection(RecurrentCellType cellType, long inputSize, long hiddenSize) : base(nameof(RecurrentDirection))
    {
        CellType = cellType;
        rnn = cellType switch
        {
            RecurrentCellType.Lstm => nn.LSTM(inputSize, hiddenSize, numLayers: 1, batchFirst: true),
            RecurrentCellType.Gru => nn.GRU(inputSize, hiddenSize, numLayers: 1, batchFirst: true),
            RecurrentCellType.RnnTanh => nn.RNN(inputSize, hiddenSize, numLayers: 1, nonLinearity: NonLinearities.Tanh, batchFirst: true),
            RecurrentCellType.RnnRelu => nn.RNN(inputSize, hiddenSize, numLayers: 1, nonLinearity: NonLinearities.ReLU, batchFirst: true),
            _ => throw new ArgumentOutOfRangeException(nameof(cellType), cellType, "Unknown recurrent cell type."),
        };
        RegisterComponents();
        if (cellType == RecurrentCellType.Lstm)
            InitializeForgetGateBias(hiddenSize);
    }

    public RecurrentCellType CellType { get; }

    /// <summary>The wrapped LibTorch module (LSTM, GRU or RNN), for inspection by tests.</summary>
    internal Module Inner => rnn;

    public override Tensor forward(Tensor input)
    {
        switch (rnn)
        {
            case LSTM lstm:
            {
                var (output, hidden, cell) = lstm.call(input, null);
                hidden.Dispose();
                cell.Dispose();
                return output;
            }
            case GRU gru:
            {
                var (output, hidden) = gru.call(input, null);
                hidden.Dispose();
                return output;
            }
            case RNN plain:
            {
                var (output, hidden) = plain.call(input, null);
                hidden.Dispose();
                return output;
            }
            default:
                throw new InvalidOperationException($"Unexpected recurrent module {rnn.GetType().Name}.");
        }
    }

    /// <summary>
    /// Runs <paramref name="input"/> ([batch, time, input]) on from <paramref name="state"/> (null: zeros, as
    /// <see cref="forward"/> starts) and returns the outputs ([batch, time, hidden]) and the state after the last step,
    /// so that a sequence can be read in pieces with the same result as at once.
    /// </summary>
    internal (Tensor Output, RecurrentState State) Continue(Tensor input, RecurrentState? state)
    {
        switch (rnn)
        {
            case LSTM lstm:
            {
                var (output, hidden, cell) = lstm.call(input, state is null ? null : (state.Hidden, state.Cell!));
                return (output, new RecurrentState(hidden, cell));
            }
            case GRU gru:
            {
                var (output, hidden) = gru.call(input, state?.Hidden);
                return (output, new RecurrentState(hidden, null));
            }
            case RNN plain:
            {
                var (output, hidden) = plain.call(input, state?.Hidden);
                return (output, new RecurrentState(hidden, null));
            }
            default:
                throw new InvalidOperationException($"Unexpected recurrent module {rnn.GetType().Name}.");
        }
    }

    /// <summary>
    /// Starts the forget gate open (bias 1, the Jozefowicz et al. 2015 recommendation) so that gradients flow through
    /// the cell state early in training. LibTorch orders the gates i, f, g, o and adds two biases, so the f slice of
    /// bias_ih becomes 1 and that of bias_hh 0, making their sum exactly 1.
    /// </summary>
    private void InitializeForgetGateBias(long hiddenSize)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, parameter) in rnn.named_parameters())
        {
            double? value = name.StartsWith("bias_ih", StringComparison.Ordinal) ? 1.0
                : name.StartsWith("bias_hh", StringComparison.Ordinal) ? 0.0
                : null;
            if (value is null)
                continue;
            using var forgetSlice = parameter.narrow(0, hiddenSize, hiddenSize);
            forgetSlice.fill_(value.Value);
        }
    }
}
