using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Sequences;
using Microsoft.ML.Runtime;


namespace Microsoft.ML.Recurrent.Sequences;

/// <summary>Pads and truncates a vector column to a fixed length; produced by <see cref="PadSequenceEstimator"/>.</summary>
public sealed class PadSequenceTransformer : RecurrentTransformerBase, ILoadableTransformer<PadSequenceTransformer>
{
    internal const string LoaderSignature = "RecurrentPadSequence";
    internal const string ExpectedType = "a vector of Single, Double, Int32, Int64, UInt32 or a key type";
    private static readonly ComponentFormat Format = new("RNNPADSQ", LoaderSignature, FormatVersion: 1);

    internal sealed record Settings(string OutputColumnName, string InputColumnName, int Length, SequenceEnd Padding,
        SequenceEnd Truncation, double PadValue, string? LengthColumnName)
    {
        public static Settings From(PadSequenceEstimator.Options options) => new(options.OutputColumnName,
            options.InputColumnName ?? options.OutputColumnName, options.Length, options.Padding, options.Truncation,
            options.PadValue, options.LengthColumnName);
    }

    private readonly Settings _settings;

    internal PadSequenceTransformer(IHostEnvironment environment, Settings settings)
        : base(environment, nameof(PadSequenceTransformer))
    {
        _settings = settings;
    }

    /// <summary>Number of elements of every output vector.</summary>
    public int Length => _settings.Length;

    /// <summary>Where pad values are added.</summary>
    public SequenceEnd Padding => _settings.Padding;

    /// <summary>Where elements are dropped from longer inputs.</summary>
    public SequenceEnd Truncation => _settings.Truncation;

    internal static bool IsSupportedItem(DataViewType type)
        => type is KeyDataViewType || type == NumberDataViewType.Single || type == NumberDataViewType.Double
           || type == NumberDataViewType.Int32 || type == NumberDataViewType.Int64 || type == NumberDataViewType.UInt32;

    // Layout: the version header, then a "Settings" entry holding the settings as JSON.
    private protected override void Save(ModelSaveContext ctx)
    {
        Format.BeginSave(ctx);
        ModelStreams.SaveJson(ctx, "Settings", _settings);
    }

    static PadSequenceTransformer ILoadableTransformer<PadSequenceTransformer>.Load(IHostEnvironment env, ComponentReader reader)
    {
        Format.BeginLoad(reader);
        var settings = reader.LoadJson<Settings>("Settings", LoaderSignature);
        if (settings.Length <= 0 || string.IsNullOrEmpty(settings.OutputColumnName) || string.IsNullOrEmpty(settings.InputColumnName)
            || !Enum.IsDefined(settings.Truncation) || settings.Padding is not (SequenceEnd.Start or SequenceEnd.End))
            throw new InvalidDataException($"The model file is damaged: component '{LoaderSignature}' has invalid settings.");
        return new PadSequenceTransformer(env, settings);
    }

    private protected override RowMapping CreateMapping(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/> (length <c>Length</c>) with padding and
    /// truncation applied, and returns how many source elements were kept.
    /// </summary>
    internal int Pad<T>(ReadOnlySpan<T> source, Span<T> destination, T padValue)
    {
        int length = destination.Length;
        int kept = Math.Min(source.Length, length);
        int offset = _settings.Padding == SequenceEnd.Start ? length - kept : 0;
        destination.Fill(padValue);
        var target = destination[offset..];
        switch (_settings.Truncation)
        {
            case SequenceEnd.Start:
                source[(source.Length - kept)..].CopyTo(target);
                break;
            case SequenceEnd.Middle:
                int head = (kept + 1) / 2;
                source[..head].CopyTo(target);
                source[(source.Length - (kept - head))..].CopyTo(target[head..]);
                break;
            default:
                source[..kept].CopyTo(target);
                break;
        }
        return kept;
    }

    private sealed class Mapper : RowMapping
    {
        private readonly PadSequenceTransformer _owner;
        private readonly DataViewSchema.Column _input;

        public Mapper(PadSequenceTransformer parent, DataViewSchema inputSchema)
            : base(inputSchema)
        {
            _owner = parent;
            _input = SchemaChecks.RequireColumn(inputSchema, PadSequenceEstimator.ComponentName, "input", parent._settings.InputColumnName,
                t => t is VectorDataViewType v && IsSupportedItem(v.ItemType), ExpectedType);
        }

        private DataViewType ItemType => ((VectorDataViewType)_input.Type).ItemType;

        public override DataViewSchema.DetachedColumn[] GetOutputColumns()
        {
            var annotations = new DataViewSchema.Annotations.Builder();
            // Keys keep their value names so that MapKeyToValue still works after padding.
            annotations.Add(_input.Annotations, name => name == AnnotationNames.KeyValues);
            var columns = new List<DataViewSchema.DetachedColumn>
            {
                new(_owner._settings.OutputColumnName, new VectorDataViewType((PrimitiveDataViewType)ItemType, _owner.Length), annotations.ToAnnotations()),
            };
            if (_owner._settings.LengthColumnName is { } lengthName)
                columns.Add(new DataViewSchema.DetachedColumn(lengthName, NumberDataViewType.Int32));
            return columns.ToArray();
        }

        public override Func<int, bool> Dependencies(Func<int, bool> activeOutput)
            => column => column == _input.Index && (activeOutput(0) || activeOutput(1));

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var item = ItemType;
            return item.RawType == typeof(float) ? MakeGetter<float>(input, iinfo, (float)_owner._settings.PadValue)
                : item.RawType == typeof(double) ? MakeGetter<double>(input, iinfo, _owner._settings.PadValue)
                : item.RawType == typeof(int) ? MakeGetter<int>(input, iinfo, (int)_owner._settings.PadValue)
                : item.RawType == typeof(long) ? MakeGetter<long>(input, iinfo, (long)_owner._settings.PadValue)
                : item.RawType == typeof(uint) ? MakeGetter<uint>(input, iinfo, (uint)_owner._settings.PadValue)
                : item.RawType == typeof(ulong) ? MakeGetter<ulong>(input, iinfo, (ulong)_owner._settings.PadValue)
                : item.RawType == typeof(ushort) ? MakeGetter<ushort>(input, iinfo, (ushort)_owner._settings.PadValue)
                : MakeGetter<byte>(input, iinfo, (byte)_owner._settings.PadValue);
        }

        private Delegate MakeGetter<T>(DataViewRow input, int iinfo, T padValue)
        {
            var getSource = input.GetGetter<VBuffer<T>>(_input);
            var source = default(VBuffer<T>);
            if (iinfo == 0)
            {
                ValueGetter<VBuffer<T>> padded = (ref VBuffer<T> destination) =>
                {
                    getSource(ref source);
                    var editor = VBufferEditor.Create(ref destination, _owner.Length);
                    _owner.Pad(source.DenseValues().ToArray(), editor.Values, padValue);
                    destination = editor.Commit();
                };
                return padded;
            }
            ValueGetter<int> length = (ref int destination) =>
            {
                getSource(ref source);
                destination = Math.Min(source.Length, _owner.Length);
            };
            return length;
        }
    }
}
