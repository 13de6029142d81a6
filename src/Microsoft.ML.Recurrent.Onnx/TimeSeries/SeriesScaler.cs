namespace Microsoft.ML.Recurrent.TimeSeries;

/// <summary>How a forecaster rescales the value column before training.</summary>
public enum SeriesScaling
{
    /// <summary><c>(x - mean) / standard deviation</c>; suits additive series.</summary>
    Standard,

    /// <summary>
    /// <c>(log x - mean) / standard deviation</c> of the logs; suits multiplicative seasonality and growth (airline
    /// passengers), where the swings grow with the level. Every value must be positive.
    /// </summary>
    Log,
}

/// <summary>
/// A fitted affine scaling, optionally after a logarithm, of one series column; stored in forecasting models so that
/// forecasts come back in original units.
/// </summary>
/// <param name="Column">The column it was fitted on (used in messages).</param>
/// <param name="Log">Whether values pass through the natural logarithm first.</param>
/// <param name="Offset">Subtracted after the logarithm: the mean.</param>
/// <param name="Scale">Divisor after the offset: the population standard deviation, or 1 when that is zero.</param>
public sealed record SeriesScaler(string Column, bool Log, double Offset, double Scale)
{
    /// <summary>Fits the scaling on <paramref name="values"/> (the training series only).</summary>
    /// <param name="column">Name of the column, used in messages.</param>
    /// <param name="values">Finite values; positive for <see cref="SeriesScaling.Log"/>.</param>
    /// <param name="scaling">Plain standardization, or standardization of the logs.</param>
    public static SeriesScaler Fit(string column, IReadOnlyList<float> values, SeriesScaling scaling = SeriesScaling.Standard)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
            throw new ArgumentException($"Column '{column}' has no values to fit a scaling on.", nameof(values));
        bool log = scaling == SeriesScaling.Log;
        double sum = 0, sumSquares = 0;
        for (int i = 0; i < values.Count; i++)
        {
            double v = values[i];
            if (!double.IsFinite(v))
                throw new InvalidDataException($"Column '{column}' holds {v} at row {i} (0-based); scaling needs finite values.");
            if (log && v <= 0)
                throw new InvalidDataException($"Column '{column}' holds {v} at row {i} (0-based); log scaling needs positive values (use SeriesScaling.Standard).");
            if (log)
                v = Math.Log(v);
            sum += v;
            sumSquares += v * v;
        }
        double mean = sum / values.Count;
        double std = Math.Sqrt(Math.Max(0, sumSquares / values.Count - mean * mean));
        return new SeriesScaler(column, log, mean, std > 1e-12 ? std : 1);
    }

    /// <summary>Maps a value in original units to the scaled space the network sees.</summary>
    /// <param name="value">Original value (positive when <see cref="Log"/>).</param>
    /// <exception cref="InvalidDataException">The value is not finite, or not positive under log scaling.</exception>
    public float Transform(float value)
    {
        if (!float.IsFinite(value) || (Log && value <= 0))
            throw new InvalidDataException($"Column '{Column}' holds {value}; the model's {(Log ? "log " : "")}scaling needs {(Log ? "positive" : "finite")} values.");
        double v = Log ? Math.Log(value) : value;
        return (float)((v - Offset) / Scale);
    }

    /// <summary>Maps a scaled value back to original units; the inverse of <see cref="Transform"/>.</summary>
    /// <param name="scaled">A value in scaled space.</param>
    public float Inverse(float scaled)
    {
        double v = scaled * Scale + Offset;
        return (float)(Log ? Math.Exp(v) : v);
    }
}
