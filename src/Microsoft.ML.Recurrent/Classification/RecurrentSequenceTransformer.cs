using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;


namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// A trained recurrent sequence classifier or regressor (one network, or the average of a seed ensemble).
/// Produced by <see cref="RecurrentSequenceTrainer"/>; adds the standard columns of its task so that ML.NET's
/// evaluators, <c>CrossValidate</c> and <c>PredictionEngine</c> work unchanged.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Binary classification</term><description>Score (Single, logit of the averaged probability), Probability (Single), PredictedLabel (Boolean, Probability &gt; 0.5).</description></item>
/// <item><term>Multiclass classification</term><description>Score (vector of Single: class probabilities), PredictedLabel (key, with the label's value names).</description></item>
/// <item><term>Regression</term><description>Score (Single).</description></item>
/// </list>
/// Padding ids (0) before and after a token sequence are ignored, so padded and unpadded inputs get the same
/// prediction. Token ids at or above the trained vocabulary size are read as the unknown id 1; an empty sequence is
/// read as one padding token, so it gets a prediction instead of an error.
/// </remarks>
public sealed partial class RecurrentSequenceTransformer : TorchTransformerBase<SequenceModelSettings>, ILoadableTransformer<RecurrentSequenceTransformer>
{
    internal const string LoaderSignature = "RecurrentSequenceModel";
    internal static readonly ComponentFormat Format = new("RNNSEQMD", LoaderSignature, FormatVersion: 1) { LoaderAssembly = typeof(RecurrentSequenceTransformer).Assembly };
    internal const int UnknownTokenId = 1;

    internal RecurrentSequenceTransformer(IHostEnvironment environment, SequenceModelSettings settings, TorchNetworks networks)
        : base(environment, nameof(RecurrentSequenceTransformer), Format, settings, networks)
    {
    }

    /// <summary>What the model predicts.</summary>
    public SequencePredictionKind Kind => Settings.Kind;

    /// <summary>The network's shape and the columns it reads and writes.</summary>
    public SequenceModelSettings ModelSettings => Settings;

    /// <summary>Number of networks whose predictions are averaged (1 unless trained as a seed ensemble).</summary>
    public int EnsembleSize => Networks.Count;

    static RecurrentSequenceTransformer ILoadableTransformer<RecurrentSequenceTransformer>.Load(IHostEnvironment env, ComponentReader reader)
    {
        var loaded = LoadCore(env, reader, Format, s => s.BuildNetwork());
        return new RecurrentSequenceTransformer(env, loaded.Settings, new(loaded.Networks)) { Story = loaded.Story };
    }

    private protected override RowMapping CreateMapping(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    /// <summary>
    /// Scores one sequence: token ids, or <c>steps * FeatureSize</c> floats, with its wide features when the model has
    /// them. Returns the ensemble-averaged output: [probability] for binary classification, class probabilities for
    /// multiclass, [value] for regression.
    /// </summary>
    internal float[] Predict(ReadOnlySpan<long> tokens, ReadOnlySpan<float> features, WideFeatures wide = default)
    {
        var settings = Settings;
        long steps = Math.Max(settings.UsesTokens ? tokens.Length : features.Length / settings.FeatureSize, 1);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        {
            // The input is written straight into the new tensors' memory: no intermediate arrays per row.
            Tensor input;
            if (settings.UsesTokens)
            {
                input = empty([1, steps], ScalarType.Int64);
                var ids = MemoryMarshal.Cast<byte, long>(input.bytes);
                ids[0] = 0; // an empty sequence is read as one padding token
                for (int i = 0; i < tokens.Length; i++)
                    ids[i] = tokens[i] >= 0 && tokens[i] < settings.VocabularySize ? tokens[i] : UnknownTokenId;
            }
            else
            {
                input = zeros([1, steps, settings.FeatureSize], ScalarType.Float32);
                features.CopyTo(MemoryMarshal.Cast<byte, float>(input.bytes));
            }
            var lengths = empty([1], ScalarType.Int64);
            MemoryMarshal.Cast<byte, long>(lengths.bytes)[0] = steps;
            Tensor? wideFeatures = null;
            if (settings.UsesWideFeatures)
            {
                wideFeatures = zeros([1, settings.WideFeatureSize], ScalarType.Float32);
                wide.CopyTo(MemoryMarshal.Cast<byte, float>(wideFeatures.bytes));
            }
            return MemoryMarshal.Cast<byte, float>(EnsembleOutput(input, lengths, wideFeatures).contiguous().bytes).ToArray();
        }
    }

    /// <summary>
    /// The ensemble-averaged output for a right-padded batch (with its [batch, wide] features when the model has them), [batch, outputs]: sigmoid, softmax or the value per
    /// network, summed in ensemble order and divided by the ensemble size (the ONNX export repeats this arithmetic).
    /// Call inside a dispose scope and <c>no_grad</c>.
    /// </summary>
    private Tensor EnsembleOutput(Tensor input, Tensor lengths, Tensor? wideFeatures)
    {
        var networks = Networks;
        var device = NetworkDevice;
        input = input.MoveTo(device);
        lengths = lengths.MoveTo(device);
        wideFeatures = wideFeatures?.MoveTo(device);
        Tensor? sum = null;
        foreach (var network in networks)
        {
            var logits = ((Modules.SequenceClassifierNetwork)network).Score(input, lengths, wideFeatures);
            var output = Settings.Kind switch
            {
                SequencePredictionKind.BinaryClassification => logits.sigmoid(),
                SequencePredictionKind.MulticlassClassification => logits.softmax(-1),
                _ => logits,
            };
            sum = sum is null ? output : sum + output;
        }
        return (networks.Count > 1 ? sum! / networks.Count : sum!).MoveTo(CPU);
    }
}
