using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.Audio;

/// <summary>
/// Turns audio into a variable-length sequence of feature frames: mel-frequency cepstral coefficients (MFCC),
/// optionally followed by their deltas and delta-deltas and normalized per recording, ready for the recurrent
/// trainers' numeric-sequence input (<c>FeatureSize</c> = <see cref="MfccTransformer.FeaturesPerFrame"/>).
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input column</term><description>scalar text holding WAV file paths (PCM 8/16/24/32-bit or IEEE float; several channels are averaged), or a vector of Single holding the samples themselves (in [-1, 1], at <see cref="Options.SampleRate"/>).</description></item>
/// <item><term>Output column</term><description>variable-size vector of Single: frames × <see cref="MfccTransformer.FeaturesPerFrame"/> values, frame-major (frame 0's features first).</description></item>
/// <item><term>Needs training</term><description>no; <c>Fit</c> checks the schema and, when <see cref="Options.SampleRate"/> is 0, reads the sample rate from the first file's header.</description></item>
/// </list>
/// Each frame of <see cref="Options.FrameDuration"/> seconds, every <see cref="Options.HopDuration"/> seconds, is
/// pre-emphasized (<c>y[n] = x[n] - a x[n-1]</c> over the whole recording), Hamming-windowed, zero-padded to the FFT
/// size; its power spectrum goes through <see cref="Options.FilterCount"/> triangular filters spaced evenly on the
/// HTK mel scale (<c>1127 ln(1 + f / 700)</c>, triangles drawn on the mel axis), the natural log of each filter's
/// energy (floored at 1e-10) goes through an orthonormal DCT-II, and the first <see cref="Options.CoefficientCount"/>
/// coefficients are kept. Deltas are the regression <c>d[t] = Σ n (c[t+n] - c[t-n]) / (2 Σ n²)</c> over
/// n = 1..<see cref="Options.DeltaWindow"/>, repeating the first and last frames at the edges. The computation is
/// NWaves' MFCC extractor; no TorchSharp is involved.
/// <para>
/// Frames cover the recording from its start; the last partial frame is dropped, and a recording shorter than one
/// frame is zero-padded to one frame. Errors name the row, the column and the file: a missing or unreadable file,
/// another encoding (for example μ-law or ADPCM), a sample rate other than the transform's, a recording without
/// samples, and non-finite samples all throw.
/// </para>
/// </remarks>
public sealed class MfccEstimator : IEstimator<MfccTransformer>
{
    /// <summary>Settings of <see cref="MfccEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>Name of the output column (variable-size vector of Single). Required.</summary>
        public string OutputColumnName { get; set; } = "";

        /// <summary>Name of the input column: WAV paths (text) or samples (vector of Single). Default: null, meaning the same as <see cref="OutputColumnName"/>.</summary>
        public string? InputColumnName { get; set; }

        /// <summary>
        /// Sample rate in Hz the transform works at; every file must have it. Default 0: read from the first file at
        /// <c>Fit</c> (path columns only; a samples column must set it).
        /// </summary>
        public int SampleRate { get; set; }

        /// <summary>Folder that relative paths are resolved against. Default null: the current directory.</summary>
        public string? AudioFolder { get; set; }

        /// <summary>Length of one analysis frame in seconds. Default 0.025 (25 ms); rounded to whole samples.</summary>
        public double FrameDuration { get; set; } = 0.025;

        /// <summary>Time between the starts of consecutive frames in seconds. Default 0.010 (10 ms); rounded to whole samples.</summary>
        public double HopDuration { get; set; } = 0.010;

        /// <summary>Cepstral coefficients kept per frame (coefficient 0 included). Default 13; from 1 to <see cref="FilterCount"/>.</summary>
        public int CoefficientCount { get; set; } = 13;

        /// <summary>Triangular mel filters. Default 26 (HTK's usual number); at least 1.</summary>
        public int FilterCount { get; set; } = 26;

        /// <summary>FFT length in samples. Default 0: the smallest power of two that holds a frame; otherwise a power of two at least the frame length.</summary>
        public int FftSize { get; set; }

        /// <summary>Lower edge of the first mel filter in Hz. Default 0.</summary>
        public double LowFrequency { get; set; }

        /// <summary>Upper edge of the last mel filter in Hz. Default 0: half the sample rate.</summary>
        public double HighFrequency { get; set; }

        /// <summary>Pre-emphasis coefficient a of <c>y[n] = x[n] - a x[n-1]</c>. Default 0.97; in [0, 1), 0 for none.</summary>
        public double PreEmphasis { get; set; } = 0.97;

        /// <summary>Time derivatives appended to each frame. Default <see cref="MfccDeltas.None"/>.</summary>
        public MfccDeltas Deltas { get; set; } = MfccDeltas.None;

        /// <summary>Frames on each side used by the delta regression. Default 2; at least 1. Ignored without deltas.</summary>
        public int DeltaWindow { get; set; } = 2;

        /// <summary>Normalization with each recording's own statistics. Default <see cref="UtteranceNormalization.None"/>.</summary>
        public UtteranceNormalization Normalization { get; set; } = UtteranceNormalization.None;

        internal void Validate()
        {
            if (string.IsNullOrWhiteSpace(OutputColumnName))
                throw new ArgumentException("ExtractMfcc: OutputColumnName must be set.", nameof(OutputColumnName));
            Require(SampleRate >= 0, nameof(SampleRate), SampleRate, "0 (read from the first file) or a positive rate in Hz");
            Require(double.IsFinite(FrameDuration) && FrameDuration > 0, nameof(FrameDuration), FrameDuration, "a positive number of seconds");
            Require(double.IsFinite(HopDuration) && HopDuration > 0, nameof(HopDuration), HopDuration, "a positive number of seconds");
            Require(FilterCount >= 1, nameof(FilterCount), FilterCount, "at least 1");
            Require(CoefficientCount >= 1 && CoefficientCount <= FilterCount, nameof(CoefficientCount), CoefficientCount, $"from 1 to FilterCount ({FilterCount})");
            Require(FftSize == 0 || FftSize >= 2 && (FftSize & (FftSize - 1)) == 0, nameof(FftSize), FftSize, "0 (automatic) or a power of two");
            Require(double.IsFinite(LowFrequency) && LowFrequency >= 0, nameof(LowFrequency), LowFrequency, "a frequency of at least 0 Hz");
            Require(double.IsFinite(HighFrequency) && (HighFrequency == 0 || HighFrequency > LowFrequency), nameof(HighFrequency), HighFrequency,
                $"0 (half the sample rate) or above LowFrequency ({LowFrequency} Hz)");
            Require(PreEmphasis is >= 0 and < 1, nameof(PreEmphasis), PreEmphasis, "in [0, 1)");
            Require(Enum.IsDefined(Deltas), nameof(Deltas), Deltas, "a defined MfccDeltas value");
            Require(DeltaWindow >= 1, nameof(DeltaWindow), DeltaWindow, "at least 1");
            Require(Enum.IsDefined(Normalization), nameof(Normalization), Normalization, "a defined UtteranceNormalization value");
        }

        private static void Require(bool valid, string name, object value, string rule)
        {
            if (!valid)
                throw new ArgumentOutOfRangeException(name, value, $"ExtractMfcc: {name} must be {rule}; it is {value}.");
        }
    }

    internal const string ComponentName = "ExtractMfcc";
    private readonly IHostEnvironment _environment;
    private readonly Options _options;

    internal MfccEstimator(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _environment = environment;
        _options = options;
    }

    /// <summary>Checks the input column and fixes the sample rate (from the first file when it is not set).</summary>
    public MfccTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaChecks.ShapeOf(input.Schema));
        string inputName = _options.InputColumnName ?? _options.OutputColumnName;
        bool isPath = input.Schema[inputName].Type is TextDataViewType;
        int sampleRate = _options.SampleRate;
        if (sampleRate == 0)
        {
            if (!isPath)
                throw new ArgumentException($"ExtractMfcc: the input column '{inputName}' holds samples, which carry no sample rate; set SampleRate.", nameof(input));
            sampleRate = FirstFileSampleRate(input, inputName);
        }
        var settings = MfccTransformer.Settings.Create(_options, inputName, isPath, sampleRate);
        return new MfccTransformer(_environment, settings);
    }

    private int FirstFileSampleRate(IDataView input, string inputName)
    {
        var column = input.Schema[inputName];
        using var cursor = input.GetRowCursor([column]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        var text = default(ReadOnlyMemory<char>);
        if (!cursor.MoveNext())
            throw new InvalidOperationException($"ExtractMfcc: the column '{inputName}' has no rows to read a sample rate from; set SampleRate.");
        getter(ref text);
        string where = MfccTransformer.Where(inputName, cursor.Position);
        return WaveAudio.ReadSampleRate(MfccTransformer.ResolvePath(text.ToString(), _options.AudioFolder, where), where);
    }

    /// <summary>Checks the input column and describes the output column.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        string inputName = _options.InputColumnName ?? _options.OutputColumnName;
        SchemaChecks.RequireColumn(inputSchema, ComponentName, "input", inputName,
            c => c.Kind == SchemaShape.Column.VectorKind.Scalar && c.ItemType is TextDataViewType
                || c.Kind != SchemaShape.Column.VectorKind.Scalar && c.ItemType == NumberDataViewType.Single && !c.IsKey,
            MfccTransformer.ExpectedType);
        return SchemaChecks.WithColumns(inputSchema,
            SchemaChecks.NewColumn(_options.OutputColumnName, SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Single, false));
    }
}
