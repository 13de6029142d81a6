using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>Column look-ups that fail with a message naming the component, the column and what was expected.</summary>
internal static class SchemaChecks
{
    public static SchemaShape.Column RequireColumn(SchemaShape schema, string component, string role, string name, Func<SchemaShape.Column, bool> isValid, string expected)
    {
        if (!schema.TryFindColumn(name, out var column))
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"{component}: the {role} column '{name}' was not found in the input. Expected {expected}. Available columns: {string.Join(", ", schema.Select(c => c.Name))}.");
        if (!isValid(column))
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"{component}: the {role} column '{name}' has type {Describe(column)}; expected {expected}.");
        return column;
    }

    public static DataViewSchema.Column RequireColumn(DataViewSchema schema, string component, string role, string name, Func<DataViewType, bool> isValid, string expected)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(schema),
                $"{component}: the {role} column '{name}' was not found in the input. Expected {expected}. Available columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        if (!isValid(column.Type))
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"{component}: the {role} column '{name}' has type {column.Type}; expected {expected}.");
        return column;
    }

    public static SchemaShape.Column NewColumn(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey, SchemaShape? annotations = null)
        => new(name, kind, itemType, isKey, annotations);

    /// <summary>
    /// The shapes ML.NET's <see cref="SchemaShape.Create"/> gives the columns a transformer adds, annotations included
    /// (a key's item type is its raw number type). An estimator that describes its output with this, from the same
    /// column list its transformer builds, promises exactly what the transformer delivers.
    /// </summary>
    public static SchemaShape.Column[] ShapesOf(IEnumerable<DataViewSchema.DetachedColumn> columns)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var column in columns)
            builder.AddColumn(column.Name, column.Type, column.Annotations);
        return SchemaShape.Create(builder.ToSchema()).ToArray();
    }

    /// <summary>
    /// The shape of <paramref name="schema"/> as an estimator receives it (ML.NET's <c>SchemaShape.Create</c>, which
    /// ML.NET keeps internal), for callers outside the bridge such as tests.
    /// </summary>
    public static SchemaShape ShapeOf(DataViewSchema schema) => SchemaShape.Create(schema);

    /// <summary>The column of <paramref name="shape"/> named <paramref name="name"/>, if there is one.</summary>
    public static bool TryFindColumn(SchemaShape shape, string name, out SchemaShape.Column column) => shape.TryFindColumn(name, out column);

    /// <summary>Returns a copy of <paramref name="input"/> with <paramref name="added"/> columns replacing same-named ones.</summary>
    public static SchemaShape WithColumns(SchemaShape input, params SchemaShape.Column[] added)
    {
        var result = input.ToDictionary(c => c.Name);
        foreach (var column in added)
            result[column.Name] = column;
        return new SchemaShape(result.Values);
    }

    public static string Describe(SchemaShape.Column column)
    {
        string item = column.IsKey ? $"Key<{column.ItemType}>" : column.ItemType?.ToString() ?? "unknown";
        return column.Kind switch
        {
            SchemaShape.Column.VectorKind.Scalar => item,
            SchemaShape.Column.VectorKind.Vector => $"Vector<{item}> (fixed size)",
            _ => $"Vector<{item}> (variable size)",
        };
    }

    /// <summary>True for item types a sequence of numbers or token ids can hold.</summary>
    public static bool IsNumericItem(DataViewType type)
        => type is NumberDataViewType || type is KeyDataViewType;
}
