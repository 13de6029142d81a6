using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.Recurrent.Benchmarks.Macro;

/// <summary>
/// What a developer would write by hand in TorchSharp for the same BiLSTM classifier (embedding 100, one
/// bidirectional LSTM layer of 128 per direction, linear head on the two final states), as the baselines of the
/// training-throughput comparison.
/// </summary>
internal abstract class HandWrittenClassifier : Module<Tensor, Tensor, Tensor>
{
    protected readonly Embedding embedding;
    protected readonly LSTM lstm;
    protected readonly Linear head;

    protected HandWrittenClassifier(string name, long vocabulary, long embeddingSize, long hiddenSize) : base(name)
    {
        embedding = nn.Embedding(vocabulary, embeddingSize, padding_idx: 0);
        lstm = nn.LSTM(embeddingSize, hiddenSize, numLayers: 1, batchFirst: true, bidirectional: true);
        head = nn.Linear(2 * hiddenSize, 1);
        HiddenSize = hiddenSize;
    }

    protected long HiddenSize { get; }
}

/// <summary>
/// The dense ceiling: LibTorch's own bidirectional LSTM over the right-padded batch, forward state read at each
/// row's last real step, backward state at step 0. Its backward direction starts on the padding, so it is not
/// exactly the same function as the library's (which reverses within each length), but it does the same
/// recurrent work with the fewest extra operations: the fastest a dense loop can be.
/// </summary>
internal sealed class DenseBiLstmClassifier : HandWrittenClassifier
{
    public DenseBiLstmClassifier(long vocabulary, long embeddingSize, long hiddenSize)
        : base(nameof(DenseBiLstmClassifier), vocabulary, embeddingSize, hiddenSize) => RegisterComponents();

    public override Tensor forward(Tensor tokens, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        var (output, h, c) = lstm.call(embedding.call(tokens), null);
        long batch = tokens.shape[0];
        var last = (lengths - 1).view(batch, 1, 1).expand(batch, 1, 2 * HiddenSize);
        var forwardFinal = output.gather(1, last).squeeze(1).narrow(1, 0, HiddenSize);
        var backwardFinal = output.select(1, 0).narrow(1, HiddenSize, HiddenSize);
        return head.call(cat([forwardFinal, backwardFinal], 1)).reshape(-1).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The textbook variable-length recipe: pack_padded_sequence (rows sorted longest first, as the length-bucketed
/// batches are) and the final hidden states of both directions.
/// </summary>
internal sealed class PackedBiLstmClassifier : HandWrittenClassifier
{
    public PackedBiLstmClassifier(long vocabulary, long embeddingSize, long hiddenSize)
        : base(nameof(PackedBiLstmClassifier), vocabulary, embeddingSize, hiddenSize) => RegisterComponents();

    public override Tensor forward(Tensor tokens, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        var packed = nn.utils.rnn.pack_padded_sequence(embedding.call(tokens), lengths, batch_first: true, enforce_sorted: true);
        var (output, h, c) = lstm.call(packed, null);
        output.Dispose();
        packed.Dispose();
        return head.call(cat([h[0], h[1]], 1)).reshape(-1).MoveToOuterDisposeScope();
    }
}
