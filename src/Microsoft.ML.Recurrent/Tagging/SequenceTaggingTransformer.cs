using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;


namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// A trained sequence tagger, produced by <see cref="SequenceTaggingTrainer"/>. Adds one column: a vector of
/// predicted tags (text), exactly as long as the row's token vector, whatever its length.
/// </summary>
/// <remarks>
/// The output column carries the model's tag set as the annotation <see cref="TagSetAnnotation"/> (a vector of text),
/// which <c>SequenceTagging().Evaluate</c> uses to reject reference tags the model cannot produce. Unknown words are
/// read through their spelling and casing; an empty token vector gives an empty tag vector.
/// </remarks>
public sealed partial class SequenceTaggingTransformer : TorchTransformerBase<TaggerModelSettings>, ILoadableTransformer<SequenceTaggingTransformer>
{
    internal const string LoaderSignature = "SequenceTaggerModel";
    internal static readonly ComponentFormat Format = new("RNNTAGMD", LoaderSignature, FormatVersion: 1) { LoaderAssembly = typeof(SequenceTaggingTransformer).Assembly };

    /// <summary>Name of the annotation on the predicted-tags column that lists the model's tag set.</summary>
    public const string TagSetAnnotation = TaggingOutputColumns.TagSetAnnotationName;

    private readonly TokenFeatures.Encoder _encoder;

    internal SequenceTaggingTransformer(IHostEnvironment environment, TaggerModelSettings settings, TorchNetworks network)
        : base(environment, nameof(SequenceTaggingTransformer), Format, settings, network)
    {
        _encoder = new TokenFeatures.Encoder(settings);
    }

    /// <summary>The tag set, vocabularies, network shape and column names.</summary>
    public TaggerModelSettings ModelSettings => Settings;

    /// <summary>The tags the model can predict.</summary>
    public IReadOnlyList<string> Tags => Settings.Tags;

    static SequenceTaggingTransformer ILoadableTransformer<SequenceTaggingTransformer>.Load(IHostEnvironment env, ComponentReader reader)
    {
        var (settings, networks, story) = LoadCore(env, reader, Format, s =>
        {
            s.Validate();
            return new TaggerNetwork(s);
        });
        if (networks.Length != 1)
            throw new InvalidDataException($"The model file is damaged: component '{LoaderSignature}' holds {networks.Length} networks; a tagger has one.");
        return new SequenceTaggingTransformer(env, settings, new(networks[0])) { Story = story };
    }

    private protected override RowMapping CreateMapping(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    /// <summary>Tags a batch of sentences; each result is as long as its sentence (empty sentences give empty results).</summary>
    internal string[][] Predict(IReadOnlyList<string[]> sentences)
    {
        var results = new string[sentences.Count][];
        var nonEmpty = Enumerable.Range(0, sentences.Count).Where(i => sentences[i].Length > 0).ToArray();
        foreach (int i in Enumerable.Range(0, sentences.Count).Except(nonEmpty))
            results[i] = [];
        if (nonEmpty.Length == 0)
            return results;

        var network = (TaggerNetwork)Networks[0];
        int width = _encoder.StepSize;
        int time = nonEmpty.Max(i => sentences[i].Length);
        var lengths = nonEmpty.Select(i => sentences[i].Length).ToArray();
        var steps = new float[nonEmpty.Length * time * width];
        for (int r = 0; r < nonEmpty.Length; r++)
            _encoder.Encode(sentences[nonEmpty[r]], steps.AsSpan(r * time * width, lengths[r] * width));

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = NetworkDevice;
        var input = tensor(steps, [nonEmpty.Length, time, width], device: device);
        var emissions = network.call(input, tensor(lengths.Select(l => (long)l).ToArray(), device: device));
        var paths = TaggingTrainingTask.Decode(network, emissions, lengths);
        for (int r = 0; r < nonEmpty.Length; r++)
            results[nonEmpty[r]] = paths[r].Select(tag => Settings.Tags[tag]).ToArray();
        return results;
    }

    /// <summary>Tags one sentence.</summary>
    internal string[] Predict(string[] tokens) => Predict([tokens])[0];
}
