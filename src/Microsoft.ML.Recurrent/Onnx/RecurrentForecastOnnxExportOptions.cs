using Microsoft.ML.Recurrent.Forecasting;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// How <see cref="RecurrentOnnxExporter"/> names the inputs and outputs of an exported forecaster. Every name left
/// null takes the forecaster's own column name (by default Window, Forecast, LowerBound and UpperBound), so that
/// ML.NET's <c>ApplyOnnxModel</c>, which matches ONNX tensor names to column names, reads the window data that
/// <see cref="RecurrentForecastingTransformer.CreateWindowData"/> builds and writes the same columns as the forecaster.
/// </summary>
public sealed class RecurrentForecastOnnxExportOptions
{
    /// <summary>Name of the [batch, lookback × step width] float input of raw windows. Default: the model's window column name.</summary>
    public string? WindowInputName { get; set; }

    /// <summary>Name of the [batch, horizon] float output of point forecasts. Default: the model's forecast column name.</summary>
    public string? ForecastOutputName { get; set; }

    /// <summary>Name of the [batch, horizon] float output of interval lower bounds. Default: the model's lower-bound column name.</summary>
    public string? LowerBoundOutputName { get; set; }

    /// <summary>Name of the [batch, horizon] float output of interval upper bounds. Default: the model's upper-bound column name.</summary>
    public string? UpperBoundOutputName { get; set; }

    /// <summary>
    /// Whether the input and outputs have a leading symbolic batch dimension: [batch, lookback × step width] in,
    /// [batch, horizon] out (the default, true). False gives one window per run, [lookback × step width] in and
    /// [horizon] out: then ML.NET's <c>ApplyOnnxModel</c> types the output columns as vectors of horizon values, exactly
    /// like the forecaster's (with the batch dimension it makes them [1, horizon] tensors).
    /// </summary>
    public bool BatchDimension { get; set; } = true;

    /// <summary>The four tensor names with the model's column names filled in; throws when two coincide or one is blank.</summary>
    internal (string Window, string Forecast, string Lower, string Upper) Resolve(ForecastModelSettings settings)
    {
        string[] names =
        [
            WindowInputName ?? settings.WindowColumnName,
            ForecastOutputName ?? settings.ForecastColumnName,
            LowerBoundOutputName ?? settings.LowerBoundColumnName,
            UpperBoundOutputName ?? settings.UpperBoundColumnName,
        ];
        if (names.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("Every input and output name must be non-blank (or null for the model's column name).");
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new ArgumentException($"The input and output names must differ: {string.Join(", ", names)}.");
        return (names[0], names[1], names[2], names[3]);
    }
}
