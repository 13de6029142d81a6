using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.Text;

/// <summary>
/// Multiplies each (binarized) term count by the term's fitted naive Bayes log-count ratio; produced by
/// <see cref="LogCountRatioEstimator"/>. Reads no label: it scores rows without one.
/// </summary>
public sealed class LogCountRatioTransformer : RecurrentTransformerBase, ILoadableTransformer<LogCountRatioTransformer>
{
    internal const string LoaderSignature = "RecurrentLogCountRatio";
    internal const string ExpectedType = "a known-size vector of Single holding non-negative term counts";
    private static readonly ComponentFormat Format = new("RNNLCRAT", LoaderSignature, FormatVersion: 1);

    internal sealed record Settings(string OutputColumnName, string InputColumnName, bool Binarize, float Smoothing);

    private readonly Settings _settings;
    private readonly float[] _ratios;

    internal LogCountRatioTransformer(IHostEnvironment environment, Settings settings, float[] ratios)
        : base(environment, nameof(LogCountRatioTransformer))
    {
        _settings = settings;
        _ratios = ratios;
    }

    /// <summary>Each input slot's log-count ratio: positive for terms of the positive class, negative for the other's.</summary>
    public IReadOnlyList<float> Ratios => Array.AsReadOnly(_ratios);

    /// <summary>Whether counts are binarized (a term counts once per row).</summary>
    public bool Binarize => _settings.Binarize;

    internal static DataViewSchema.Column RequireInput(DataViewSchema schema, string name)
        => SchemaChecks.RequireColumn(schema, LogCountRatioEstimator.ComponentName, "input", name,
            t => t is VectorDataViewType { ItemType: var item, IsKnownSize: true } && item == NumberDataViewType.Single, ExpectedType);

    /// <summary>The input's slot names, which the output keeps (one term per slot), as a shape; null when it has none.</summary>
    internal static SchemaShape? SlotNamesOf(SchemaShape.Column input)
        => input.Annotations is { } annotations && SchemaChecks.TryFindColumn(annotations, AnnotationNames.SlotNames, out var names)
            ? new SchemaShape([names])
            : null;

    /// <summary>
    /// Calls <paramref name="add"/> with every non-zero slot of the row and its count (1 when binarizing), after checking
    /// that the count is finite and non-negative; the error names the column and the 0-based row.
    /// </summary>
    internal static void ForEachCount(in VBuffer<float> values, string column, Func<long> rowIndex, bool binarize, string stage, Action<int, float> add)
    {
        var counts = values.GetValues();
        var indices = values.IsDense ? default : values.GetIndices();
        for (int k = 0; k < counts.Length; k++)
        {
            float count = counts[k];
            int slot = values.IsDense ? k : indices[k];
            if (!(count >= 0) || float.IsPositiveInfinity(count))
                throw new InvalidOperationException(
                    $"{LogCountRatioEstimator.ComponentName}: row {rowIndex()} of column '{column}' has the value {count} in slot {slot} ({stage}); expected non-negative finite term counts.");
            if (count > 0)
                add(slot, binarize ? 1 : count);
        }
    }

    // Layout: the version header, a "Settings" entry (JSON) and a "Ratios" entry: the ratios as little-endian Single.
    private protected override void Save(ModelSaveContext ctx)
    {
        Format.BeginSave(ctx);
        ModelStreams.SaveJson(ctx, "Settings", _settings);
        var bytes = new byte[_ratios.Length * sizeof(float)];
        Buffer.BlockCopy(_ratios, 0, bytes, 0, bytes.Length);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Saving log-count ratios needs a little-endian machine.");
        ModelStreams.SaveBytes(ctx, "Ratios", bytes);
    }

    static LogCountRatioTransformer ILoadableTransformer<LogCountRatioTransformer>.Load(IHostEnvironment env, ComponentReader reader)
    {
        Format.BeginLoad(reader);
        var s = reader.LoadJson<Settings>("Settings", LoaderSignature);
        var bytes = reader.LoadBytes("Ratios", LoaderSignature);
        if (string.IsNullOrEmpty(s.OutputColumnName) || string.IsNullOrEmpty(s.InputColumnName) || !(s.Smoothing > 0)
            || bytes.Length % sizeof(float) != 0)
            throw new InvalidDataException($"The model file is damaged: component '{LoaderSignature}' has invalid settings.");
        var ratios = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, ratios, 0, bytes.Length);
        if (!ratios.All(float.IsFinite))
            throw new InvalidDataException($"The model file is damaged: component '{LoaderSignature}' holds a ratio that is not finite.");
        return new LogCountRatioTransformer(env, s, ratios);
    }

    private protected override RowMapping CreateMapping(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapping
    {
        private readonly LogCountRatioTransformer _owner;
        private readonly DataViewSchema.Column _input;

        public Mapper(LogCountRatioTransformer parent, DataViewSchema inputSchema)
            : base(inputSchema)
        {
            _owner = parent;
            _input = RequireInput(inputSchema, parent._settings.InputColumnName);
            int size = ((VectorDataViewType)_input.Type).Size;
            if (size != parent._ratios.Length)
                throw new ArgumentOutOfRangeException(nameof(inputSchema),
                    $"{LogCountRatioEstimator.ComponentName}: the input column '{_input.Name}' has {size} slots; the ratios were fitted on {parent._ratios.Length}.");
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumns()
        {
            var annotations = new DataViewSchema.Annotations.Builder();
            annotations.Add(_input.Annotations, name => name == AnnotationNames.SlotNames);
            return [new(_owner._settings.OutputColumnName, _input.Type, annotations.ToAnnotations())];
        }

        public override Func<int, bool> Dependencies(Func<int, bool> activeOutput)
            => column => column == _input.Index && activeOutput(0);

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var getSource = input.GetGetter<VBuffer<float>>(_input);
            var source = default(VBuffer<float>);
            var settings = _owner._settings;
            var ratios = _owner._ratios;
            var rowIndex = RowIndex.Getter(input);
            var slots = new List<int>();
            var weighted = new List<float>();
            // One delegate for every row: the getter runs once per row.
            Action<int, float> add = (slot, count) =>
            {
                slots.Add(slot);
                weighted.Add(ratios[slot] * count);
            };
            ValueGetter<VBuffer<float>> weight = (ref VBuffer<float> destination) =>
            {
                getSource(ref source);
                slots.Clear();
                weighted.Clear();
                ForEachCount(source, settings.InputColumnName, rowIndex, settings.Binarize, "scoring", add);
                // The output keeps the input's sparsity: only the terms the row holds.
                var editor = VBufferEditor.Create(ref destination, ratios.Length, slots.Count);
                for (int k = 0; k < slots.Count; k++)
                {
                    editor.Values[k] = weighted[k];
                    if (slots.Count < ratios.Length)
                        editor.Indices[k] = slots[k];
                }
                destination = editor.Commit();
            };
            return weight;
        }
    }
}
