using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Inspection;

namespace Samples.Predict;

/// <summary>
/// Reads any scalar or vector column of a scored IDataView as plain .NET values (numbers, booleans, strings, arrays),
/// so that predict can print the outputs of a model whose output classes it does not know. Key columns with key
/// values (a multiclass PredictedLabel) read as their value, e.g. the class name.
/// </summary>
internal static class ScoredColumns
{
    /// <summary>
    /// The model's predictions: columns added by its last recurrent component and the stages after it (e.g. a
    /// MapKeyToValue of the predicted label), or by its last stage when it has no recurrent component. Intermediate
    /// columns such as Tokens are left out.
    /// </summary>
    public static IReadOnlyList<DataViewSchema.Column> PredictionColumns(ITransformer model, DataViewSchema inputSchema)
    {
        var stages = Flatten(model).ToList();
        int first = stages.FindLastIndex(s => ModelInspector.Stories(s).Count > 0);
        if (first < 0)
            first = Math.Max(stages.Count - 1, 0);
        var before = inputSchema;
        foreach (var stage in stages.Take(first))
            before = stage.GetOutputSchema(before);
        var after = before;
        foreach (var stage in stages.Skip(first))
            after = stage.GetOutputSchema(after);
        // A column that those stages added or replaced has no visible twin at the same index before them.
        return after.Where(c => !c.IsHidden && (before.GetColumnOrNull(c.Name) is not { } old || old.Index != c.Index)).ToList();
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer model)
        => model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [model];

    /// <summary>Every visible column of <paramref name="scored"/> that is not in <paramref name="inputSchema"/>.</summary>
    public static IReadOnlyList<DataViewSchema.Column> AddedColumns(DataViewSchema scored, DataViewSchema inputSchema)
        => scored.Where(c => !c.IsHidden && inputSchema.GetColumnOrNull(c.Name) is null).ToList();

    /// <summary>Rows of <paramref name="scored"/> as name → value, in the order of <paramref name="columns"/>.</summary>
    public static IEnumerable<List<KeyValuePair<string, object?>>> Read(IDataView scored, IReadOnlyList<DataViewSchema.Column> columns)
    {
        var byName = columns.Select(c => scored.Schema[c.Name]).ToList();
        using var cursor = scored.GetRowCursor(byName);
        var getters = byName.Select(c => (c.Name, Get: MakeGetter(cursor, c))).ToList();
        while (cursor.MoveNext())
            yield return getters.Select(g => new KeyValuePair<string, object?>(g.Name, g.Get())).ToList();
    }

    private static Func<object?> MakeGetter(DataViewRow row, DataViewSchema.Column column)
    {
        var raw = column.Type.RawType;
        if (column.Type is VectorDataViewType)
        {
            var item = raw.GetGenericArguments()[0];
            return (Func<object?>)typeof(ScoredColumns).GetMethod(nameof(Vector), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(item).Invoke(null, [row, column])!;
        }
        if (column.Type is KeyDataViewType && raw == typeof(uint))
            return Key(row, column);
        return (Func<object?>)typeof(ScoredColumns).GetMethod(nameof(Scalar), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(raw).Invoke(null, [row, column])!;
    }

    private static Func<object?> Scalar<T>(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<T>(column);
        return () =>
        {
            T value = default!;
            getter(ref value);
            return Plain(value);
        };
    }

    private static Func<object?> Vector<T>(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<VBuffer<T>>(column);
        return () =>
        {
            VBuffer<T> value = default;
            getter(ref value);
            return value.DenseValues().Select(v => Plain(v)).ToArray();
        };
    }

    private static Func<object?> Key(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<uint>(column);
        string[]? names = null;
        if (column.HasKeyValues())
        {
            VBuffer<ReadOnlyMemory<char>> keyValues = default;
            column.GetKeyValues(ref keyValues);
            names = keyValues.DenseValues().Select(v => v.ToString()).ToArray();
        }
        return () =>
        {
            uint key = 0;
            getter(ref key);
            // Key 0 means missing; key k names the (k-1)-th value.
            return names is not null && key >= 1 && key <= names.Length ? names[key - 1] : key == 0 ? null : key;
        };
    }

    private static object? Plain<T>(T value) => value is ReadOnlyMemory<char> text ? text.ToString() : value;
}
