using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Audio;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Runtime;


namespace Microsoft.ML.Recurrent.Audio;

/// <summary>
/// Computes MFCC feature frames from WAV paths or samples; produced by <see cref="MfccEstimator"/>, where the
/// computation is described. Outside a pipeline, <see cref="ExtractFeatures(string)"/> gives the same frames.
/// </summary>
public sealed class MfccTransformer : RecurrentTransformerBase, ILoadableTransformer<MfccTransformer>
{
    internal const string LoaderSignature = "RecurrentMfcc";
    internal const string ExpectedType = "scalar text (WAV file paths) or a vector of Single (samples in [-1, 1])";
    private static readonly ComponentFormat Format = new("RNNMFCCF", LoaderSignature, FormatVersion: 1);

    /// <summary>Everything the computation needs, with frame and hop lengths fixed in samples. Saved as JSON.</summary>
    internal sealed record Settings(string OutputColumnName, string InputColumnName, bool InputIsPath, int SampleRate,
        string? AudioFolder, int FrameSize, int HopSize, int FftSize, int CoefficientCount, int FilterCount,
        double LowFrequency, double HighFrequency, double PreEmphasis, MfccDeltas Deltas, int DeltaWindow,
        UtteranceNormalization Normalization)
    {
        public int FeaturesPerFrame => CoefficientCount * (1 + (int)Deltas);

        public static Settings Create(MfccEstimator.Options options, string inputName, bool inputIsPath, int sampleRate)
        {
            int frame = (int)Math.Round(options.FrameDuration * sampleRate, MidpointRounding.AwayFromZero);
            int hop = (int)Math.Round(options.HopDuration * sampleRate, MidpointRounding.AwayFromZero);
            if (frame < 2 || hop < 1)
                throw new ArgumentOutOfRangeException(nameof(options),
                    $"ExtractMfcc: at {sampleRate} Hz, FrameDuration {options.FrameDuration} s is {frame} samples and HopDuration {options.HopDuration} s is {hop}; a frame needs at least 2 samples and a hop at least 1.");
            int fft = options.FftSize == 0 ? (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)frame) : options.FftSize;
            if (fft < frame)
                throw new ArgumentOutOfRangeException(nameof(options), $"ExtractMfcc: FftSize {fft} is shorter than a frame ({frame} samples at {sampleRate} Hz).");
            double nyquist = sampleRate / 2.0;
            if (options.HighFrequency > nyquist || options.LowFrequency >= nyquist)
                throw new ArgumentOutOfRangeException(nameof(options),
                    $"ExtractMfcc: the filters must lie below half the sample rate ({nyquist} Hz); LowFrequency is {options.LowFrequency} Hz and HighFrequency {options.HighFrequency} Hz.");
            return new Settings(options.OutputColumnName, inputName, inputIsPath, sampleRate, options.AudioFolder, frame, hop, fft,
                options.CoefficientCount, options.FilterCount, options.LowFrequency, options.HighFrequency, options.PreEmphasis,
                options.Deltas, options.DeltaWindow, options.Normalization);
        }
    }

    private readonly Settings _settings;

    internal MfccTransformer(IHostEnvironment environment, Settings settings)
        : base(environment, nameof(MfccTransformer))
    {
        _settings = settings;
        // Building the extractor once checks the settings (a damaged model fails on load, not on the first row).
        _ = new MfccComputer(settings);
    }

    /// <summary>Sample rate in Hz that every recording must have.</summary>
    public int SampleRate => _settings.SampleRate;

    /// <summary>Samples per analysis frame.</summary>
    public int FrameLength => _settings.FrameSize;

    /// <summary>Samples between the starts of consecutive frames.</summary>
    public int HopLength => _settings.HopSize;

    /// <summary>Cepstral coefficients per frame, before deltas.</summary>
    public int CoefficientCount => _settings.CoefficientCount;

    /// <summary>Time derivatives appended to the coefficients.</summary>
    public MfccDeltas Deltas => _settings.Deltas;

    /// <summary>Normalization with each recording's own statistics.</summary>
    public UtteranceNormalization Normalization => _settings.Normalization;

    /// <summary>
    /// Values per frame: <see cref="CoefficientCount"/> times 1, 2 or 3 (with deltas and delta-deltas). This is the
    /// <c>FeatureSize</c> of a recurrent trainer reading the output column.
    /// </summary>
    public int FeaturesPerFrame => _settings.FeaturesPerFrame;

    /// <summary>Whether the input column holds file paths (true) or samples (false).</summary>
    public bool ReadsFiles => _settings.InputIsPath;

    /// <summary>Frames computed from <paramref name="sampleCount"/> samples: at least 1, then one more per hop that still fits a whole frame.</summary>
    public int FrameCount(int sampleCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleCount, 1);
        return sampleCount <= _settings.FrameSize ? 1 : (sampleCount - _settings.FrameSize) / _settings.HopSize + 1;
    }

    /// <summary>The feature frames of a WAV file, exactly as the output column holds them (relative paths use the transform's audio folder).</summary>
    public float[] ExtractFeatures(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string where = "ExtractMfcc";
        return Compute(new MfccComputer(_settings), ReadFile(path, where), where);
    }

    /// <summary>The feature frames of samples at <see cref="SampleRate"/>, exactly as the output column holds them.</summary>
    public float[] ExtractFeatures(ReadOnlySpan<float> samples)
    {
        string where = "ExtractMfcc";
        return Compute(new MfccComputer(_settings), samples.ToArray(), where);
    }

    private float[] ReadFile(string path, string where)
    {
        var (samples, rate) = WaveAudio.Read(ResolvePath(path, _settings.AudioFolder, where), where);
        if (rate != _settings.SampleRate)
            throw new InvalidDataException(
                $"{where}: the audio file '{path}' is sampled at {rate} Hz; this MFCC transform works at {_settings.SampleRate} Hz. Resample the file first (for example with sox), or fit a transform for {rate} Hz.");
        return samples;
    }

    private static float[] Compute(MfccComputer computer, float[] samples, string where)
    {
        if (samples.Length == 0)
            throw new InvalidDataException($"{where}: the recording has no samples.");
        for (int i = 0; i < samples.Length; i++)
        {
            if (!float.IsFinite(samples[i]))
                throw new InvalidDataException($"{where}: sample {i} is {samples[i]}; samples must be finite numbers (normally in [-1, 1]).");
        }
        return computer.Compute(samples);
    }

    /// <summary>How errors locate a row: "ExtractMfcc: row 3 of column 'Path'".</summary>
    internal static string Where(string column, long row) => $"ExtractMfcc: row {row} of column '{column}'";

    internal static string ResolvePath(string path, string? folder, string where)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new InvalidDataException($"{where}: the path is empty; expected the path of a WAV file.");
        return folder is null || Path.IsPathRooted(path) ? path : Path.Combine(folder, path);
    }

    // Layout: the version header, then a "Settings" entry with the settings as JSON.
    private protected override void Save(ModelSaveContext ctx)
    {
        Format.BeginSave(ctx);
        ModelStreams.SaveJson(ctx, "Settings", _settings);
    }

    static MfccTransformer ILoadableTransformer<MfccTransformer>.Load(IHostEnvironment env, ComponentReader reader)
    {
        Format.BeginLoad(reader);
        var s = reader.LoadJson<Settings>("Settings", LoaderSignature);
        if (string.IsNullOrEmpty(s.OutputColumnName) || string.IsNullOrEmpty(s.InputColumnName) || s.SampleRate < 1 || s.FrameSize < 2
            || s.HopSize < 1 || s.FftSize < s.FrameSize || s.CoefficientCount < 1 || s.FilterCount < s.CoefficientCount
            || !Enum.IsDefined(s.Deltas) || !Enum.IsDefined(s.Normalization) || s.DeltaWindow < 1 || s.PreEmphasis is < 0 or >= 1)
            throw new InvalidDataException($"The model file is damaged: component '{LoaderSignature}' has invalid settings.");
        return new MfccTransformer(env, s);
    }

    private protected override RowMapping CreateMapping(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapping
    {
        private readonly MfccTransformer _owner;
        private readonly DataViewSchema.Column _input;

        public Mapper(MfccTransformer parent, DataViewSchema inputSchema)
            : base(inputSchema)
        {
            _owner = parent;
            var settings = parent._settings;
            _input = SchemaChecks.RequireColumn(inputSchema, MfccEstimator.ComponentName, "input", settings.InputColumnName,
                t => settings.InputIsPath ? t is TextDataViewType : t is VectorDataViewType { ItemType: var item } && item == NumberDataViewType.Single,
                settings.InputIsPath ? "scalar text (WAV file paths), as when the transform was fitted" : "a vector of Single (samples), as when the transform was fitted");
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumns()
            => [new(_owner._settings.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single))];

        public override Func<int, bool> Dependencies(Func<int, bool> activeOutput)
            => column => column == _input.Index && activeOutput(0);

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var settings = _owner._settings;
            var computer = new MfccComputer(settings);
            var rowIndex = RowIndex.Getter(input);
            // Features of the row under the cursor, computed once however often the getter is called for it.
            long cachedPosition = -1;
            float[] cached = [];
            Func<float[]> read;
            if (settings.InputIsPath)
            {
                var getPath = input.GetGetter<ReadOnlyMemory<char>>(_input);
                var path = default(ReadOnlyMemory<char>);
                read = () =>
                {
                    getPath(ref path);
                    string where = Where(settings.InputColumnName, rowIndex());
                    return Compute(computer, _owner.ReadFile(path.ToString(), where), where);
                };
            }
            else
            {
                var getSamples = input.GetGetter<VBuffer<float>>(_input);
                var samples = default(VBuffer<float>);
                read = () =>
                {
                    getSamples(ref samples);
                    return Compute(computer, samples.DenseValues().ToArray(), Where(settings.InputColumnName, rowIndex()));
                };
            }
            ValueGetter<VBuffer<float>> features = (ref VBuffer<float> destination) =>
            {
                if (cachedPosition != input.Position || cachedPosition < 0)
                {
                    cached = read();
                    cachedPosition = input.Position;
                }
                var editor = VBufferEditor.Create(ref destination, cached.Length);
                cached.CopyTo(editor.Values);
                destination = editor.Commit();
            };
            return features;
        }
    }
}
