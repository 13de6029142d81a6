using System.Globalization;
using Google.Protobuf;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Runtime;
using TorchSharp;
using DataType = global::Onnx.TensorProto.Types.DataType;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// Writes a trained <see cref="RecurrentSequenceTransformer"/> (every network of its ensemble) as one ONNX model
/// (opset 17) that ONNX Runtime, and ML.NET's <c>ApplyOnnxModel</c>, can score without TorchSharp.
/// </summary>
/// <remarks>
/// <para>Token models take one input, <see cref="RecurrentOnnxExportOptions.TokensInputName"/>: [batch, time] ids
/// (Int32, Int64 or UInt32), padded with 0 at either end. The graph does what the TorchSharp transformer does: it
/// ignores padding ids before and after each sequence, reads ids outside the vocabulary as the unknown id 1 and an
/// all-padding row as one padding token, so the two give the same predictions.</para>
/// <para>Float-feature models take [batch, time, FeatureSize] features and [batch] Int32 lengths counted in floats
/// (steps × FeatureSize: what <c>PadSequence</c>'s length column holds); a length of 0 is read as one zero step.</para>
/// <para>The single output, <see cref="RecurrentOnnxExportOptions.OutputName"/>, is [batch, outputs]: the
/// ensemble-averaged sigmoid (binary), softmax (multiclass) or value (regression), exactly what the TorchSharp
/// transformer averages before it derives Score, Probability and PredictedLabel.</para>
/// </remarks>
public static partial class RecurrentOnnxExporter
{
    /// <summary>The ONNX operator set the exporter writes.</summary>
    public const int OpsetVersion = 17;

    /// <summary>Writes <paramref name="model"/> to <paramref name="destination"/> as an ONNX model.</summary>
    /// <param name="model">The trained model; not modified.</param>
    /// <param name="destination">A writable stream; left open.</param>
    /// <param name="options">Input and output names, time dimension, token type. Default: <see cref="RecurrentOnnxExportOptions"/>'s defaults.</param>
    public static void Export(RecurrentSequenceTransformer model, Stream destination, RecurrentOnnxExportOptions? options = null)
        => Write(model, destination, () => BuildModel(model, options ?? new RecurrentOnnxExportOptions()));

    /// <summary>Writes <paramref name="model"/> to the file <paramref name="path"/> (replaced if it exists).</summary>
    /// <param name="model">The trained model; not modified.</param>
    /// <param name="path">The .onnx file to write.</param>
    /// <param name="options">See <see cref="Export(RecurrentSequenceTransformer, Stream, RecurrentOnnxExportOptions?)"/>.</param>
    public static void Export(RecurrentSequenceTransformer model, string path, RecurrentOnnxExportOptions? options = null)
        => Write(model, path, () => BuildModel(model, options ?? new RecurrentOnnxExportOptions()));

    /// <summary>
    /// Finds the one <see cref="RecurrentSequenceTransformer"/> in a fitted pipeline (a transformer chain, or the
    /// transformer itself). Throws <see cref="ArgumentException"/> when there is none or more than one.
    /// </summary>
    /// <param name="model">A fitted pipeline, for example what <c>mlContext.Model.Load</c> returned.</param>
    public static RecurrentSequenceTransformer FindRecurrentModel(ITransformer model)
        => FindOne<RecurrentSequenceTransformer>(model, "recurrent sequence model", "recurrent sequence models");

    /// <summary>The transformers of a pipeline in order, nested chains expanded.</summary>
    internal static IEnumerable<ITransformer> Flatten(ITransformer model)
    {
        if (model is IEnumerable<ITransformer> chain)
            return chain.SelectMany(Flatten);
        return [model];
    }

    /// <summary>Writes the model <paramref name="build"/> makes to <paramref name="destination"/> (left open).</summary>
    private static void Write(ITransformer model, Stream destination, Func<global::Onnx.ModelProto> build)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(destination);
        build().WriteTo(destination);
    }

    /// <summary>
    /// Writes the model <paramref name="build"/> makes to the file <paramref name="path"/>, replacing it. The model is
    /// built before the file is created, so a model that cannot be exported leaves no empty file behind.
    /// </summary>
    private static void Write(ITransformer model, string path, Func<global::Onnx.ModelProto> build)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var built = build();
        using var file = File.Create(path);
        built.WriteTo(file);
    }

    /// <summary>The one <typeparamref name="T"/> in a fitted pipeline; <see cref="ArgumentException"/> naming <paramref name="singular"/> when there is none or more than one.</summary>
    private static T FindOne<T>(ITransformer model, string singular, string plural) where T : ITransformer
    {
        ArgumentNullException.ThrowIfNull(model);
        var found = Flatten(model).OfType<T>().ToList();
        return found.Count switch
        {
            1 => found[0],
            0 => throw new ArgumentException($"The pipeline contains no {singular} ({typeof(T).Name}) to export.", nameof(model)),
            _ => throw new ArgumentException($"The pipeline contains {found.Count} {plural}; export them one at a time.", nameof(model)),
        };
    }

    /// <summary>A graph builder, once the platform can write ONNX's little-endian tensors and LibTorch is ready to read the weights.</summary>
    private static OnnxGraphBuilder StartGraph()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; export on a little-endian machine.");
        TorchRuntime.EnsureInitialized();
        return new OnnxGraphBuilder();
    }

    /// <summary>The model of graph <paramref name="g"/> at <see cref="OpsetVersion"/>, stamped with the library's version and <paramref name="metadata"/>.</summary>
    private static global::Onnx.ModelProto FinishGraph(OnnxGraphBuilder g, Dictionary<string, string> metadata)
        => g.ToModel(OpsetVersion, typeof(RecurrentOnnxExporter).Assembly.GetName().Version?.ToString() ?? "0", metadata);

    /// <summary>
    /// Lowers every network of an ensemble on the same inputs, applies <paramref name="head"/> to each output and
    /// averages them with the TorchSharp transformers' arithmetic: a running float32 sum divided by the ensemble size.
    /// </summary>
    private static string LowerEnsemble(OnnxGraphBuilder g, IReadOnlyList<torch.nn.Module> networks, OnnxNetworkInputs inputs, Func<string, string> head)
    {
        string? sum = null;
        for (int i = 0; i < networks.Count; i++)
        {
            string output = head(OnnxNetworkLowerings.For(networks[i]).Lower(g, networks[i], inputs, $"n{i}_"));
            sum = sum is null ? output : g.Node("Add", [sum, output]);
        }
        return networks.Count == 1 ? sum! : g.Node("Div", [sum!, g.Constant("ensemble_size", [(float)networks.Count])]);
    }

    /// <summary>The metadata every ensemble export carries: kind, output size, ensemble size and the settings' JSON.</summary>
    private static Dictionary<string, string> EnsembleMetadata(string kind, int outputSize, int ensembleSize, string settingsJson) => new()
    {
        ["recurrent.kind"] = kind,
        ["recurrent.output_size"] = outputSize.ToString(CultureInfo.InvariantCulture),
        ["recurrent.ensemble_size"] = ensembleSize.ToString(CultureInfo.InvariantCulture),
        ["recurrent.settings"] = settingsJson,
    };

    internal static global::Onnx.ModelProto BuildModel(RecurrentSequenceTransformer model, RecurrentOnnxExportOptions options)
    {
        options.Validate();
        var g = StartGraph();
        var settings = model.ModelSettings;
        object time = options.SequenceLength is int fixedLength ? fixedLength : "time";

        var inputs = settings.UsesTokens
            ? OnnxInputPreparation.Tokens(g, options, time, settings.VocabularySize)
            : OnnxInputPreparation.Features(g, options, time, settings.FeatureSize);
        if (settings.UsesWideFeatures)
            inputs = inputs with { WideFeatures = g.Input(options.WideInputName, DataType.Float, "batch", settings.WideFeatureSize) };

        string averaged = LowerEnsemble(g, model.Networks, inputs, logits => settings.Kind switch
        {
            SequencePredictionKind.BinaryClassification => g.Node("Sigmoid", [logits]),
            SequencePredictionKind.MulticlassClassification => g.Node("Softmax", [logits], OnnxGraphBuilder.Int("axis", -1)),
            _ => logits,
        });
        g.Output(averaged, options.OutputName, DataType.Float, "batch", settings.OutputSize);
        return FinishGraph(g, EnsembleMetadata(settings.Kind.ToString(), settings.OutputSize, model.Networks.Count, System.Text.Json.JsonSerializer.Serialize(settings)));
    }
}
