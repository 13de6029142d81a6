using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Seq2Seq;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;


namespace Microsoft.ML.Recurrent.Seq2Seq;

/// <summary>One decoded target sequence.</summary>
/// <param name="Tokens">Target ids, without the begin and end ids.</param>
/// <param name="Text">The ids decoded with the stored target vocabulary, or null when the model has none.</param>
/// <param name="LogProbability">Natural-log probability of the ids and the end id under the model.</param>
/// <param name="Finished">False when decoding stopped at the maximum length before the end id.</param>
public sealed record Seq2SeqPrediction(int[] Tokens, string? Text, double LogProbability, bool Finished);

/// <summary>
/// A trained encoder-decoder with attention, produced by <see cref="Seq2SeqTrainer"/>. Adds the predicted target
/// ids (vector of Int32, without begin and end ids) and, when the target vocabulary is stored, the decoded text.
/// </summary>
/// <remarks>
/// Each row is decoded on its own with greedy decoding or beam search (<see cref="Seq2SeqModelSettings.BeamWidth"/>).
/// Padding ids (0) around a source are ignored; source ids outside the trained vocabulary are read as unknown (1);
/// an empty source is read as one padding id, so it still gets a prediction.
/// </remarks>
public sealed partial class Seq2SeqTransformer : TorchTransformerBase<Seq2SeqModelSettings>, ILoadableTransformer<Seq2SeqTransformer>
{
    internal const string LoaderSignature = "RecurrentSeq2SeqModel";
    internal static readonly ComponentFormat Format = new("RNNS2SMD", LoaderSignature, FormatVersion: 1) { LoaderAssembly = typeof(Seq2SeqTransformer).Assembly };

    internal Seq2SeqTransformer(IHostEnvironment environment, Seq2SeqModelSettings settings, TorchNetworks network)
        : base(environment, nameof(Seq2SeqTransformer), Format, settings, network)
    {
    }

    /// <summary>The network's shape, the special ids, the decoding settings and the stored vocabulary.</summary>
    public Seq2SeqModelSettings ModelSettings => Settings;

    private Seq2SeqNetwork Network => (Seq2SeqNetwork)Networks[0];

    static Seq2SeqTransformer ILoadableTransformer<Seq2SeqTransformer>.Load(IHostEnvironment env, ComponentReader reader)
    {
        var (settings, networks, story) = LoadCore(env, reader, Format, s => new Seq2SeqNetwork(s));
        return new Seq2SeqTransformer(env, settings, new(networks[0])) { Story = story };
    }

    private protected override RowMapping CreateMapping(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    /// <summary>Decodes one source with the model's own decoding settings.</summary>
    /// <param name="sourceTokens">Source ids, as the source column holds them.</param>
    public Seq2SeqPrediction Predict(IReadOnlyList<int> sourceTokens) => Predict(sourceTokens, Settings.BeamWidth, Settings.LengthPenalty);

    /// <summary>Decodes one source with the given beam width (1 = greedy) and length normalization exponent.</summary>
    /// <param name="sourceTokens">Source ids, as the source column holds them.</param>
    /// <param name="beamWidth">Hypotheses kept; 1 = greedy decoding.</param>
    /// <param name="lengthPenalty">GNMT α: score = log-probability / ((5 + length) / 6)^α; 0 = none.</param>
    public Seq2SeqPrediction Predict(IReadOnlyList<int> sourceTokens, int beamWidth, double lengthPenalty)
    {
        ArgumentNullException.ThrowIfNull(sourceTokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(beamWidth, 1);
        if (!(double.IsFinite(lengthPenalty) && lengthPenalty >= 0))
            throw new ArgumentOutOfRangeException(nameof(lengthPenalty), lengthPenalty, "The length penalty must be finite and at least 0.");
        var network = Network;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var stepper = new NetworkStepper(network, Encode(network, sourceTokens));
        var result = BeamSearch.Decode(stepper, Settings.BeginId, Settings.EndId, beamWidth, Settings.MaximumTargetLength, lengthPenalty);
        return new Seq2SeqPrediction(result.Tokens, DecodeText(result.Tokens), result.LogProbability, result.Finished);
    }

    /// <summary>
    /// The attention weights for one source: a [target steps, source steps] matrix whose row i holds the weights the
    /// decoder used when emitting target id i; the last row is the step that emits the end id. Each row sums to 1.
    /// </summary>
    /// <param name="sourceTokens">Source ids; columns follow them after padding is trimmed and the maximum source length applied.</param>
    /// <param name="targetTokens">Target ids (without begin and end ids) to force; null to use the model's own prediction.</param>
    public float[,] GetAttentionWeights(IReadOnlyList<int> sourceTokens, IReadOnlyList<int>? targetTokens = null)
    {
        ArgumentNullException.ThrowIfNull(sourceTokens);
        targetTokens ??= Predict(sourceTokens).Tokens;
        var network = Network;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var encoded = Encode(network, sourceTokens);
        var state = encoded.Initial;
        long sourceSteps = encoded.Memory.shape[1];
        var result = new float[targetTokens.Count + 1, sourceSteps];
        for (int step = 0; step <= targetTokens.Count; step++)
        {
            int previous = step == 0 ? Settings.BeginId : targetTokens[step - 1];
            if (previous < 0 || previous >= Settings.TargetVocabularySize)
                throw new ArgumentOutOfRangeException(nameof(targetTokens), previous, $"Target id {previous} at position {step - 1} is outside the target vocabulary (0..{Settings.TargetVocabularySize - 1}).");
            (_, var weights, state) = network.Step(tensor(new long[] { previous }, device: NetworkDevice), state, encoded);
            var row = weights.OnCpu().data<float>().ToArray();
            for (int s = 0; s < sourceSteps; s++)
                result[step, s] = row[s];
        }
        return result;
    }

    /// <summary>Joins the stored target vocabulary's tokens for <paramref name="tokens"/>; null when the model has no vocabulary.</summary>
    /// <param name="tokens">Target ids; padding, begin and end ids are skipped, unknown ids give &lt;unk&gt;.</param>
    public string? DecodeText(IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (Settings.TargetVocabulary is not { } vocabulary)
            return null;
        var text = new StringBuilder();
        foreach (int id in tokens)
        {
            if (id == 0 || id == Settings.BeginId || id == Settings.EndId)
                continue;
            if (text.Length > 0)
                text.Append(Settings.TargetTokenSeparator);
            text.Append(id > 1 && id < vocabulary.Length ? vocabulary[id] : "<unk>");
        }
        return text.ToString();
    }

    // [1, steps] source ids: padding trimmed, cut to the maximum length, unknown ids mapped to 1, empty read as [0].
    private EncodedSource Encode(Seq2SeqNetwork network, IReadOnlyList<int> sourceTokens)
    {
        int start = 0, end = sourceTokens.Count;
        while (start < end && sourceTokens[start] == 0)
            start++;
        while (end > start && sourceTokens[end - 1] == 0)
            end--;
        if (Settings.MaximumSourceLength > 0)
            end = Math.Min(end, start + Settings.MaximumSourceLength);
        var ids = new long[Math.Max(end - start, 1)];
        for (int i = start; i < end; i++)
            ids[i - start] = sourceTokens[i] >= 0 && sourceTokens[i] < Settings.SourceVocabularySize ? sourceTokens[i] : 1;
        return network.Encode(tensor(ids, [1, ids.Length], device: NetworkDevice), tensor(new long[] { ids.Length }, device: NetworkDevice));
    }
}
