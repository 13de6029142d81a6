using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Sequences;
using Microsoft.ML.Runtime;


namespace Microsoft.ML.Recurrent.Sequences;

/// <summary>
/// Scales a sequence column with fitted per-feature statistics, <c>(x - offset) / scale</c>, and maps values back;
/// produced by <see cref="NormalizeSequenceEstimator"/>.
/// </summary>
public sealed class NormalizeSequenceTransformer : RecurrentTransformerBase, ILoadableTransformer<NormalizeSequenceTransformer>
{
    internal const string LoaderSignature = "RecurrentNormalizeSeq";
    internal const string ExpectedType = "a vector of Single (fixed or variable size)";
    private static readonly ComponentFormat Format = new("RNNNRMSQ", LoaderSignature, FormatVersion: 1);

    internal sealed record Settings(string OutputColumnName, string InputColumnName, NormalizationMode Mode, int FeatureCount,
        double[] Offsets, double[] Scales);

    private readonly Settings _settings;

    internal NormalizeSequenceTransformer(IHostEnvironment environment, Settings settings)
        : base(environment, nameof(NormalizeSequenceTransformer))
    {
        _settings = settings;
    }

    /// <summary>How the statistics were computed.</summary>
    public NormalizationMode Mode => _settings.Mode;

    /// <summary>Number of interleaved features; element i of a vector belongs to feature <c>i % FeatureCount</c>.</summary>
    public int FeatureCount => _settings.FeatureCount;

    /// <summary>Per feature, the value subtracted: the mean (<see cref="NormalizationMode.MeanStdDev"/>) or the minimum (<see cref="NormalizationMode.MinMax"/>).</summary>
    public IReadOnlyList<double> Offsets => Array.AsReadOnly(_settings.Offsets);

    /// <summary>
    /// Per feature, the divisor: the population standard deviation or the range (maximum - minimum); 1 when that is zero.
    /// </summary>
    public IReadOnlyList<double> Scales => Array.AsReadOnly(_settings.Scales);

    /// <summary>Normalizes one value of feature <paramref name="feature"/> (0-based) the way the output column does.</summary>
    public float Normalize(float value, int feature)
    {
        CheckFeature(feature);
        return (float)((value - _settings.Offsets[feature]) / _settings.Scales[feature]);
    }

    /// <summary>Maps one normalized value of feature <paramref name="feature"/> (0-based) back to original units.</summary>
    public float Inverse(float value, int feature)
    {
        CheckFeature(feature);
        return (float)(value * _settings.Scales[feature] + _settings.Offsets[feature]);
    }

    /// <summary>
    /// Maps a normalized sequence (flattened [steps, <see cref="FeatureCount"/>], element i of feature
    /// <c>i % FeatureCount</c>) back to original units. Both spans must have the same length, a multiple of
    /// <see cref="FeatureCount"/>; they may be the same memory.
    /// </summary>
    public void Inverse(ReadOnlySpan<float> normalized, Span<float> original)
    {
        if (normalized.Length != original.Length)
            throw new ArgumentException($"NormalizeSequence: the destination has {original.Length} elements; expected {normalized.Length}.", nameof(original));
        if (normalized.Length % FeatureCount != 0)
            throw new ArgumentException($"NormalizeSequence: the sequence has {normalized.Length} elements, not a multiple of FeatureCount = {FeatureCount}.", nameof(normalized));
        for (int i = 0; i < normalized.Length; i++)
        {
            int f = i % FeatureCount;
            original[i] = (float)(normalized[i] * _settings.Scales[f] + _settings.Offsets[f]);
        }
    }

    private void CheckFeature(int feature)
    {
        if ((uint)feature >= (uint)FeatureCount)
            throw new ArgumentOutOfRangeException(nameof(feature), feature, $"NormalizeSequence: feature must be in [0, {FeatureCount}).");
    }

    internal static DataViewSchema.Column RequireInput(DataViewSchema schema, string name, int featureCount)
    {
        var column = SchemaChecks.RequireColumn(schema, NormalizeSequenceEstimator.ComponentName, "input", name,
            t => t is VectorDataViewType { ItemType: var item } && item == NumberDataViewType.Single, ExpectedType);
        int size = ((VectorDataViewType)column.Type).Size;
        if (size % featureCount != 0)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"NormalizeSequence: the input column '{name}' has fixed size {size}, not a multiple of FeatureCount = {featureCount}.");
        return column;
    }

    /// <summary>
    /// Returns the row's values after checking that its length is a multiple of the feature count and every value is
    /// finite; the errors name the column and the 0-based row (asked for only when there is an error).
    /// </summary>
    internal static ReadOnlySpan<float> CheckRow(in VBuffer<float> values, string column, Func<long> rowIndex, int featureCount, string stage)
    {
        if (values.Length % featureCount != 0)
            throw new InvalidOperationException(
                $"NormalizeSequence: row {rowIndex()} of column '{column}' has {values.Length} elements, not a multiple of FeatureCount = {featureCount} ({stage}).");
        var dense = values.IsDense ? values.GetValues() : values.DenseValues().ToArray();
        for (int i = 0; i < dense.Length; i++)
        {
            if (!float.IsFinite(dense[i]))
                throw new InvalidOperationException(
                    $"NormalizeSequence: row {rowIndex()} of column '{column}' has the value {dense[i]} at element {i} ({stage}); values must be finite. Clean or impute the data first.");
        }
        return dense;
    }

    // Layout: the version header, then a "Settings" entry holding the settings and statistics as JSON
    // (System.Text.Json writes doubles in round-trip form, so the statistics load bit for bit).
    private protected override void Save(ModelSaveContext ctx)
    {
        Format.BeginSave(ctx);
        ModelStreams.SaveJson(ctx, "Settings", _settings);
    }

    static NormalizeSequenceTransformer ILoadableTransformer<NormalizeSequenceTransformer>.Load(IHostEnvironment env, ComponentReader reader)
    {
        Format.BeginLoad(reader);
        var s = reader.LoadJson<Settings>("Settings", LoaderSignature);
        if (string.IsNullOrEmpty(s.OutputColumnName) || string.IsNullOrEmpty(s.InputColumnName) || s.FeatureCount < 1
            || s.Offsets?.Length != s.FeatureCount || s.Scales?.Length != s.FeatureCount
            || !s.Offsets.All(double.IsFinite) || !s.Scales.All(v => double.IsFinite(v) && v > 0))
            throw new InvalidDataException($"The model file is damaged: component '{LoaderSignature}' has invalid settings.");
        return new NormalizeSequenceTransformer(env, s);
    }

    private protected override RowMapping CreateMapping(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapping
    {
        private readonly NormalizeSequenceTransformer _owner;
        private readonly DataViewSchema.Column _input;

        public Mapper(NormalizeSequenceTransformer parent, DataViewSchema inputSchema)
            : base(inputSchema)
        {
            _owner = parent;
            _input = RequireInput(inputSchema, parent._settings.InputColumnName, parent.FeatureCount);
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumns()
            => [new(_owner._settings.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, ((VectorDataViewType)_input.Type).Size))];

        public override Func<int, bool> Dependencies(Func<int, bool> activeOutput)
            => column => column == _input.Index && activeOutput(0);

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var getSource = input.GetGetter<VBuffer<float>>(_input);
            var source = default(VBuffer<float>);
            var settings = _owner._settings;
            var rowIndex = RowIndex.Getter(input);
            ValueGetter<VBuffer<float>> normalized = (ref VBuffer<float> destination) =>
            {
                getSource(ref source);
                var values = CheckRow(source, settings.InputColumnName, rowIndex, settings.FeatureCount, "scoring");
                var editor = VBufferEditor.Create(ref destination, values.Length);
                for (int i = 0; i < values.Length; i++)
                {
                    int f = i % settings.FeatureCount;
                    editor.Values[i] = (float)((values[i] - settings.Offsets[f]) / settings.Scales[f]);
                }
                destination = editor.Commit();
            };
            return normalized;
        }
    }
}
