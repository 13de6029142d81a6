using Microsoft.ML.Recurrent.Runtime;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Seq2Seq;

/// <summary>
/// Runs <see cref="Seq2SeqNetwork"/> for one encoded source as a <see cref="IDecoderStepper"/>: hypotheses are the
/// rows of one batch, reordered with index_select after each step.
/// </summary>
/// <remarks>The caller provides the dispose scope and no_grad; every tensor made here belongs to that scope.</remarks>
internal sealed class NetworkStepper : IDecoderStepper
{
    private readonly Seq2SeqNetwork _network;
    private readonly EncodedSource _source;
    private DecoderState _state;

    public NetworkStepper(Seq2SeqNetwork network, EncodedSource source)
    {
        _network = network;
        _source = source;
        _state = source.Initial;
    }

    public float[][] Step(IReadOnlyList<int> lastTokens)
    {
        var previous = tensor(lastTokens.Select(t => (long)t).ToArray(), device: TensorDevices.DeviceOf(_network));
        var (logits, _, state) = _network.Step(previous, _state, _source.Repeat(lastTokens.Count));
        _state = state;
        var flat = logits.log_softmax(1).OnCpu().data<float>().ToArray();
        int vocabulary = (int)logits.shape[1];
        var rows = new float[lastTokens.Count][];
        for (int r = 0; r < rows.Length; r++)
            rows[r] = flat.AsSpan(r * vocabulary, vocabulary).ToArray();
        return rows;
    }

    public void Keep(IReadOnlyList<int> parents)
        => _state = _state.Select(tensor(parents.Select(p => (long)p).ToArray(), device: TensorDevices.DeviceOf(_network)));
}
