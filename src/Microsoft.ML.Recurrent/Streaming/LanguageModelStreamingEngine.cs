using System.Runtime.InteropServices;
using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Streaming;

/// <summary>
/// Reads a token stream one token at a time through a language model, keeping its recurrent state: after each token
/// it knows the log-probability of the tokens so far and the distribution of the next one. After the last token,
/// <see cref="CompleteLogProbability"/> equals the model's LogProbability column for the whole row. Created by
/// <see cref="LanguageModelTransformer.CreateStreamingEngine"/>.
/// </summary>
/// <remarks>
/// Each token costs one network step, whatever came before. The stream is read the way the LogProbability column reads
/// a row: it starts after the model's end-of-sequence context token (when it has one), a leading begin token
/// (<c>&lt;s&gt;</c>) of a model trained on rows with begin and end tokens is skipped (that context token stands for
/// it), and padding ids (0) are not tokens. Not thread-safe: use one per stream; dispose it to free its tensors at once.
/// </remarks>
public sealed class LanguageModelStreamingEngine : IDisposable
{
    private readonly LanguageModelTransformer _model;
    private RecurrentState? _state;
    private float[]? _nextLogProbabilities;
    private bool _disposed;

    internal LanguageModelStreamingEngine(LanguageModelTransformer model)
    {
        _model = model;
        Reset();
    }

    /// <summary>Tokens read (scored or taken as context) since the engine was created or reset.</summary>
    public int Tokens { get; private set; }

    /// <summary>Natural-log probability of the tokens read so far, each given the ones before it.</summary>
    public double LogProbability { get; private set; }

    /// <summary>
    /// Natural-log probability of the next token, one value per vocabulary id; null before the first token of a model
    /// without an end-of-sequence context token (nothing to predict from yet).
    /// </summary>
    public IReadOnlyList<float>? NextTokenLogProbabilities => _nextLogProbabilities;

    /// <summary>Reads the next token id and returns its log-probability given the tokens before it (0 when nothing preceded it).</summary>
    public double Step(long tokenId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var settings = _model.ModelSettings;
        if (tokenId < 0 || tokenId >= settings.VocabularySize)
            throw new ArgumentOutOfRangeException(nameof(tokenId), tokenId,
                $"Token {Tokens}: id {tokenId} is outside the model's vocabulary [0, {settings.VocabularySize}).");
        if (tokenId == TokenizeToSequenceTransformer.PaddingId)
            return 0;
        Tokens++;
        // A row's leading <s> is not read at all: the end-of-sequence context token stands for it.
        if (Tokens == 1 && settings.RowsHaveBeginEnd && tokenId == TokenizeToSequenceTransformer.BeginId)
            return 0;
        double logProbability = _nextLogProbabilities is null ? 0 : _nextLogProbabilities[tokenId];
        LogProbability += logProbability;
        Read(tokenId);
        return logProbability;
    }

    /// <summary>Reads the next token written as in the model's vocabulary (a word outside it reads as the unknown id 1).</summary>
    public double Step(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var tokenizer = _model.Tokenizer
            ?? throw new InvalidOperationException("This language model was trained without a tokenizer, so it has no vocabulary; step with token ids.");
        return Step(tokenizer.TryGetId(token, out int id) ? id : TokenizeToSequenceTransformer.UnknownId);
    }

    /// <summary>
    /// <see cref="LogProbability"/> plus, for a model that ends rows with a separator token, that token's
    /// log-probability: the value of the model's LogProbability column for a row holding the tokens read.
    /// </summary>
    public double CompleteLogProbability()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _model.ModelSettings.SeparatorTokenId is int separator && _nextLogProbabilities is not null
            ? LogProbability + _nextLogProbabilities[separator]
            : LogProbability;
    }

    /// <summary>Starts a new stream.</summary>
    public void Reset()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _state?.Dispose();
        (_state, _nextLogProbabilities, Tokens, LogProbability) = (null, null, 0, 0);
        if (_model.ModelSettings.EndOfSequenceId is int end)
            Read(end);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
            return;
        _state?.Dispose();
        _state = null;
        _disposed = true;
    }

    // One network step from the kept state; keeps the new state and the next token's log-probabilities.
    private void Read(long tokenId)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var network = _model.Network;
        var input = tensor(new[] { tokenId }, [1, 1]).to(TensorDevices.DeviceOf(network));
        var (logits, state) = network.Forward(input, _state);
        var kept = state.Keep();
        _state?.Dispose();
        _state = kept;
        var logProbabilities = nn.functional.log_softmax(logits.reshape(-1), 0).to(CPU).contiguous();
        _nextLogProbabilities = MemoryMarshal.Cast<byte, float>(logProbabilities.bytes).ToArray();
    }
}
