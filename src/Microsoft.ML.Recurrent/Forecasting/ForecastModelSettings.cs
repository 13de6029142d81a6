using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.TimeSeries;

namespace Microsoft.ML.Recurrent.Forecasting;

/// <summary>
/// Everything a trained forecaster needs besides its weights: the window layout, the fitted scalings, the interval
/// and the network's shape. Saved as JSON inside the model .zip.
/// </summary>
public sealed record ForecastModelSettings
{
    /// <summary>The series' value column.</summary>
    public string ValueColumnName { get; init; } = "Value";
    /// <summary>Extra observed feature columns, in window order.</summary>
    public string[] FeatureColumnNames { get; init; } = [];
    /// <summary>Known-future covariate columns, in window order.</summary>
    public string[] KnownFutureColumnNames { get; init; } = [];
    /// <summary>Steps read before each forecast.</summary>
    public int Lookback { get; init; }
    /// <summary>Steps forecast at once.</summary>
    public int Horizon { get; init; }
    /// <summary>Scalings fitted on the training series: the value, then each feature, then each known-future column.</summary>
    public SeriesScaler[] Scalers { get; init; } = [];
    /// <summary>Whether each window's mean scaled value is removed before the network and added back after.</summary>
    public bool WindowNormalization { get; init; }
    /// <summary>How the interval is produced.</summary>
    public ForecastIntervalKind IntervalKind { get; init; }
    /// <summary>Nominal coverage of the interval.</summary>
    public double ConfidenceLevel { get; init; }
    /// <summary>The recurrent cell.</summary>
    public RecurrentCellType CellType { get; init; }
    /// <summary>Hidden units per layer.</summary>
    public int HiddenSize { get; init; }
    /// <summary>Stacked recurrent layers.</summary>
    public int Layers { get; init; }
    /// <summary>Name of the lookback window vector: the input of the exported ONNX graph and the column <c>CreateWindowData</c> builds.</summary>
    public string WindowColumnName { get; init; } = "Window";
    /// <summary>Output column of the forecasts.</summary>
    public string ForecastColumnName { get; init; } = "Forecast";
    /// <summary>Output column of the interval's lower bounds.</summary>
    public string LowerBoundColumnName { get; init; } = "LowerBound";
    /// <summary>Output column of the interval's upper bounds.</summary>
    public string UpperBoundColumnName { get; init; } = "UpperBound";

    /// <summary>The series columns the model reads and the windows it cuts from them.</summary>
    internal SeriesWindowLayout Layout() => new(ValueColumnName, FeatureColumnNames, KnownFutureColumnNames, Lookback, Horizon);

    /// <summary>Values per window step (see <see cref="SeriesWindowing"/>).</summary>
    public int StepWidth => SeriesWindowing.StepWidth(FeatureColumnNames.Length, KnownFutureColumnNames.Length);

    /// <summary>Length of the window vector: <see cref="Lookback"/> × <see cref="StepWidth"/>.</summary>
    public int WindowLength => Lookback * StepWidth;

    /// <summary>Network outputs per forecast step: 3 quantiles, or a mean and a log standard deviation.</summary>
    internal int OutputsPerStep => IntervalKind == ForecastIntervalKind.Quantile ? 3 : 2;

    /// <summary>The quantiles the network learns (quantile intervals): lower, median, upper.</summary>
    internal float[] Quantiles => [(float)((1 - ConfidenceLevel) / 2), 0.5f, (float)((1 + ConfidenceLevel) / 2)];

    internal SequenceClassifierNetwork BuildNetwork(double outputDropout = 0) => new(new RecurrentEncoderSettings
    {
        CellType = CellType,
        HiddenSize = HiddenSize,
        Layers = Layers,
        InputSize = StepWidth,
    }, Horizon * OutputsPerStep, outputDropout);

    /// <summary>
    /// Scales a raw window (original units) into network input, in place into <paramref name="scaled"/>; returns the
    /// window's level (the mean scaled value over the lookback, or 0 without window normalization).
    /// </summary>
    internal float ScaleWindow(ReadOnlySpan<float> raw, Span<float> scaled)
    {
        if (raw.Length != WindowLength)
            throw new ArgumentException($"A window of this forecaster holds {WindowLength} values ({Lookback} steps × {StepWidth}); got {raw.Length}.");
        int e = FeatureColumnNames.Length, k = KnownFutureColumnNames.Length, width = StepWidth;
        double level = 0;
        for (int j = 0; j < Lookback; j++)
        {
            var rawStep = raw.Slice(j * width, width);
            var step = scaled.Slice(j * width, width);
            step[0] = Scalers[0].Transform(rawStep[0]);
            level += step[0];
            for (int f = 0; f < e; f++)
                step[1 + f] = Scalers[1 + f].Transform(rawStep[1 + f]);
            for (int c = 0; c < k; c++)
            {
                step[1 + e + c] = Scalers[1 + e + c].Transform(rawStep[1 + e + c]);
                step[1 + e + k + c] = Scalers[1 + e + c].Transform(rawStep[1 + e + k + c]);
            }
        }
        if (!WindowNormalization)
            return 0;
        float mean = (float)(level / Lookback);
        for (int j = 0; j < Lookback; j++)
            scaled[j * width] -= mean;
        return mean;
    }

    /// <summary>Scales targets (original units) into the network's target space, given the window's level.</summary>
    internal void ScaleTargets(ReadOnlySpan<float> raw, float level, Span<float> scaled)
    {
        for (int h = 0; h < raw.Length; h++)
            scaled[h] = Scalers[0].Transform(raw[h]) - level;
    }

    /// <summary>Turns one window's (ensemble-averaged) network outputs into a forecast and interval in original units.</summary>
    internal ForecastResult Decode(ReadOnlySpan<float> outputs, float level)
    {
        var forecast = new float[Horizon];
        var lower = new float[Horizon];
        var upper = new float[Horizon];
        var scaler = Scalers[0];
        float z = (float)NormalQuantile((1 + ConfidenceLevel) / 2);
        for (int h = 0; h < Horizon; h++)
        {
            var o = outputs.Slice(h * OutputsPerStep, OutputsPerStep);
            float lo, mid, hi;
            if (IntervalKind == ForecastIntervalKind.Quantile)
            {
                // Separately learned quantiles can cross; sorting restores a valid interval around the median.
                Span<float> q = [o[0], o[1], o[2]];
                q.Sort();
                (lo, mid, hi) = (q[0], q[1], q[2]);
            }
            else
            {
                float sigma = MathF.Exp(Math.Clamp(o[1], -10f, 10f));
                (lo, mid, hi) = (o[0] - z * sigma, o[0], o[0] + z * sigma);
            }
            // Scalings are increasing, so the bounds and the median map to the bounds and the median in original units.
            forecast[h] = scaler.Inverse(mid + level);
            lower[h] = scaler.Inverse(lo + level);
            upper[h] = scaler.Inverse(hi + level);
        }
        return new ForecastResult(forecast, lower, upper);
    }

    /// <summary>Inverse of the standard normal distribution function (Acklam's rational approximation, relative error below 1.2e-9).</summary>
    internal static double NormalQuantile(double p)
    {
        if (p <= 0 || p >= 1)
            throw new ArgumentOutOfRangeException(nameof(p), p, "The probability must lie in (0, 1).");
        double[] a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690, -30.66479806614716, 2.506628277459239];
        double[] b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
        double[] c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
        double[] d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
        const double low = 0.02425;
        if (p < low)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low)
            return -NormalQuantile(1 - p);
        double r = p - 0.5, s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }
}

/// <summary>A forecast of <c>horizon</c> steps in original units, with its prediction interval.</summary>
/// <param name="Forecast">The point forecast of each step (the median for quantile intervals, the mean in scaled space for Gaussian ones).</param>
/// <param name="LowerBound">Lower end of the interval at each step.</param>
/// <param name="UpperBound">Upper end of the interval at each step.</param>
public sealed record ForecastResult(float[] Forecast, float[] LowerBound, float[] UpperBound);
