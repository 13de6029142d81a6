using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Sequences;
using Microsoft.ML.Recurrent;

namespace Microsoft.ML;

/// <summary>Sequence preprocessing on <c>mlContext.Transforms</c>.</summary>
public static class SequenceTransformsCatalogExtensions
{
    /// <summary>
    /// Pads or truncates a vector column to exactly <paramref name="length"/> elements (Keras <c>pad_sequences</c>).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Output column: a vector of the input's item type with <paramref name="length"/> elements.</param>
    /// <param name="length">Elements per output vector; must be positive.</param>
    /// <param name="inputColumnName">Input column: a vector of numbers or keys. Default: <paramref name="outputColumnName"/>.</param>
    /// <param name="padding">Where pad values go. Default: <see cref="SequenceEnd.End"/>.</param>
    /// <param name="truncation">Where longer inputs lose elements. Default: <see cref="SequenceEnd.Start"/> (keeps the last elements); <see cref="SequenceEnd.Middle"/> keeps the head and the tail.</param>
    /// <param name="padValue">The pad value. Default: 0.</param>
    /// <param name="lengthColumnName">Optional Int32 column receiving each row's kept length.</param>
    public static PadSequenceEstimator PadSequence(this TransformsCatalog catalog, string outputColumnName, int length,
        string? inputColumnName = null, SequenceEnd padding = SequenceEnd.End, SequenceEnd truncation = SequenceEnd.Start,
        double padValue = 0, string? lengthColumnName = null)
        => catalog.PadSequence(new PadSequenceEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            Length = length,
            Padding = padding,
            Truncation = truncation,
            PadValue = padValue,
            LengthColumnName = lengthColumnName,
        });

    /// <summary>Pads or truncates a vector column to a fixed length, with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The settings; see <see cref="PadSequenceEstimator.Options"/> for defaults.</param>
    public static PadSequenceEstimator PadSequence(this TransformsCatalog catalog, PadSequenceEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new PadSequenceEstimator(BridgeEnvironment.FromCatalog(catalog), options);
    }

    /// <summary>
    /// Normalizes a sequence column with statistics fitted over all its elements (per feature when
    /// <paramref name="featureCount"/> &gt; 1), keeping the vector's length.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Output column: a vector of Single with the input's length.</param>
    /// <param name="inputColumnName">Input column: a vector of Single. Default: <paramref name="outputColumnName"/>.</param>
    /// <param name="mode">Mean/standard deviation or min/max scaling. Default: <see cref="NormalizationMode.MeanStdDev"/>.</param>
    /// <param name="featureCount">Interleaved features per time step (element i is feature i % featureCount). Default: 1; at least 1.</param>
    public static NormalizeSequenceEstimator NormalizeSequence(this TransformsCatalog catalog, string outputColumnName,
        string? inputColumnName = null, NormalizationMode mode = NormalizationMode.MeanStdDev, int featureCount = 1)
        => catalog.NormalizeSequence(new NormalizeSequenceEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            Mode = mode,
            FeatureCount = featureCount,
        });

    /// <summary>Normalizes a sequence column, with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The settings; see <see cref="NormalizeSequenceEstimator.Options"/> for defaults.</param>
    public static NormalizeSequenceEstimator NormalizeSequence(this TransformsCatalog catalog, NormalizeSequenceEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new NormalizeSequenceEstimator(BridgeEnvironment.FromCatalog(catalog), options);
    }
}
