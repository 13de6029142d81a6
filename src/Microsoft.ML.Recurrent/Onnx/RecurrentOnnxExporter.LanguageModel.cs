using System.Globalization;
using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.MLNetBridge;

namespace Microsoft.ML.Recurrent.Onnx;

public static partial class RecurrentOnnxExporter
{
    /// <summary>
    /// Writes the network of a trained <see cref="LanguageModelTransformer"/> to <paramref name="destination"/> as
    /// an ONNX model (opset 17) that runs any number of steps from a given recurrent state and returns the next-token
    /// scores of every step with the state after the last one: one call for a whole prompt, then one call per
    /// generated token.
    /// </summary>
    /// <remarks>
    /// <para>Inputs (names from <paramref name="options"/>; defaults shown):</para>
    /// <list type="bullet">
    /// <item><description><c>tokens</c>: [batch, steps] token ids (Int32, or Int64 / UInt32 with
    /// <see cref="LanguageModelOnnxExportOptions.TokenType"/>); both dimensions symbolic, steps at least 1. Every id is
    /// read as given, with no padding trimming: the graph is the TorchSharp network, not the row reader. Ids outside
    /// [0, VocabularySize) make ONNX Runtime's <c>Run</c> fail, as they make the TorchSharp embedding fail.</description></item>
    /// <item><description><c>state_h</c>: [layers, batch, hidden] float, the hidden state of every layer (bottom
    /// layer first), zeros for a fresh start: the layout of LibTorch's <c>h_0</c> and of ONNX's <c>initial_h</c>
    /// stacked over layers.</description></item>
    /// <item><description><c>state_c</c>: [layers, batch, hidden] float, the LSTM cell state; only LSTM models have
    /// it.</description></item>
    /// </list>
    /// <para>Outputs:</para>
    /// <list type="bullet">
    /// <item><description><c>logits</c>: [batch, steps, VocabularySize] float, the scores of the token following each
    /// step (raw logits, or natural-log probabilities with <see cref="LanguageModelOnnxExportOptions.LogProbabilities"/>).</description></item>
    /// <item><description><c>state_h_out</c> (and <c>state_c_out</c> for LSTM): the state after the last step, in
    /// the layout of the state inputs, to feed back for the next call.</description></item>
    /// </list>
    /// <para>Prompts are given as the model's own generation reads them: <see cref="LanguageModelTransformer.Generate"/>
    /// puts the end-of-sequence id (<see cref="LanguageModelSettings.EndOfSequenceId"/>) before the encoded text,
    /// without the tokenizer's <c>&lt;s&gt;</c>/<c>&lt;/s&gt;</c>. Sampling rules (banned ids 0, 1 and, with
    /// begin/end rows, 2; stop ids) are applied by the caller; see docs/onnx.md. Metadata: <c>recurrent.kind</c> =
    /// LanguageModel, <c>recurrent.cell_type</c>, <c>recurrent.layers</c>, <c>recurrent.hidden_size</c>,
    /// <c>recurrent.vocabulary_size</c>, <c>recurrent.output</c> (logits or log_probabilities),
    /// <c>recurrent.end_of_sequence_id</c> (when the model has one) and <c>recurrent.settings</c> (the JSON of
    /// <see cref="LanguageModelSettings"/>, with the tokenizer's vocabulary for decoding).</para>
    /// </remarks>
    /// <param name="model">The trained language model; not modified.</param>
    /// <param name="destination">A writable stream; left open.</param>
    /// <param name="options">Names and token type. Default: <see cref="LanguageModelOnnxExportOptions"/>'s defaults.</param>
    public static void Export(LanguageModelTransformer model, Stream destination, LanguageModelOnnxExportOptions? options = null)
        => Write(model, destination, () => BuildModel(model, options ?? new LanguageModelOnnxExportOptions()));

    /// <summary>Writes the language model to the file <paramref name="path"/> (replaced if it exists).</summary>
    /// <param name="model">The trained language model; not modified.</param>
    /// <param name="path">The .onnx file to write.</param>
    /// <param name="options">See <see cref="Export(LanguageModelTransformer, Stream, LanguageModelOnnxExportOptions?)"/>.</param>
    public static void Export(LanguageModelTransformer model, string path, LanguageModelOnnxExportOptions? options = null)
        => Write(model, path, () => BuildModel(model, options ?? new LanguageModelOnnxExportOptions()));

    /// <summary>
    /// Finds the one <see cref="LanguageModelTransformer"/> in a fitted pipeline (a transformer chain, or the
    /// transformer itself). Throws <see cref="ArgumentException"/> when there is none or more than one.
    /// </summary>
    /// <param name="model">A fitted pipeline, for example what <c>mlContext.Model.Load</c> returned.</param>
    public static LanguageModelTransformer FindLanguageModel(ITransformer model)
        => FindOne<LanguageModelTransformer>(model, "recurrent language model", "language models");

    internal static global::Onnx.ModelProto BuildModel(LanguageModelTransformer model, LanguageModelOnnxExportOptions options)
    {
        options.Validate();
        var g = StartGraph();
        var settings = model.ModelSettings;
        LanguageModelLowering.Lower(g, model.Network, options);

        string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
        var metadata = new Dictionary<string, string>
        {
            ["recurrent.kind"] = "LanguageModel",
            ["recurrent.cell_type"] = settings.CellType.ToString(),
            ["recurrent.layers"] = Invariant(settings.Layers),
            ["recurrent.hidden_size"] = Invariant(settings.HiddenSize),
            ["recurrent.vocabulary_size"] = Invariant(settings.VocabularySize),
            ["recurrent.output"] = options.LogProbabilities ? "log_probabilities" : "logits",
            ["recurrent.settings"] = System.Text.Json.JsonSerializer.Serialize(settings, ModelStreams.JsonOptions),
        };
        if (settings.EndOfSequenceId is int end)
            metadata["recurrent.end_of_sequence_id"] = Invariant(end);
        return FinishGraph(g, metadata);
    }
}
