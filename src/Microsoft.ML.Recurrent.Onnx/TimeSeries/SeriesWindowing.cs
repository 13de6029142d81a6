namespace Microsoft.ML.Recurrent.TimeSeries;

/// <summary>One training or prediction window cut from a series.</summary>
/// <param name="Origin">0-based index of the first forecast step: the window reads steps <c>Origin - lookback .. Origin - 1</c>.</param>
/// <param name="Inputs">
/// <c>lookback × StepWidth</c> values in original units, step-major; see <see cref="SeriesWindowing"/> for the layout of a step.
/// </param>
/// <param name="Targets">The <c>horizon</c> values at steps <c>Origin .. Origin + horizon - 1</c>; empty for a prediction window.</param>
public sealed record SeriesWindow(int Origin, float[] Inputs, float[] Targets);

/// <summary>
/// Cuts a series into (lookback, horizon) windows for direct multi-step forecasting.
/// </summary>
/// <remarks>
/// Each step of a window holds, in this order: the value; each extra feature; each known-future covariate at that
/// step; and each known-future covariate <c>horizon</c> steps later. The last group is how a recurrent encoder that
/// reads only the lookback learns the covariates of the forecast steps: the last <c>horizon</c> steps of the window
/// carry the covariates of steps <c>Origin .. Origin + horizon - 1</c> (so, with covariates, lookback must be at
/// least horizon). Windows are taken every <c>stride</c> steps counting back from the last possible origin, so the
/// most recent data is always used.
/// </remarks>
public static class SeriesWindowing
{
    /// <summary>Values per window step: 1 + features + 2 × known-future covariates.</summary>
    /// <param name="featureCount">Extra observed feature columns.</param>
    /// <param name="knownFutureCount">Known-future covariate columns.</param>
    public static int StepWidth(int featureCount, int knownFutureCount) => 1 + featureCount + 2 * knownFutureCount;

    /// <summary>Every training window (inputs and targets) of <paramref name="series"/>, in time order.</summary>
    /// <param name="series">The series.</param>
    /// <param name="lookback">Steps the model reads; at least 1.</param>
    /// <param name="horizon">Steps it forecasts; at least 1.</param>
    /// <param name="stride">Steps between consecutive origins; at least 1.</param>
    /// <exception cref="ArgumentException">The series is shorter than <c>lookback + horizon</c>.</exception>
    public static IReadOnlyList<SeriesWindow> Create(SeriesFrame series, int lookback, int horizon, int stride = 1)
    {
        ArgumentNullException.ThrowIfNull(series);
        Check(series, lookback, horizon);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        if (series.Length < lookback + horizon)
            throw new ArgumentException(
                $"The series in column '{series.ValueColumnName}' has {series.Length} time steps; a lookback of {lookback} and a horizon of {horizon} need at least {lookback + horizon}.",
                nameof(series));
        var windows = new List<SeriesWindow>();
        for (int origin = series.Length - horizon; origin >= lookback; origin -= stride)
        {
            var targets = new float[horizon];
            for (int h = 0; h < horizon; h++)
                targets[h] = series.Values[origin + h];
            windows.Add(new SeriesWindow(origin, Inputs(series, origin, lookback, horizon, null), targets));
        }
        windows.Reverse();
        return windows;
    }

    /// <summary>
    /// The input window that forecasts from <paramref name="origin"/> (which may equal the series length, to forecast
    /// beyond it). Known-future covariates for steps past the end of the series come from <paramref name="futureKnown"/>:
    /// <c>horizon × covariates</c> values, step-major, for steps <c>Length .. Length + horizon - 1</c>.
    /// </summary>
    /// <param name="series">The series.</param>
    /// <param name="origin">Index of the first forecast step, in <c>lookback .. Length</c>.</param>
    /// <param name="lookback">Steps the model reads.</param>
    /// <param name="horizon">Steps it forecasts.</param>
    /// <param name="futureKnown">Covariates after the series' end; needed only when the model has covariates and the window reaches past the end.</param>
    public static float[] CreateInput(SeriesFrame series, int origin, int lookback, int horizon, ReadOnlySpan<float> futureKnown = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        Check(series, lookback, horizon);
        if (origin < lookback || origin > series.Length)
            throw new ArgumentOutOfRangeException(nameof(origin), origin,
                $"A window with lookback {lookback} over the series in column '{series.ValueColumnName}' ({series.Length} steps) needs an origin in {lookback}..{series.Length}.");
        int k = series.KnownFutureColumnNames.Count;
        int needed = Math.Max(0, origin + horizon - series.Length) * k;
        if (needed > 0 && futureKnown.Length < needed)
            throw new ArgumentException(
                $"Forecasting from step {origin} needs the known-future covariates ({string.Join(", ", series.KnownFutureColumnNames)}) of {needed / k} steps after the series ends; {futureKnown.Length / k} were given.",
                nameof(futureKnown));
        return Inputs(series, origin, lookback, horizon, futureKnown.ToArray());
    }

    private static float[] Inputs(SeriesFrame series, int origin, int lookback, int horizon, float[]? futureKnown)
    {
        int e = series.FeatureColumnNames.Count, k = series.KnownFutureColumnNames.Count;
        int width = StepWidth(e, k);
        var inputs = new float[lookback * width];
        for (int j = 0; j < lookback; j++)
        {
            int t = origin - lookback + j;
            var step = inputs.AsSpan(j * width, width);
            step[0] = series.Values[t];
            for (int f = 0; f < e; f++)
                step[1 + f] = series.Features[f][t];
            for (int c = 0; c < k; c++)
            {
                step[1 + e + c] = series.KnownFuture[c][t];
                int lead = t + horizon;
                step[1 + e + k + c] = lead < series.Length ? series.KnownFuture[c][lead] : futureKnown![(lead - series.Length) * k + c];
            }
        }
        return inputs;
    }

    private static void Check(SeriesFrame series, int lookback, int horizon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lookback, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        if (series.KnownFutureColumnNames.Count > 0 && lookback < horizon)
            throw new ArgumentOutOfRangeException(nameof(lookback), lookback,
                $"With known-future covariates the lookback ({lookback}) must be at least the horizon ({horizon}): the window's last steps carry the covariates of the forecast steps.");
    }
}
