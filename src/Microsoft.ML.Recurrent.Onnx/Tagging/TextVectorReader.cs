using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// Reads a token or tag column of the current row as strings: a vector of text, or a vector of keys whose key values
/// are text (as <c>MapValueToKey</c> makes). Errors name the column and the 0-based row.
/// </summary>
internal static class TextVectorReader
{
    /// <summary>What a token or tag column must hold, for error messages.</summary>
    public const string Expected = "a vector of text, or of keys with text key values (e.g. from MapValueToKey)";

    /// <summary>True for the column types <see cref="Create"/> accepts (key values are checked when reading).</summary>
    public static bool IsValid(DataViewType type)
        => type is VectorDataViewType vector && (vector.ItemType is TextDataViewType || vector.ItemType is KeyDataViewType);

    /// <summary>Returns a function reading the current row's values of <paramref name="column"/>.</summary>
    public static Func<string[]> Create(DataViewRow row, DataViewSchema.Column column)
    {
        var itemType = ((VectorDataViewType)column.Type).ItemType;
        if (itemType is TextDataViewType)
        {
            var getter = row.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column);
            var buffer = default(VBuffer<ReadOnlyMemory<char>>);
            return () =>
            {
                getter(ref buffer);
                var result = new string[buffer.Length];
                int i = 0;
                foreach (var value in buffer.DenseValues())
                    result[i++] = value.ToString();
                return result;
            };
        }

        string[] names = KeyNames(column);
        Func<long[]> readKeys = ReadKeys(row, column);
        return () =>
        {
            var keys = readKeys();
            var result = new string[keys.Length];
            for (int i = 0; i < keys.Length; i++)
            {
                if (keys[i] < 1 || keys[i] > names.Length)
                    throw new InvalidDataException(
                        $"Column '{column.Name}', row {row.Position}, item {i}: key {keys[i]} is missing or has no value " +
                        "(a value the key mapping did not know).");
                result[i] = names[keys[i] - 1];
            }
            return result;
        };
    }

    private static string[] KeyNames(DataViewSchema.Column column)
    {
        var keyValues = column.Annotations.Schema.GetColumnOrNull(AnnotationNames.KeyValues);
        if (keyValues?.Type is not VectorDataViewType { ItemType: TextDataViewType })
            throw new ArgumentException($"Column '{column.Name}' holds keys without text key values; expected {Expected}.");
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        column.Annotations.GetValue(AnnotationNames.KeyValues, ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    private static Func<long[]> ReadKeys(DataViewRow row, DataViewSchema.Column column)
    {
        var raw = ((VectorDataViewType)column.Type).ItemType.RawType;
        if (raw == typeof(uint)) return Read<uint>(row, column, v => v);
        if (raw == typeof(ulong)) return Read<ulong>(row, column, v => (long)Math.Min(v, long.MaxValue));
        if (raw == typeof(ushort)) return Read<ushort>(row, column, v => v);
        return Read<byte>(row, column, v => v);
    }

    private static Func<long[]> Read<T>(DataViewRow row, DataViewSchema.Column column, Func<T, long> convert)
    {
        var getter = row.GetGetter<VBuffer<T>>(column);
        var buffer = default(VBuffer<T>);
        return () =>
        {
            getter(ref buffer);
            var result = new long[buffer.Length];
            int i = 0;
            foreach (var value in buffer.DenseValues())
                result[i++] = convert(value);
            return result;
        };
    }
}
