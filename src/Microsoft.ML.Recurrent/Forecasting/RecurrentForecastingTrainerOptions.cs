using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.TimeSeries;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Forecasting;

/// <summary>How a forecaster produces its prediction interval.</summary>
public enum ForecastIntervalKind
{
    /// <summary>
    /// The network outputs three quantiles per step — (1 − confidence)/2, 0.5 and (1 + confidence)/2 — trained with
    /// the quantile (pinball) loss; the median is the forecast. Makes no assumption about the error distribution.
    /// </summary>
    Quantile,

    /// <summary>
    /// The network outputs a mean and a standard deviation per step, trained by Gaussian likelihood; the interval is
    /// mean ± z·σ (in scaled space, so log scaling gives an asymmetric interval in original units).
    /// </summary>
    Gaussian,
}

/// <summary>
/// Settings of <see cref="RecurrentForecastingTrainer"/>: the series' columns, the windows, the scaling, the network,
/// the interval and (inherited) the training controls. The defaults (a small GRU, weight decay, a fifth of the windows
/// for validation with early stopping) are chosen for short series of a few hundred points.
/// </summary>
public sealed class RecurrentForecastingTrainerOptions : TrainingOptions
{
    /// <summary>Sets the training defaults that suit small forecasting data sets.</summary>
    public RecurrentForecastingTrainerOptions()
    {
        Epochs = 300;
        BatchSize = 16;
        LearningRate = 3e-3;
        WeightDecay = 1e-4;
        ValidationFraction = 0.2;
        EarlyStoppingPatience = 30;
    }

    /// <summary>The column forecast: a Single (or Double) scalar, one row per time step. Default "Value".</summary>
    public string ValueColumnName { get; set; } = "Value";

    /// <summary>Extra observed Single columns read alongside the value in each step of the lookback. Default none.</summary>
    public IReadOnlyList<string> FeatureColumnNames { get; set; } = [];

    /// <summary>
    /// Covariate columns whose future values are known (e.g. month of year, holidays); the model reads them for the
    /// lookback and for the forecast steps (see <see cref="SeriesWindowing"/>). Needs <see cref="Lookback"/> ≥ <see cref="Horizon"/>. Default none.
    /// </summary>
    public IReadOnlyList<string> KnownFutureColumnNames { get; set; } = [];

    /// <summary>Time steps the network reads before each forecast. Default 24; at least 1.</summary>
    public int Lookback { get; set; } = 24;

    /// <summary>Time steps forecast at once (direct multi-output). Default 12; at least 1.</summary>
    public int Horizon { get; set; } = 12;

    /// <summary>Steps between the origins of consecutive training windows. Default 1; at least 1.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Scaling of the value column, fitted on the training series. Default <see cref="SeriesScaling.Standard"/>.</summary>
    public SeriesScaling Scaling { get; set; } = SeriesScaling.Standard;

    /// <summary>
    /// Whether each window's mean scaled value is subtracted from its inputs and targets (and added back to the
    /// forecast), so that the network learns shapes rather than levels and extrapolates trends beyond the training
    /// range. Default true.
    /// </summary>
    public bool WindowNormalization { get; set; } = true;

    /// <summary>The recurrent cell. Default <see cref="RecurrentCellType.Gru"/>.</summary>
    public RecurrentCellType CellType { get; set; } = RecurrentCellType.Gru;

    /// <summary>Hidden units per layer. Default 32; at least 1.</summary>
    public int HiddenSize { get; set; } = 32;

    /// <summary>Stacked recurrent layers. Default 1; at least 1.</summary>
    public int Layers { get; set; } = 1;

    /// <summary>Dropout on the encoder's final state during training, in [0, 1). Default 0.</summary>
    public double Dropout { get; set; }

    /// <summary>How the prediction interval is learned. Default <see cref="ForecastIntervalKind.Quantile"/>.</summary>
    public ForecastIntervalKind IntervalKind { get; set; } = ForecastIntervalKind.Quantile;

    /// <summary>Nominal coverage of [LowerBound, UpperBound], in (0, 1). Default 0.9.</summary>
    public double ConfidenceLevel { get; set; } = 0.9;

    /// <summary>Networks trained with different seeds whose outputs are averaged. Default 1; in [1, 100].</summary>
    public int EnsembleSize { get; set; } = 1;

    /// <summary>Output column: vector of <see cref="Horizon"/> Single forecasts in original units. Default "Forecast".</summary>
    public string ForecastColumnName { get; set; } = "Forecast";

    /// <summary>Output column: lower bounds of the interval. Default "LowerBound".</summary>
    public string LowerBoundColumnName { get; set; } = "LowerBound";

    /// <summary>Output column: upper bounds of the interval. Default "UpperBound".</summary>
    public string UpperBoundColumnName { get; set; } = "UpperBound";

    /// <summary>
    /// Name of the lookback window vector: the input of the exported ONNX graph and the column
    /// <see cref="RecurrentForecastingTransformer.CreateWindowData"/> builds (the fitted transformer itself reads the
    /// series columns). Default "Window".
    /// </summary>
    public string WindowColumnName { get; set; } = "Window";

    internal void ValidateForecasting()
    {
        Validate();
        Require(!string.IsNullOrWhiteSpace(ValueColumnName), nameof(ValueColumnName), ValueColumnName, "must be set");
        ArgumentNullException.ThrowIfNull(FeatureColumnNames);
        ArgumentNullException.ThrowIfNull(KnownFutureColumnNames);
        Require(Lookback >= 1, nameof(Lookback), Lookback, "must be at least 1");
        Require(Horizon >= 1, nameof(Horizon), Horizon, "must be at least 1");
        Require(Stride >= 1, nameof(Stride), Stride, "must be at least 1");
        Require(KnownFutureColumnNames.Count == 0 || Lookback >= Horizon, nameof(Lookback), Lookback,
            $"must be at least the horizon ({Horizon}) when known-future columns are given");
        Require(Enum.IsDefined(Scaling), nameof(Scaling), Scaling, "must be a defined SeriesScaling");
        Require(Enum.IsDefined(IntervalKind), nameof(IntervalKind), IntervalKind, "must be a defined ForecastIntervalKind");
        Require(HiddenSize >= 1, nameof(HiddenSize), HiddenSize, "must be at least 1");
        Require(Layers >= 1, nameof(Layers), Layers, "must be at least 1");
        Require(Dropout is >= 0 and < 1, nameof(Dropout), Dropout, "must lie in [0, 1)");
        Require(ConfidenceLevel is > 0 and < 1, nameof(ConfidenceLevel), ConfidenceLevel, "must lie in (0, 1)");
        Require(EnsembleSize is >= 1 and <= 100, nameof(EnsembleSize), EnsembleSize, "must lie in [1, 100]");
        var outputs = new[] { ForecastColumnName, LowerBoundColumnName, UpperBoundColumnName, WindowColumnName };
        Require(outputs.All(n => !string.IsNullOrWhiteSpace(n)) && outputs.Distinct().Count() == outputs.Length,
            nameof(ForecastColumnName), string.Join(", ", outputs), "and the other column names must be set and distinct");
    }

    private static void Require(bool condition, string name, object value, string rule)
    {
        if (!condition)
            throw new ArgumentOutOfRangeException(name, value, $"{name} {rule}.");
    }
}
