using Microsoft.ML.Recurrent.LanguageModeling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.Recurrent.Modules;

/// <summary>
/// A stacked, optionally bidirectional recurrent encoder over right-padded batches of variable-length sequences.
/// </summary>
/// <remarks>
/// Every layer and direction is a separate single-layer LibTorch module run on the whole dense batch, which lets LibTorch
/// use its fused kernel; packed sequences would fall back to a per-step loop. Right padding makes the forward direction
/// exact for t &lt; length as is. The backward direction reverses each sequence within its own length (padding stays at
/// the end), runs forwards and reverses the result back, so every output at t &lt; length is independent of the padding
/// and of the padded width.
/// </remarks>
internal sealed class RecurrentEncoder : Module<Tensor, Tensor, RecurrentOutput>
{
    /// <summary>The token id whose embedding row is zero and receives no gradient.</summary>
    public const long PaddingId = 0;

    private readonly Embedding? embedding;
    private readonly RunDropout? embedding_dropout;
    private readonly RunDropout? layer_dropout;
    private readonly ModuleList<RecurrentDirection> forward_layers;
    private readonly ModuleList<RecurrentDirection> backward_layers;

    public RecurrentEncoder(RecurrentEncoderSettings settings) : base(nameof(RecurrentEncoder))
    {
        ArgumentNullException.ThrowIfNull(settings);
        Runtime.TorchRuntime.EnsureInitialized();
        Settings = settings;
        long inputSize = Validate(settings, out long vocabularySize);
        if (settings.UsesEmbedding)
        {
            embedding = CreateEmbedding(settings, vocabularySize, inputSize);
            if (settings.EmbeddingDropout > 0)
                embedding_dropout = new RunDropout(settings.EmbeddingDropout);
        }
        VocabularySize = vocabularySize;
        InputSize = inputSize;
        if (settings.Dropout > 0 && settings.Layers > 1)
            layer_dropout = new RunDropout(settings.Dropout);

        forward_layers = new ModuleList<RecurrentDirection>();
        backward_layers = new ModuleList<RecurrentDirection>();
        long layerInput = inputSize;
        for (int layer = 0; layer < settings.Layers; layer++)
        {
            forward_layers.Add(new RecurrentDirection(settings.CellType, layerInput, settings.HiddenSize));
            if (settings.Bidirectional)
                backward_layers.Add(new RecurrentDirection(settings.CellType, layerInput, settings.HiddenSize));
            layerInput = (long)settings.HiddenSize * DirectionCount;
        }
        RegisterComponents();
    }

    public RecurrentEncoderSettings Settings { get; }

    /// <summary>1, or 2 when bidirectional.</summary>
    public int DirectionCount => Settings.Bidirectional ? 2 : 1;

    /// <summary>Features per step of <see cref="RecurrentOutput.Sequence"/> and of <see cref="RecurrentOutput.Final"/>: hidden size × directions.</summary>
    public long OutputSize => (long)Settings.HiddenSize * DirectionCount;

    /// <summary>Features per step fed to the first layer: the embedding width, or the float input width.</summary>
    public long InputSize { get; }

    /// <summary>Number of token ids accepted, or 0 for float input.</summary>
    public long VocabularySize { get; }

    /// <summary>The embedding, or null for float input.</summary>
    internal Embedding? EmbeddingLayer => embedding;

    /// <summary>The forward-direction module of a layer.</summary>
    internal RecurrentDirection ForwardLayer(int layer) => forward_layers[layer];

    /// <summary>The backward-direction module of a layer; only for bidirectional encoders.</summary>
    internal RecurrentDirection BackwardLayer(int layer) => backward_layers[layer];

    /// <summary>The parameters of 0-based <paramref name="layer"/>: its forward direction's, then its backward direction's when bidirectional.</summary>
    internal IReadOnlyList<Parameter> LayerParameters(int layer)
    {
        var result = forward_layers[layer].parameters().ToList();
        if (Settings.Bidirectional)
            result.AddRange(backward_layers[layer].parameters());
        return result;
    }

    /// <summary>Encodes a right-padded batch.</summary>
    /// <param name="input">[batch, time] int64 token ids with an embedding, or [batch, time, features] float32 without.</param>
    /// <param name="lengths">[batch] int64 true lengths, each in 1..time.</param>
    public override RecurrentOutput forward(Tensor input, Tensor lengths)
    {
        var (sequence, final) = Encode(input, lengths, wantSequence: true);
        return new RecurrentOutput(sequence!, final);
    }

    /// <summary>
    /// Only <see cref="RecurrentOutput.Final"/> of <see cref="forward"/>, with the same values, for heads that read
    /// nothing else: it skips reordering the top backward layer's output, the concatenation and the padding mask,
    /// which also saves their backward passes in training.
    /// </summary>
    public Tensor EncodeFinal(Tensor input, Tensor lengths) => Encode(input, lengths, wantSequence: false).Final;

    /// <summary>
    /// Reads the next step(s) of one stream: <paramref name="input"/> is [1, steps] token ids or [1, steps, features],
    /// <paramref name="states"/> holds each layer's state after the steps read so far (null entries: none yet) and is
    /// replaced by the states after these steps (the caller owns and disposes them). Returns the top layer's outputs,
    /// [1, steps, hidden]: the same as <see cref="forward"/> gives for those steps of the whole sequence (evaluation
    /// mode: no dropout). A unidirectional encoder only: a backward direction needs the end of the sequence first.
    /// </summary>
    internal Tensor Continue(Tensor input, RecurrentState?[] states)
    {
        if (Settings.Bidirectional)
            throw new InvalidOperationException("A bidirectional encoder cannot be read step by step: its backward direction starts from the end of the sequence.");
        if (states.Length != Settings.Layers)
            throw new ArgumentException($"Expected one state per layer ({Settings.Layers}); got {states.Length}.", nameof(states));
        ValidateInput(input);
        var x = embedding is null ? input : embedding.call(input);
        for (int layer = 0; layer < Settings.Layers; layer++)
        {
            var (output, state) = forward_layers[layer].Continue(x, states[layer]);
            states[layer] = state;
            x = output;
        }
        return x;
    }

    private (Tensor? Sequence, Tensor Final) Encode(Tensor input, Tensor lengths, bool wantSequence)
    {
        ValidateInput(input);
        long batch = input.shape[0], time = input.shape[1];
        long shortest = SequenceMasks.Validate(lengths, batch, time, nameof(lengths));
        // Every row spans the padded width (always so for a single sequence): reversing within the length is a plain
        // flip and there is no padding to mask, which saves several small operations per call.
        bool full = shortest == time;

        using var scope = NewDisposeScope();
        var deviceLengths = lengths.dtype == ScalarType.Int64 && lengths.device == input.device
            ? lengths : lengths.to_type(ScalarType.Int64).to(input.device);
        var x = embedding is null ? input : embedding.call(input);
        if (embedding_dropout is not null)
            x = embedding_dropout.call(x);
        var reverseIndex = Settings.Bidirectional && !full ? SequenceMasks.ReverseIndex(deviceLengths, time) : null;

        Tensor forwardTop = x, backwardReversed = x;
        for (int layer = 0; layer < Settings.Layers; layer++)
        {
            if (layer > 0 && layer_dropout is not null)
                x = layer_dropout.call(x);
            forwardTop = forward_layers[layer].call(x);
            if (!Settings.Bidirectional)
            {
                x = forwardTop;
                continue;
            }
            // backwardReversed holds the backward direction's outputs in its own (reversed-within-length) order.
            backwardReversed = backward_layers[layer].call(Reverse(x, reverseIndex));
            if (layer == Settings.Layers - 1 && !wantSequence)
                break;
            x = cat([forwardTop, Reverse(backwardReversed, reverseIndex)], 2);
        }

        // The backward direction's state after reading back to step 0 is its reversed output at length − 1.
        var final = LastValid(forwardTop, deviceLengths, full);
        if (Settings.Bidirectional)
            final = cat([final, LastValid(backwardReversed, deviceLengths, full)], 1);
        Tensor? sequence = null;
        if (wantSequence)
        {
            sequence = full ? x : x.masked_fill(SequenceMasks.FromLengths(deviceLengths, time).unsqueeze(2).logical_not(), 0.0);
            sequence.MoveToOuterDisposeScope();
        }
        return (sequence, final.MoveToOuterDisposeScope());
    }

    private static Tensor Reverse(Tensor sequence, Tensor? reverseIndex)
        => reverseIndex is null ? sequence.flip(1) : SequenceMasks.GatherTime(sequence, reverseIndex);

    private static Tensor LastValid(Tensor sequence, Tensor lengths, bool full)
        => full ? sequence.select(1, sequence.shape[1] - 1) : SequenceMasks.LastValid(sequence, lengths);

    private void ValidateInput(Tensor input)
    {
        if (embedding is not null)
        {
            if (input.dim() != 2)
                throw new ArgumentException(
                    $"Token input must be [batch, time]; got shape [{string.Join(", ", input.shape)}].", nameof(input));
            if (input.dtype is not (ScalarType.Int64 or ScalarType.Int32))
                throw new ArgumentException($"Token ids must be int64; got {input.dtype}.", nameof(input));
            if (input.shape[1] == 0)
                throw new ArgumentException("The batch has no time steps.", nameof(input));
            if (input.numel() == 0)
                return;
            var (min, max) = SequenceMasks.Range(input);
            if (min < 0 || max >= VocabularySize)
                throw new ArgumentException(
                    $"Token ids must lie in 0..{VocabularySize - 1}; got ids from {min} to {max}.", nameof(input));
            return;
        }
        if (input.dim() != 3)
            throw new ArgumentException(
                $"Feature input must be [batch, time, features]; got shape [{string.Join(", ", input.shape)}].", nameof(input));
        if (input.dtype != ScalarType.Float32)
            throw new ArgumentException($"Feature input must be float32; got {input.dtype}.", nameof(input));
        if (input.shape[1] == 0)
            throw new ArgumentException("The batch has no time steps.", nameof(input));
        if (input.shape[2] != InputSize)
            throw new ArgumentException(
                $"Feature input must have {InputSize} features per step; got {input.shape[2]}.", nameof(input));
    }

    private static long Validate(RecurrentEncoderSettings settings, out long vocabularySize)
    {
        if (!Enum.IsDefined(settings.CellType))
            throw new ArgumentOutOfRangeException(nameof(settings.CellType), settings.CellType, "Unknown recurrent cell type.");
        if (settings.HiddenSize < 1)
            throw new ArgumentOutOfRangeException(nameof(settings.HiddenSize), settings.HiddenSize, "The hidden size must be at least 1.");
        if (settings.Layers < 1)
            throw new ArgumentOutOfRangeException(nameof(settings.Layers), settings.Layers, "There must be at least one layer.");
        if (!(settings.Dropout >= 0 && settings.Dropout < 1))
            throw new ArgumentOutOfRangeException(nameof(settings.Dropout), settings.Dropout, "The dropout probability must lie in [0, 1).");
        if (!(settings.EmbeddingDropout >= 0 && settings.EmbeddingDropout < 1))
            throw new ArgumentOutOfRangeException(nameof(settings.EmbeddingDropout), settings.EmbeddingDropout, "The embedding dropout probability must lie in [0, 1).");

        if (!settings.UsesEmbedding)
        {
            vocabularySize = 0;
            if (settings.InputSize < 1)
                throw new ArgumentOutOfRangeException(nameof(settings.InputSize), settings.InputSize,
                    "Without an embedding (vocabulary size 0 and no embedding matrix) the input feature size must be at least 1.");
            return settings.InputSize;
        }

        var matrix = settings.EmbeddingMatrix;
        vocabularySize = matrix?.GetLength(0) ?? settings.VocabularySize;
        if (settings.VocabularySize != 0 && settings.VocabularySize != vocabularySize)
            throw new ArgumentOutOfRangeException(nameof(settings.VocabularySize), settings.VocabularySize,
                $"The vocabulary size differs from the {vocabularySize} rows of the embedding matrix.");
        if (vocabularySize < 2)
            throw new ArgumentOutOfRangeException(nameof(settings.VocabularySize), vocabularySize,
                "The vocabulary must hold at least 2 ids: the padding id 0 and one token.");
        long embeddingSize = matrix?.GetLength(1) ?? settings.EmbeddingSize ?? RecurrentEncoderSettings.DefaultEmbeddingSize;
        if (matrix is not null && settings.EmbeddingSize is int declared && declared != embeddingSize)
            throw new ArgumentOutOfRangeException(nameof(settings.EmbeddingSize), declared,
                $"The embedding size differs from the {embeddingSize} columns of the embedding matrix.");
        if (embeddingSize < 1)
            throw new ArgumentOutOfRangeException(nameof(settings.EmbeddingSize), embeddingSize, "The embedding size must be at least 1.");
        return embeddingSize;
    }

    private static Embedding CreateEmbedding(RecurrentEncoderSettings settings, long vocabularySize, long embeddingSize)
    {
        Embedding result;
        if (settings.EmbeddingMatrix is { } matrix)
        {
            using var weights = tensor(matrix);
            result = nn.Embedding_from_pretrained(weights, freeze: settings.FreezeEmbeddings, padding_idx: PaddingId);
        }
        else
        {
            result = nn.Embedding(vocabularySize, embeddingSize, padding_idx: PaddingId);
            if (settings.FreezeEmbeddings)
                result.weight!.requires_grad = false;
        }
        // A pre-trained matrix may carry a vector for the padding row; padding must contribute nothing.
        using (torch.no_grad())
        using (var paddingRow = result.weight!.select(0, PaddingId))
            paddingRow.zero_();
        return result;
    }
}
