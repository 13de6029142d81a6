using NWaves.FeatureExtractors;
using NWaves.FeatureExtractors.Base;
using NWaves.FeatureExtractors.Options;
using NWaves.Windows;

namespace Microsoft.ML.Recurrent.Audio;

/// <summary>
/// Computes the feature frames of one recording with NWaves' MFCC extractor, then the deltas and the per-recording
/// normalization. Holds the extractor's work buffers, so each thread (each cursor) needs its own instance.
/// </summary>
internal sealed class MfccComputer
{
    /// <summary>Filter energies below this are floored before the log, so silent (all-zero) frames stay finite.</summary>
    internal const float LogFloor = 1e-10f;

    private readonly MfccTransformer.Settings _settings;
    private readonly MfccExtractor _extractor;

    public MfccComputer(MfccTransformer.Settings settings)
    {
        _settings = settings;
        _extractor = new MfccExtractor(new MfccOptions
        {
            SamplingRate = settings.SampleRate,
            FeatureCount = settings.CoefficientCount,
            // Sizes in samples take priority over durations in NWaves: the transform fixed them when it was fitted.
            FrameSize = settings.FrameSize,
            HopSize = settings.HopSize,
            FftSize = settings.FftSize,
            FilterBankSize = settings.FilterCount,
            LowFrequency = settings.LowFrequency,
            HighFrequency = settings.HighFrequency,
            PreEmphasis = settings.PreEmphasis,
            Window = WindowType.Hamming,
            SpectrumType = SpectrumType.Power,
            NonLinearity = NonLinearityType.LogE,
            LogFloor = LogFloor,
            DctType = "2N",
        });
    }

    /// <summary>Frames × features-per-frame values, frame-major. <paramref name="samples"/> must be non-empty and finite.</summary>
    public float[] Compute(float[] samples)
    {
        if (samples.Length < _settings.FrameSize)
        {
            // A recording shorter than one frame still gets one frame, of itself followed by silence.
            var padded = new float[_settings.FrameSize];
            samples.CopyTo(padded, 0);
            samples = padded;
        }
        var frames = _extractor.ComputeFrom(samples);
        if (_settings.Deltas != MfccDeltas.None)
            FeaturePostProcessing.AddDeltas(frames, includeDeltaDelta: _settings.Deltas == MfccDeltas.DeltaDelta, N: _settings.DeltaWindow);
        if (_settings.Normalization != UtteranceNormalization.None)
            Normalize(frames, _settings.Normalization == UtteranceNormalization.MeanVariance);
        int width = _settings.FeaturesPerFrame;
        var result = new float[frames.Count * width];
        for (int t = 0; t < frames.Count; t++)
            frames[t].AsSpan(0, width).CopyTo(result.AsSpan(t * width));
        return result;
    }

    /// <summary>Shifts each feature to mean 0 over the frames and, when asked, scales it to population standard deviation 1.</summary>
    private static void Normalize(List<float[]> frames, bool scale)
    {
        int width = frames[0].Length;
        for (int f = 0; f < width; f++)
        {
            double mean = 0;
            foreach (var frame in frames)
                mean += frame[f];
            mean /= frames.Count;
            double variance = 0;
            foreach (var frame in frames)
                variance += (frame[f] - mean) * (frame[f] - mean);
            double deviation = Math.Sqrt(variance / frames.Count);
            // A constant feature (one frame, or digital silence) is only shifted: dividing by ~0 would blow it up.
            double divisor = scale && deviation > 1e-8 ? deviation : 1;
            foreach (var frame in frames)
                frame[f] = (float)((frame[f] - mean) / divisor);
        }
    }
}
