namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>How <see cref="RecurrentOnnxExporter"/> names and shapes the ONNX model's inputs and output.</summary>
public sealed class RecurrentOnnxExportOptions
{
    /// <summary>
    /// Fixed number of time steps of the inputs, or null (the default) for a symbolic "time" dimension. ML.NET's
    /// <c>ApplyOnnxModel</c> feeds fixed-size vector columns, so the deployment pipeline exports with the length it
    /// pads to; ONNX Runtime used directly accepts any length with the symbolic dimension.
    /// </summary>
    public int? SequenceLength { get; set; }

    /// <summary>Element type of the token input: Int32 (the default, what <c>TokenizeToSequence</c> writes), Int64 or UInt32.</summary>
    public OnnxTokenType TokenType { get; set; } = OnnxTokenType.Int32;

    /// <summary>Name of the [batch, time] token-id input. Default "tokens".</summary>
    public string TokensInputName { get; set; } = "tokens";

    /// <summary>Name of the [batch, time, FeatureSize] float input of feature models. Default "features".</summary>
    public string FeaturesInputName { get; set; } = "features";

    /// <summary>Name of the [batch] Int32 length input of feature models (floats per row, steps × FeatureSize). Default "lengths".</summary>
    public string LengthsInputName { get; set; } = "lengths";

    /// <summary>
    /// Name of the [batch, WideFeatureSize] float input of models with wide features (see
    /// <c>RecurrentSequenceTrainerOptions.WideFeatureColumnName</c>). Default "wide".
    /// </summary>
    public string WideInputName { get; set; } = "wide";

    /// <summary>Name of the [batch, outputs] float output. Default "output".</summary>
    public string OutputName { get; set; } = "output";

    internal void Validate()
    {
        if (SequenceLength is < 1)
            throw new ArgumentOutOfRangeException(nameof(SequenceLength), SequenceLength, "The sequence length must be at least 1 (or null for a symbolic length).");
        if (!Enum.IsDefined(TokenType))
            throw new ArgumentOutOfRangeException(nameof(TokenType), TokenType, "Unknown token type.");
        string[] names = [TokensInputName, FeaturesInputName, LengthsInputName, WideInputName, OutputName];
        if (names.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("Every input and output name must be set.");
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new ArgumentException($"Input and output names must differ: {string.Join(", ", names)}.");
    }
}

/// <summary>Element type of the token-id input of an exported token model.</summary>
public enum OnnxTokenType
{
    /// <summary>32-bit signed ids (ML.NET Int32; <c>TokenizeToSequence</c>'s output).</summary>
    Int32,

    /// <summary>64-bit signed ids (ML.NET Int64).</summary>
    Int64,

    /// <summary>32-bit unsigned ids (ML.NET UInt32, or a key column's raw values).</summary>
    UInt32,
}
