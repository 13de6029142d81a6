using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.ModelHost;

/// <summary>
/// Formats chosen columns of scored rows as text that preserves every bit of floating-point values, so that two
/// processes' outputs can be compared exactly.
/// </summary>
internal static class RowFormatter
{
    /// <summary>Scores through <see cref="ITransformer.Transform"/> and a cursor.</summary>
    public static List<string> FormatTransform(ITransformer model, IDataView input, IReadOnlyList<string> columns)
    {
        var output = model.Transform(input);
        var selected = columns.Select(name => output.Schema[name]).ToArray();
        using var cursor = output.GetRowCursor(selected);
        var formatters = selected.Select(c => MakeFormatter(cursor, c)).ToArray();
        var lines = new List<string>();
        while (cursor.MoveNext())
            lines.Add(string.Join('\t', formatters.Select(f => f())));
        return lines;
    }

    /// <summary>Scores row by row through the transformer's row-to-row mapper, the path PredictionEngine takes.</summary>
    public static List<string> FormatRowMapper(ITransformer model, IDataView input, IReadOnlyList<string> columns)
    {
        var mapper = model.GetRowToRowMapper(input.Schema);
        var selected = columns.Select(name => mapper.OutputSchema[name]).ToArray();
        var lines = new List<string>();
        using var cursor = input.GetRowCursor(input.Schema);
        using var row = mapper.GetRow(cursor, selected);
        var formatters = selected.Select(c => MakeFormatter(row, c)).ToArray();
        while (cursor.MoveNext())
            lines.Add(string.Join('\t', formatters.Select(f => f())));
        return lines;
    }

    private static Func<string> MakeFormatter(DataViewRow row, DataViewSchema.Column column)
    {
        var type = column.Type is VectorDataViewType vector ? vector.ItemType : column.Type;
        bool isVector = column.Type is VectorDataViewType;
        return type.RawType switch
        {
            var t when t == typeof(float) => Make<float>(row, column, isVector, v => v.ToString("R", CultureInfo.InvariantCulture)),
            var t when t == typeof(double) => Make<double>(row, column, isVector, v => v.ToString("R", CultureInfo.InvariantCulture)),
            var t when t == typeof(int) => Make<int>(row, column, isVector, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(long) => Make<long>(row, column, isVector, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(uint) => Make<uint>(row, column, isVector, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(bool) => Make<bool>(row, column, isVector, v => v ? "true" : "false"),
            var t when t == typeof(ReadOnlyMemory<char>) => Make<ReadOnlyMemory<char>>(row, column, isVector, v => v.ToString()),
            _ => throw new NotSupportedException($"Column '{column.Name}' has type {column.Type}, which RowFormatter does not print."),
        };
    }

    private static Func<string> Make<T>(DataViewRow row, DataViewSchema.Column column, bool isVector, Func<T, string> format)
    {
        if (!isVector)
        {
            var getter = row.GetGetter<T>(column);
            T value = default!;
            return () => { getter(ref value); return format(value); };
        }
        var vectorGetter = row.GetGetter<VBuffer<T>>(column);
        var buffer = default(VBuffer<T>);
        return () => { vectorGetter(ref buffer); return string.Join(',', buffer.DenseValues().Select(format)); };
    }
}
