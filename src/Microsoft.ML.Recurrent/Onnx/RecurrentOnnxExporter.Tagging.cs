using System.Text.Json;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Tagging;
using DataType = global::Onnx.TensorProto.Types.DataType;

namespace Microsoft.ML.Recurrent.Onnx;

public static partial class RecurrentOnnxExporter
{
    /// <summary>Metadata value of <c>recurrent.kind</c> in an exported sequence tagger.</summary>
    internal const string TaggingKind = "SequenceTagging";

    /// <summary>
    /// Writes a trained sequence tagger to <paramref name="destination"/> as an ONNX model (opset 17) that scores
    /// without TorchSharp, CRF decoding included.
    /// </summary>
    /// <remarks>
    /// <para>Input, <see cref="SequenceTaggingOnnxExportOptions.FeaturesInputName"/>: [batch, time, 2 + MaxWordCharacters]
    /// Int32, per token the word id, the casing class and the character ids, right-padded with zero steps. Write it with
    /// <see cref="SequenceTaggingOnnxFeatures.Encode"/> (the word normalization, casing classes and character lookup
    /// have no ONNX operators). A row's length is the position of its last step with a non-zero word id, plus one;
    /// ids outside their vocabulary are read as unknown (1).</para>
    /// <para>Outputs: <see cref="SequenceTaggingOnnxExportOptions.ScoresOutputName"/>, [batch, time, tags] float, the
    /// network's per-token tag scores (the CRF's emissions, or the logits whose per-token argmax is the tag without a
    /// CRF), 0 past each row's length; and <see cref="SequenceTaggingOnnxExportOptions.TagsOutputName"/>, [batch, time]
    /// Int64, the predicted tag indices into <see cref="SequenceTaggingTransformer.Tags"/> (the Viterbi path with a
    /// CRF, computed inside the graph), −1 past each row's length. They are the tags the TorchSharp transformer
    /// predicts; <see cref="SequenceTaggingOnnxFeatures.Decode"/> turns them into tag names.</para>
    /// <para>Metadata: <c>recurrent.kind</c> = SequenceTagging, <c>recurrent.settings</c> = the JSON of
    /// <see cref="TaggerModelSettings"/> (vocabularies and tag set, read back by <see cref="SequenceTaggingOnnxFeatures.FromMetadata"/>).</para>
    /// </remarks>
    /// <param name="model">The trained tagger; not modified.</param>
    /// <param name="destination">A writable stream; left open.</param>
    /// <param name="options">Input and output names, time dimension. Default: <see cref="SequenceTaggingOnnxExportOptions"/>'s defaults.</param>
    public static void Export(SequenceTaggingTransformer model, Stream destination, SequenceTaggingOnnxExportOptions? options = null)
        => Write(model, destination, () => BuildModel(model, options ?? new SequenceTaggingOnnxExportOptions()));

    /// <summary>Writes a trained sequence tagger to the file <paramref name="path"/> (replaced if it exists).</summary>
    /// <param name="model">The trained tagger; not modified.</param>
    /// <param name="path">The .onnx file to write.</param>
    /// <param name="options">See <see cref="Export(SequenceTaggingTransformer, Stream, SequenceTaggingOnnxExportOptions?)"/>.</param>
    public static void Export(SequenceTaggingTransformer model, string path, SequenceTaggingOnnxExportOptions? options = null)
        => Write(model, path, () => BuildModel(model, options ?? new SequenceTaggingOnnxExportOptions()));

    /// <summary>
    /// Finds the one <see cref="SequenceTaggingTransformer"/> in a fitted pipeline (a transformer chain, or the
    /// transformer itself). Throws <see cref="ArgumentException"/> when there is none or more than one.
    /// </summary>
    /// <param name="model">A fitted pipeline, for example what <c>mlContext.Model.Load</c> returned.</param>
    public static SequenceTaggingTransformer FindTaggingModel(ITransformer model)
        => FindOne<SequenceTaggingTransformer>(model, "sequence tagger", "sequence taggers");

    internal static global::Onnx.ModelProto BuildModel(SequenceTaggingTransformer model, SequenceTaggingOnnxExportOptions options)
    {
        options.Validate();
        var settings = model.ModelSettings;
        var network = model.Networks.Count == 1 && model.Networks[0] is TaggerNetwork tagger ? tagger
            : throw new ArgumentException("The tagging model does not hold exactly one tagger network.", nameof(model));

        var g = StartGraph();
        object time = options.SequenceLength is int fixedLength ? fixedLength : "time";
        string features = g.Input(options.FeaturesInputName, DataType.Int32, "batch", time, TokenFeatures.StepSize(settings));

        var lowered = TaggerNetworkLowering.Lower(g, network, features, "tagger_");
        string tags = network.Crf is { } crf
            ? TagDecodingLowering.Viterbi(g, crf, lowered, "tagger_")
            : TagDecodingLowering.ArgMax(g, lowered);
        g.Output(lowered.Emissions, options.ScoresOutputName, DataType.Float, "batch", time, settings.Tags.Length);
        g.Output(tags, options.TagsOutputName, DataType.Int64, "batch", time);

        return FinishGraph(g, EnsembleMetadata(TaggingKind, settings.Tags.Length, 1, JsonSerializer.Serialize(settings, ModelStreams.JsonOptions)));
    }
}
