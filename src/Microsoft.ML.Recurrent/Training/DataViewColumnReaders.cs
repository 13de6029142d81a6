using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// Reads one vector column of the current cursor row into a reusable buffer, whatever its numeric item type, so that
/// <see cref="SequenceDataReader"/> converts and validates values in one place.
/// </summary>
internal sealed class VectorColumnReader
{
    private readonly ValueGetter<VBuffer<int>>? _int32;
    private readonly ValueGetter<VBuffer<long>>? _int64;
    private readonly ValueGetter<VBuffer<uint>>? _uint32;
    private readonly ValueGetter<VBuffer<float>>? _single;
    private readonly ValueGetter<VBuffer<double>>? _double;
    private VBuffer<int> _int32Buffer;
    private VBuffer<long> _int64Buffer;
    private VBuffer<uint> _uint32Buffer;
    private VBuffer<float> _singleBuffer;
    private VBuffer<double> _doubleBuffer;

    private VectorColumnReader(DataViewRowCursor cursor, DataViewSchema.Column column, Type rawType)
    {
        if (rawType == typeof(int)) _int32 = cursor.GetGetter<VBuffer<int>>(column);
        else if (rawType == typeof(long)) _int64 = cursor.GetGetter<VBuffer<long>>(column);
        else if (rawType == typeof(uint)) _uint32 = cursor.GetGetter<VBuffer<uint>>(column);
        else if (rawType == typeof(float)) _single = cursor.GetGetter<VBuffer<float>>(column);
        else _double = cursor.GetGetter<VBuffer<double>>(column);
    }

    /// <summary>True when the items are integers (token ids or class indices), false for floats.</summary>
    public bool IsInteger => _single is null && _double is null;

    /// <summary>True when the items are keys (1-based, 0 = missing).</summary>
    public bool IsKey { get; private init; }

    /// <summary>Key cardinality, or 0 when the items are not keys or the cardinality is unknown.</summary>
    public ulong KeyCount { get; private init; }

    /// <summary>
    /// Returns a reader when the column is a vector of Int32, Int64, UInt32 (keys or not), Single or Double
    /// (Double only when <paramref name="allowDouble"/>); null otherwise.
    /// </summary>
    public static VectorColumnReader? TryCreate(DataViewRowCursor cursor, DataViewSchema.Column column, bool allowDouble)
    {
        if (column.Type is not VectorDataViewType vector)
            return null;
        Type raw = vector.ItemType.RawType;
        bool supported = raw == typeof(int) || raw == typeof(long) || raw == typeof(uint) || raw == typeof(float) || (allowDouble && raw == typeof(double));
        if (!supported)
            return null;
        var key = vector.ItemType as KeyDataViewType;
        return new VectorColumnReader(cursor, column, raw) { IsKey = key is not null, KeyCount = key?.Count ?? 0 };
    }

    /// <summary>Reads the current row's integers (raw key values for keys) into <paramref name="buffer"/>; returns the count.</summary>
    public int ReadIntegers(ref long[] buffer)
    {
        if (_int32 is not null) return Read(_int32, ref _int32Buffer, ref buffer, static v => v);
        if (_int64 is not null) return Read(_int64, ref _int64Buffer, ref buffer, static v => v);
        if (_uint32 is not null) return Read(_uint32, ref _uint32Buffer, ref buffer, static v => v);
        throw new InvalidOperationException("The column holds floats, not integers.");
    }

    /// <summary>Reads the current row's values as floats into <paramref name="buffer"/>; returns the count.</summary>
    public int ReadFloats(ref float[] buffer)
    {
        if (_single is not null) return Read(_single, ref _singleBuffer, ref buffer, static v => v);
        if (_double is not null) return Read(_double, ref _doubleBuffer, ref buffer, static v => (float)v);
        throw new InvalidOperationException("The column holds integers, not floats.");
    }

    private static int Read<TSource, TTarget>(ValueGetter<VBuffer<TSource>> getter, ref VBuffer<TSource> source, ref TTarget[] target, Func<TSource, TTarget> convert)
    {
        getter(ref source);
        int length = source.Length;
        if (target.Length < length)
            Array.Resize(ref target, Math.Max(length, target.Length * 2));
        var values = source.GetValues();
        if (source.IsDense)
        {
            for (int i = 0; i < length; i++)
                target[i] = convert(values[i]);
        }
        else
        {
            // Sparse vectors hold only their non-zero items; the others are the type's default (0).
            Array.Clear(target, 0, length);
            var indices = source.GetIndices();
            for (int i = 0; i < values.Length; i++)
                target[indices[i]] = convert(values[i]);
        }
        return length;
    }
}

/// <summary>Reads a scalar label column (Boolean, Single, Double, Int32 or a UInt32 key) of the current cursor row as a number.</summary>
internal sealed class ScalarColumnReader
{
    private readonly ValueGetter<bool>? _boolean;
    private readonly ValueGetter<float>? _single;
    private readonly ValueGetter<double>? _double;
    private readonly ValueGetter<int>? _int32;
    private readonly ValueGetter<uint>? _key;

    private ScalarColumnReader(ValueGetter<bool>? boolean, ValueGetter<float>? single, ValueGetter<double>? @double, ValueGetter<int>? int32, ValueGetter<uint>? key)
    {
        _boolean = boolean;
        _single = single;
        _double = @double;
        _int32 = int32;
        _key = key;
    }

    /// <summary>True for a UInt32 key column: <see cref="Read"/> returns the raw key (1-based, 0 = missing).</summary>
    public bool IsKey => _key is not null;

    /// <summary>True for a Boolean column.</summary>
    public bool IsBoolean => _boolean is not null;

    /// <summary>True when values are whole numbers by type (Boolean, Int32, key).</summary>
    public bool IsInteger => _boolean is not null || _int32 is not null || _key is not null;

    /// <summary>Key cardinality for key columns, else 0.</summary>
    public ulong KeyCount { get; private init; }

    /// <summary>Returns a reader for a supported scalar column, null otherwise.</summary>
    public static ScalarColumnReader? TryCreate(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        DataViewType type = column.Type;
        if (type is KeyDataViewType key)
            return key.RawType == typeof(uint) ? new ScalarColumnReader(null, null, null, null, cursor.GetGetter<uint>(column)) { KeyCount = key.Count } : null;
        if (type == BooleanDataViewType.Instance) return new ScalarColumnReader(cursor.GetGetter<bool>(column), null, null, null, null);
        if (type == NumberDataViewType.Single) return new ScalarColumnReader(null, cursor.GetGetter<float>(column), null, null, null);
        if (type == NumberDataViewType.Double) return new ScalarColumnReader(null, null, cursor.GetGetter<double>(column), null, null);
        if (type == NumberDataViewType.Int32) return new ScalarColumnReader(null, null, null, cursor.GetGetter<int>(column), null);
        return null;
    }

    /// <summary>Reads the current row's value.</summary>
    public double Read()
    {
        if (_boolean is not null) { bool b = default; _boolean(ref b); return b ? 1 : 0; }
        if (_single is not null) { float f = default; _single(ref f); return f; }
        if (_double is not null) { double d = default; _double(ref d); return d; }
        if (_int32 is not null) { int i = default; _int32(ref i); return i; }
        uint k = default;
        _key!(ref k);
        return k;
    }
}
