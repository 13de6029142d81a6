using System.Runtime.InteropServices;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Streaming;

/// <summary>
/// Follows one sequence as it arrives, a step (token or frame) at a time, and gives a sequence classifier's or
/// regressor's prediction so far: after the last step it equals what the model predicts for the whole sequence.
/// Created by <see cref="RecurrentSequenceTransformer.CreateStreamingEngine"/>.
/// </summary>
/// <remarks>
/// Each step costs the same whatever came before: the engine keeps every layer's recurrent state (h, and c for an
/// LSTM) of every ensemble member, and a running summary of the top layer's outputs for the model's pooling (the
/// last output; the running maximum; the running sum and count; for attention pooling an online softmax, a running
/// maximum score with rescaled sums). Like a <c>PredictionEngine</c> it is not thread-safe: use one per stream.
/// Dispose it to free its tensors at once.
/// </remarks>
public sealed class SequenceStreamingEngine : IDisposable
{
    private const long UnknownTokenId = 1;

    private readonly RecurrentSequenceTransformer _model;
    private readonly SequenceClassifierNetwork[] _networks;
    private readonly MemberStream[] _members;
    private SequenceStreamingPrediction? _current;
    private bool _disposed;

    internal SequenceStreamingEngine(RecurrentSequenceTransformer model, IReadOnlyList<nn.Module> networks)
    {
        var settings = model.ModelSettings;
        if (settings.Bidirectional)
            throw new InvalidOperationException(
                "This model is bidirectional: its backward direction reads each sequence from the end, so no prediction exists until the " +
                "sequence is complete and it cannot be streamed. Train with Bidirectional = false for streaming, or score whole sequences.");
        if (settings.UsesWideFeatures)
            throw new InvalidOperationException(
                $"This model also reads the wide feature column '{settings.WideFeatureColumnName}', a summary of the whole sequence, so it " +
                "cannot predict from a prefix. Train without WideFeatureColumnName for streaming, or score whole sequences.");
        _model = model;
        _networks = networks.Cast<SequenceClassifierNetwork>().ToArray();
        _members = _networks.Select(n => new MemberStream(n)).ToArray();
    }

    /// <summary>Steps read since the engine was created or reset.</summary>
    public int Steps { get; private set; }

    /// <summary>The prediction after the steps read so far (before any step: the model's prediction for an empty sequence).</summary>
    public SequenceStreamingPrediction Current
    {
        get
        {
            ThrowIfDisposed();
            return _current ??= new SequenceStreamingPrediction(_model.Kind, _model.Predict([], []), 0);
        }
    }

    /// <summary>
    /// Reads the next token of a model trained on token ids. Ids at or above the vocabulary read as the unknown id 1,
    /// as in whole-sequence scoring; the padding id 0 is not a step (a stream has no padding) and changes nothing.
    /// </summary>
    public SequenceStreamingPrediction Step(long tokenId)
    {
        ThrowIfDisposed();
        var settings = _model.ModelSettings;
        if (!settings.UsesTokens)
            throw new InvalidOperationException($"This model reads frames of {settings.FeatureSize} Single values per step, not token ids; call Step with a frame.");
        if (tokenId == 0)
            return Current;
        long id = tokenId > 0 && tokenId < settings.VocabularySize ? tokenId : UnknownTokenId;
        return Advance(() => tensor(new[] { id }, [1, 1]));
    }

    /// <summary>Reads the next frame of a model trained on numeric sequences: exactly <c>FeatureSize</c> finite values.</summary>
    public SequenceStreamingPrediction Step(ReadOnlySpan<float> frame)
    {
        ThrowIfDisposed();
        var settings = _model.ModelSettings;
        if (settings.UsesTokens)
            throw new InvalidOperationException("This model reads token ids, not frames; call Step with a token id.");
        if (frame.Length != settings.FeatureSize)
            throw new ArgumentException($"Step {Steps}: a frame of this model has {settings.FeatureSize} values; got {frame.Length}.", nameof(frame));
        for (int i = 0; i < frame.Length; i++)
        {
            if (!float.IsFinite(frame[i]))
                throw new ArgumentException($"Step {Steps}: value {i} of the frame is {frame[i]}; frames must be finite.", nameof(frame));
        }
        var values = frame.ToArray();
        return Advance(() => tensor(values, [1, 1, settings.FeatureSize]));
    }

    /// <summary>Starts a new sequence: forgets every state and summary.</summary>
    public void Reset()
    {
        ThrowIfDisposed();
        foreach (var member in _members)
            member.Reset();
        Steps = 0;
        _current = null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
            return;
        foreach (var member in _members)
            member.Reset();
        _disposed = true;
    }

    private SequenceStreamingPrediction Advance(Func<Tensor> makeInput)
    {
        var kind = _model.Kind;
        float[] sum = new float[_model.ModelSettings.OutputSize];
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var device = TensorDevices.DeviceOf(_networks[0]);
            var input = makeInput().to(device);
            foreach (var member in _members)
            {
                var logits = member.Step(input);
                var output = kind switch
                {
                    SequencePredictionKind.BinaryClassification => logits.sigmoid(),
                    SequencePredictionKind.MulticlassClassification => logits.softmax(-1),
                    _ => logits,
                };
                var values = MemoryMarshal.Cast<byte, float>(output.to(CPU).contiguous().bytes);
                for (int i = 0; i < sum.Length; i++)
                    sum[i] += values[i];
            }
        }
        // The same arithmetic as the transformer's ensemble average: summed in member order, then divided.
        if (_members.Length > 1)
        {
            for (int i = 0; i < sum.Length; i++)
                sum[i] /= _members.Length;
        }
        Steps++;
        return _current = new SequenceStreamingPrediction(kind, sum, Steps);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>One ensemble member: its layers' states and the running summary its pooling needs.</summary>
    private sealed class MemberStream(SequenceClassifierNetwork network)
    {
        private readonly RecurrentState?[] _states = new RecurrentState?[network.Encoder.Settings.Layers];
        // Last: the last output; Max: the running maximum; Mean: the running sum; Attention: the sum of
        // exp(score - _maxScore) * output, with _weightSum the sum of exp(score - _maxScore).
        private Tensor? _summary;
        private Tensor? _maxScore;
        private Tensor? _weightSum;
        private long _count;

        /// <summary>Reads one step (<paramref name="input"/>: [1, 1] or [1, 1, features]) and returns the logits so far, [1, outputs].</summary>
        public Tensor Step(Tensor input)
        {
            var previous = _states.ToArray();
            var output = network.Encoder.Continue(input, _states).select(1, 0); // [1, hidden]
            for (int layer = 0; layer < _states.Length; layer++)
            {
                _states[layer] = _states[layer]!.Keep();
                previous[layer]?.Dispose();
            }
            _count++;
            var pooled = network.Pooling switch
            {
                SequencePooling.Last => Replace(ref _summary, output),
                SequencePooling.Max => Replace(ref _summary, _summary is null ? output : _summary.maximum(output)),
                SequencePooling.Mean => Replace(ref _summary, _summary is null ? output : _summary + output).div(_count),
                _ => Attend(output),
            };
            return network.Head.call(pooled);
        }

        // Online softmax over the steps' attention scores: the same weighted sum as a softmax over all of them.
        private Tensor Attend(Tensor output)
        {
            var score = network.AttentionContext!.call(network.AttentionProjection!.call(output).tanh()); // [1, 1]
            if (_summary is null)
            {
                Replace(ref _maxScore, score);
                Replace(ref _weightSum, ones_like(score));
                Replace(ref _summary, output);
            }
            else
            {
                var max = _maxScore!.maximum(score);
                var rescale = (_maxScore! - max).exp();
                var weight = (score - max).exp();
                Replace(ref _weightSum, _weightSum! * rescale + weight);
                Replace(ref _summary, _summary * rescale + weight * output);
                Replace(ref _maxScore, max);
            }
            return _summary!.div(_weightSum!);
        }

        /// <summary>Keeps <paramref name="value"/> beyond the step's dispose scope in place of the old kept tensor.</summary>
        private static Tensor Replace(ref Tensor? kept, Tensor value)
        {
            var copy = value.detach().DetachFromDisposeScope();
            kept?.Dispose();
            kept = copy;
            return copy;
        }

        public void Reset()
        {
            for (int layer = 0; layer < _states.Length; layer++)
            {
                _states[layer]?.Dispose();
                _states[layer] = null;
            }
            _summary?.Dispose();
            _maxScore?.Dispose();
            _weightSum?.Dispose();
            (_summary, _maxScore, _weightSum, _count) = (null, null, null, 0);
        }
    }
}
