using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>
/// The values of one column over a block of rows read ahead, so that a cursor can serve a row's input columns after
/// its cursor over the input has moved on: each slot owns its value (vectors and text are copied, since a getter may
/// reuse its buffers on the next row).
/// </summary>
internal abstract class ColumnBuffer
{
    /// <summary>A buffer of <paramref name="slots"/> values of <paramref name="column"/>, read from <paramref name="cursor"/>.</summary>
    public static ColumnBuffer Create(DataViewRowCursor cursor, DataViewSchema.Column column, int slots)
    {
        var raw = column.Type.RawType;
        var type = raw.IsGenericType && raw.GetGenericTypeDefinition() == typeof(VBuffer<>)
            ? typeof(VectorColumnBuffer<>).MakeGenericType(raw.GetGenericArguments()[0])
            : raw == typeof(ReadOnlyMemory<char>) ? typeof(TextColumnBuffer)
            : typeof(ValueColumnBuffer<>).MakeGenericType(raw);
        return (ColumnBuffer)Activator.CreateInstance(type, cursor, column, slots)!;
    }

    /// <summary>Copies the cursor's current value into <paramref name="slot"/>.</summary>
    public abstract void Store(int slot);

    /// <summary>A getter of the value in the slot that <paramref name="currentSlot"/> names when it is called.</summary>
    public abstract Delegate Getter(Func<int> currentSlot);
}

/// <summary>Scalars other than text: the value itself is the copy.</summary>
internal sealed class ValueColumnBuffer<T>(DataViewRowCursor cursor, DataViewSchema.Column column, int slots) : ColumnBuffer
{
    private readonly ValueGetter<T> _read = cursor.GetGetter<T>(column);
    private readonly T[] _values = new T[slots];

    public override void Store(int slot) => _read(ref _values[slot]);

    public override Delegate Getter(Func<int> currentSlot) => (ValueGetter<T>)((ref T value) => value = _values[currentSlot()]);
}

/// <summary>Text: copied out of whatever buffer the reader's memory points into.</summary>
internal sealed class TextColumnBuffer(DataViewRowCursor cursor, DataViewSchema.Column column, int slots) : ColumnBuffer
{
    private readonly ValueGetter<ReadOnlyMemory<char>> _read = cursor.GetGetter<ReadOnlyMemory<char>>(column);
    private readonly ReadOnlyMemory<char>[] _values = new ReadOnlyMemory<char>[slots];
    private ReadOnlyMemory<char> _scratch;

    public override void Store(int slot)
    {
        _read(ref _scratch);
        _values[slot] = _scratch.IsEmpty ? ReadOnlyMemory<char>.Empty : _scratch.ToArray();
    }

    public override Delegate Getter(Func<int> currentSlot)
        => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = _values[currentSlot()]);
}

/// <summary>Vectors: each slot keeps its own arrays, and a reader gets a copy.</summary>
internal sealed class VectorColumnBuffer<T>(DataViewRowCursor cursor, DataViewSchema.Column column, int slots) : ColumnBuffer
{
    private readonly ValueGetter<VBuffer<T>> _read = cursor.GetGetter<VBuffer<T>>(column);
    private readonly VBuffer<T>[] _values = new VBuffer<T>[slots];
    private VBuffer<T> _scratch;

    public override void Store(int slot)
    {
        _read(ref _scratch);
        _scratch.CopyTo(ref _values[slot]);
    }

    public override Delegate Getter(Func<int> currentSlot)
        => (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) => _values[currentSlot()].CopyTo(ref value));
}
