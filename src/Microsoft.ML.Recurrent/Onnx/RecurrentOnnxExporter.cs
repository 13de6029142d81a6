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
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(destination);
        BuildModel(model, options ?? new RecurrentOnnxExportOptions()).WriteTo(destination);
    }

    /// <summary>Writes <paramref name="model"/> to the file <paramref name="path"/> (replaced if it exists).</summary>
    /// <param name="model">The trained model; not modified.</param>
    /// <param name="path">The .onnx file to write.</param>
    /// <param name="options">See <see cref="Export(RecurrentSequenceTransformer, Stream, RecurrentOnnxExportOptions?)"/>.</param>
    public static void Export(RecurrentSequenceTransformer model, string path, RecurrentOnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = File.Create(path);
        Export(model, file, options);
    }

    /// <summary>
    /// Finds the one <see cref="RecurrentSequenceTransformer"/> in a fitted pipeline (a transformer chain, or the
    /// transformer itself). Throws <see cref="ArgumentException"/> when there is none or more than one.
    /// </summary>
    /// <param name="model">A fitted pipeline, for example what <c>mlContext.Model.Load</c> returned.</param>
    public static RecurrentSequenceTransformer FindRecurrentModel(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var found = Flatten(model).OfType<RecurrentSequenceTransformer>().ToList();
        return found.Count switch
        {
            1 => found[0],
            0 => throw new ArgumentException("The pipeline contains no recurrent sequence model (RecurrentSequenceTransformer) to export.", nameof(model)),
            _ => throw new ArgumentException($"The pipeline contains {found.Count} recurrent sequence models; export them one at a time.", nameof(model)),
        };
    }

    /// <summary>The transformers of a pipeline in order, nested chains expanded.</summary>
    internal static IEnumerable<ITransformer> Flatten(ITransformer model)
    {
        if (model is IEnumerable<ITransformer> chain)
            return chain.SelectMany(Flatten);
        return [model];
    }

    internal static global::Onnx.ModelProto BuildModel(RecurrentSequenceTransformer model, RecurrentOnnxExportOptions options)
    {
        options.Validate();
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; export on a little-endian machine.");
        TorchRuntime.EnsureInitialized();
        var settings = model.ModelSettings;
        var networks = model.Networks;
        var g = new OnnxGraphBuilder();
        object time = options.SequenceLength is int fixedLength ? fixedLength : "time";

        var inputs = settings.UsesTokens
            ? OnnxInputPreparation.Tokens(g, options, time, settings.VocabularySize)
            : OnnxInputPreparation.Features(g, options, time, settings.FeatureSize);

        string? sum = null;
        for (int i = 0; i < networks.Count; i++)
        {
            string logits = OnnxNetworkLowerings.For(networks[i]).Lower(g, networks[i], inputs, $"n{i}_");
            string output = settings.Kind switch
            {
                SequencePredictionKind.BinaryClassification => g.Node("Sigmoid", [logits]),
                SequencePredictionKind.MulticlassClassification => g.Node("Softmax", [logits], OnnxGraphBuilder.Int("axis", -1)),
                _ => logits,
            };
            sum = sum is null ? output : g.Node("Add", [sum, output]);
        }
        // Same arithmetic as the TorchSharp transformer: a running float32 sum divided by the ensemble size.
        string averaged = networks.Count == 1 ? sum! : g.Node("Div", [sum!, g.Constant("ensemble_size", [(float)networks.Count])]);
        g.Output(averaged, options.OutputName, DataType.Float, "batch", settings.OutputSize);

        var metadata = new Dictionary<string, string>
        {
            ["recurrent.kind"] = settings.Kind.ToString(),
            ["recurrent.output_size"] = settings.OutputSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["recurrent.ensemble_size"] = networks.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["recurrent.settings"] = System.Text.Json.JsonSerializer.Serialize(settings),
        };
        string version = typeof(RecurrentOnnxExporter).Assembly.GetName().Version?.ToString() ?? "0";
        return g.ToModel(OpsetVersion, version, metadata);
    }
}
