using Microsoft.ML.Recurrent.Audio;
using Microsoft.ML.Recurrent.MLNetBridge;

namespace Microsoft.ML;

/// <summary>Audio features for recurrent models on <c>mlContext.Transforms</c>.</summary>
public static class AudioCatalogExtensions
{
    /// <summary>
    /// Turns WAV paths or samples into a variable-length sequence of MFCC frames (25 ms frames every 10 ms,
    /// 26 mel filters by default); see <see cref="MfccEstimator"/> for the computation.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Output column: a variable-size vector of Single, frames × features per frame.</param>
    /// <param name="inputColumnName">Input column: WAV paths (text) or samples (vector of Single). Default: <paramref name="outputColumnName"/>.</param>
    /// <param name="sampleRate">Sample rate in Hz. Default 0: read from the first file (a samples column must set it).</param>
    /// <param name="coefficientCount">Cepstral coefficients per frame. Default 13.</param>
    /// <param name="deltas">Deltas appended to each frame. Default <see cref="MfccDeltas.None"/>.</param>
    /// <param name="normalization">Per-recording normalization. Default <see cref="UtteranceNormalization.None"/>.</param>
    public static MfccEstimator ExtractMfcc(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null,
        int sampleRate = 0, int coefficientCount = 13, MfccDeltas deltas = MfccDeltas.None,
        UtteranceNormalization normalization = UtteranceNormalization.None)
        => catalog.ExtractMfcc(new MfccEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            SampleRate = sampleRate,
            CoefficientCount = coefficientCount,
            Deltas = deltas,
            Normalization = normalization,
        });

    /// <summary>Turns WAV paths or samples into MFCC frames, with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The settings; see <see cref="MfccEstimator.Options"/> for defaults.</param>
    public static MfccEstimator ExtractMfcc(this TransformsCatalog catalog, MfccEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MfccEstimator(BridgeEnvironment.FromCatalog(catalog), options);
    }
}
