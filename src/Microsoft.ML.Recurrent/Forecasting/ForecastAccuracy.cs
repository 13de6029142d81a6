namespace Microsoft.ML.Recurrent.Forecasting;

/// <summary>
/// Point and interval accuracy measures for forecasts, and the seasonal-naive baseline they are compared with.
/// Every method takes equal-length spans of actual and forecast values.
/// </summary>
public static class ForecastAccuracy
{
    /// <summary>Mean absolute error.</summary>
    /// <param name="actual">Observed values.</param>
    /// <param name="forecast">Forecast values.</param>
    public static double MeanAbsoluteError(ReadOnlySpan<float> actual, ReadOnlySpan<float> forecast)
    {
        CheckLengths(actual, forecast);
        double sum = 0;
        for (int i = 0; i < actual.Length; i++)
            sum += Math.Abs((double)actual[i] - forecast[i]);
        return sum / actual.Length;
    }

    /// <summary>Root mean squared error.</summary>
    /// <param name="actual">Observed values.</param>
    /// <param name="forecast">Forecast values.</param>
    public static double RootMeanSquaredError(ReadOnlySpan<float> actual, ReadOnlySpan<float> forecast)
    {
        CheckLengths(actual, forecast);
        double sum = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double error = (double)actual[i] - forecast[i];
            sum += error * error;
        }
        return Math.Sqrt(sum / actual.Length);
    }

    /// <summary>
    /// Symmetric mean absolute percentage error, in percent (0 to 200): the mean of
    /// <c>2|a − f| / (|a| + |f|)</c> × 100, with 0/0 counted as 0.
    /// </summary>
    /// <param name="actual">Observed values.</param>
    /// <param name="forecast">Forecast values.</param>
    public static double SymmetricMeanAbsolutePercentageError(ReadOnlySpan<float> actual, ReadOnlySpan<float> forecast)
    {
        CheckLengths(actual, forecast);
        double sum = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double denominator = Math.Abs((double)actual[i]) + Math.Abs((double)forecast[i]);
            if (denominator > 0)
                sum += 2 * Math.Abs((double)actual[i] - forecast[i]) / denominator;
        }
        return 100 * sum / actual.Length;
    }

    /// <summary>
    /// The in-sample mean absolute error of the seasonal-naive forecast, <c>mean |y[t] − y[t − season]|</c>: the
    /// denominator of MASE.
    /// </summary>
    /// <param name="inSample">The training series.</param>
    /// <param name="seasonalPeriod">Steps per season (1 for the plain naive forecast).</param>
    public static double SeasonalNaiveScale(ReadOnlySpan<float> inSample, int seasonalPeriod)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seasonalPeriod, 1);
        if (inSample.Length <= seasonalPeriod)
            throw new ArgumentException($"MASE with seasonal period {seasonalPeriod} needs more than {seasonalPeriod} in-sample values; got {inSample.Length}.", nameof(inSample));
        double sum = 0;
        for (int t = seasonalPeriod; t < inSample.Length; t++)
            sum += Math.Abs((double)inSample[t] - inSample[t - seasonalPeriod]);
        return sum / (inSample.Length - seasonalPeriod);
    }

    /// <summary>Mean absolute scaled error: the forecast's MAE divided by <see cref="SeasonalNaiveScale"/> of the in-sample series.</summary>
    /// <param name="actual">Observed values.</param>
    /// <param name="forecast">Forecast values.</param>
    /// <param name="inSample">The training series.</param>
    /// <param name="seasonalPeriod">Steps per season.</param>
    /// <exception cref="ArgumentException">
    /// The in-sample series repeats itself exactly with <paramref name="seasonalPeriod"/> (for example, it is constant), so
    /// the scale is 0 and MASE is undefined; compare MAE or RMSE instead.
    /// </exception>
    public static double MeanAbsoluteScaledError(ReadOnlySpan<float> actual, ReadOnlySpan<float> forecast, ReadOnlySpan<float> inSample, int seasonalPeriod)
    {
        double scale = SeasonalNaiveScale(inSample, seasonalPeriod);
        if (scale == 0)
            throw new ArgumentException(UndefinedMase(inSample.Length, seasonalPeriod) + " Compare MAE or RMSE instead.", nameof(inSample));
        return MeanAbsoluteError(actual, forecast) / scale;
    }

    /// <summary>Why MASE cannot be computed when <see cref="SeasonalNaiveScale"/> is 0.</summary>
    internal static string UndefinedMase(int inSampleLength, int seasonalPeriod) => seasonalPeriod == 1
        ? $"MASE is undefined: the {inSampleLength} in-sample values are constant, so the naive forecast has no in-sample error to scale by."
        : $"MASE is undefined: the {inSampleLength} in-sample values repeat exactly with period {seasonalPeriod} (a constant series does too), " +
          "so the seasonal-naive forecast has no in-sample error to scale by.";

    /// <summary>Fraction of actual values inside <c>[lower, upper]</c> (bounds included).</summary>
    /// <param name="actual">Observed values.</param>
    /// <param name="lower">Lower bounds.</param>
    /// <param name="upper">Upper bounds.</param>
    public static double Coverage(ReadOnlySpan<float> actual, ReadOnlySpan<float> lower, ReadOnlySpan<float> upper)
    {
        CheckLengths(actual, lower);
        CheckLengths(actual, upper);
        int inside = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            if (actual[i] >= lower[i] && actual[i] <= upper[i])
                inside++;
        }
        return (double)inside / actual.Length;
    }

    /// <summary>
    /// The seasonal-naive forecast of the <paramref name="horizon"/> steps after <paramref name="history"/>: each step
    /// repeats the value one season earlier (<c>y[n + h] = y[n − season + h mod season]</c>).
    /// </summary>
    /// <param name="history">The series up to the forecast origin.</param>
    /// <param name="horizon">Steps to forecast.</param>
    /// <param name="seasonalPeriod">Steps per season (1 repeats the last value).</param>
    public static float[] SeasonalNaiveForecast(ReadOnlySpan<float> history, int horizon, int seasonalPeriod)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(seasonalPeriod, 1);
        if (history.Length < seasonalPeriod)
            throw new ArgumentException($"A seasonal-naive forecast with period {seasonalPeriod} needs at least {seasonalPeriod} past values; got {history.Length}.", nameof(history));
        var forecast = new float[horizon];
        for (int h = 0; h < horizon; h++)
            forecast[h] = history[history.Length - seasonalPeriod + h % seasonalPeriod];
        return forecast;
    }

    private static void CheckLengths(ReadOnlySpan<float> actual, ReadOnlySpan<float> other)
    {
        if (actual.Length == 0)
            throw new ArgumentException("There are no values to compare.", nameof(actual));
        if (other.Length != actual.Length)
            throw new ArgumentException($"{actual.Length} actual values but {other.Length} forecast values.", nameof(other));
    }
}
