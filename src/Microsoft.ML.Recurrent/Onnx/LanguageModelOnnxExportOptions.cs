namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// How <see cref="RecurrentOnnxExporter"/> names and types the inputs and outputs of an exported language model
/// (see <see cref="RecurrentOnnxExporter.Export(LanguageModeling.LanguageModelTransformer, Stream, LanguageModelOnnxExportOptions?)"/>
/// for the layout of each tensor).
/// </summary>
public sealed class LanguageModelOnnxExportOptions
{
    /// <summary>Element type of the token-id input: Int32 (the default, what <c>Encode</c> returns), Int64 or UInt32.</summary>
    public OnnxTokenType TokenType { get; set; } = OnnxTokenType.Int32;

    /// <summary>Name of the [batch, steps] token-id input. Default "tokens".</summary>
    public string TokensInputName { get; set; } = "tokens";

    /// <summary>Name of the [layers, batch, hidden] float hidden-state input. Default "state_h".</summary>
    public string HiddenStateInputName { get; set; } = "state_h";

    /// <summary>Name of the [layers, batch, hidden] float cell-state input (LSTM models only). Default "state_c".</summary>
    public string CellStateInputName { get; set; } = "state_c";

    /// <summary>Name of the [batch, steps, vocabulary] float output. Default "logits".</summary>
    public string OutputName { get; set; } = "logits";

    /// <summary>Name of the [layers, batch, hidden] hidden state after the last step. Default "state_h_out".</summary>
    public string HiddenStateOutputName { get; set; } = "state_h_out";

    /// <summary>Name of the [layers, batch, hidden] cell state after the last step (LSTM models only). Default "state_c_out".</summary>
    public string CellStateOutputName { get; set; } = "state_c_out";

    /// <summary>
    /// When true the output holds natural-log probabilities (a LogSoftmax over the vocabulary) instead of the raw
    /// logits. Default false: raw logits, what the TorchSharp model samples from (greedy decoding and temperature
    /// scaling work on either, since LogSoftmax only subtracts one value per step).
    /// </summary>
    public bool LogProbabilities { get; set; }

    internal void Validate()
    {
        if (!Enum.IsDefined(TokenType))
            throw new ArgumentOutOfRangeException(nameof(TokenType), TokenType, "Unknown token type.");
        string[] names = [TokensInputName, HiddenStateInputName, CellStateInputName, OutputName, HiddenStateOutputName, CellStateOutputName];
        if (names.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("Every input and output name of the language-model export must be set.");
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new ArgumentException($"Input and output names must differ: {string.Join(", ", names)}.");
    }
}
