namespace Microsoft.ML.Recurrent.Sequences;

/// <summary>How <see cref="NormalizeSequenceEstimator"/> scales values.</summary>
public enum NormalizationMode
{
    /// <summary>
    /// <c>(x - mean) / standardDeviation</c>, with the population standard deviation (divided by the count, as
    /// scikit-learn's <c>StandardScaler</c>): the fitted values get mean 0 and standard deviation 1.
    /// </summary>
    MeanStdDev,

    /// <summary><c>(x - min) / (max - min)</c>: the fitted values span [0, 1]; later values outside the fitted range fall outside it.</summary>
    MinMax,
}
