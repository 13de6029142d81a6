using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.TimeSeries;

/// <summary>
/// A time series held in memory: one value per time step, in order, plus optional extra feature columns (observed
/// alongside the value) and known-future covariates (columns whose future values are known in advance, such as the
/// month of the year). Every column is finite Single.
/// </summary>
public sealed class SeriesFrame
{
    private SeriesFrame(string valueColumn, float[] values, string[] featureColumns, float[][] features, string[] knownFutureColumns, float[][] knownFuture)
    {
        ValueColumnName = valueColumn;
        Values = values;
        FeatureColumnNames = featureColumns;
        Features = features;
        KnownFutureColumnNames = knownFutureColumns;
        KnownFuture = knownFuture;
    }

    /// <summary>Name of the column forecast (the target).</summary>
    public string ValueColumnName { get; }

    /// <summary>The target, one value per time step.</summary>
    public IReadOnlyList<float> Values { get; }

    /// <summary>Names of the extra observed feature columns, in the order they appear in each window step.</summary>
    public IReadOnlyList<string> FeatureColumnNames { get; }

    /// <summary>Values of each extra feature column (index as <see cref="FeatureColumnNames"/>), one per time step.</summary>
    public IReadOnlyList<IReadOnlyList<float>> Features { get; }

    /// <summary>Names of the known-future covariate columns.</summary>
    public IReadOnlyList<string> KnownFutureColumnNames { get; }

    /// <summary>Values of each known-future covariate, one per time step (index as <see cref="KnownFutureColumnNames"/>).</summary>
    public IReadOnlyList<IReadOnlyList<float>> KnownFuture { get; }

    /// <summary>Number of time steps.</summary>
    public int Length => Values.Count;

    /// <summary>
    /// Builds a frame from arrays; all columns must have the same length and hold finite values (an error names the
    /// column and the 0-based row).
    /// </summary>
    /// <param name="valueColumnName">Name of the target column, used in messages and saved models.</param>
    /// <param name="values">The target series.</param>
    /// <param name="features">Extra observed feature columns by name; null for none.</param>
    /// <param name="knownFuture">Known-future covariate columns by name; null for none.</param>
    public static SeriesFrame FromArrays(string valueColumnName, IReadOnlyList<float> values,
        IReadOnlyList<KeyValuePair<string, float[]>>? features = null, IReadOnlyList<KeyValuePair<string, float[]>>? knownFuture = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(valueColumnName);
        ArgumentNullException.ThrowIfNull(values);
        var target = values.ToArray();
        CheckFinite(valueColumnName, target);
        features ??= [];
        knownFuture ??= [];
        foreach (var (name, column) in features.Concat(knownFuture))
        {
            if (column.Length != target.Length)
                throw new ArgumentException($"Column '{name}' has {column.Length} values; the value column '{valueColumnName}' has {target.Length}.");
            CheckFinite(name, column);
        }
        return new SeriesFrame(valueColumnName, target, features.Select(f => f.Key).ToArray(), features.Select(f => f.Value.ToArray()).ToArray(),
            knownFuture.Select(f => f.Key).ToArray(), knownFuture.Select(f => f.Value.ToArray()).ToArray());
    }

    /// <summary>
    /// Reads a series from <paramref name="data"/>, one row per time step in cursor order. Every named column must be a
    /// Single (or Double) scalar; NaN or infinite values fail with a message naming the column and the row.
    /// </summary>
    /// <param name="data">The series, rows in time order.</param>
    /// <param name="valueColumnName">The target column.</param>
    /// <param name="featureColumnNames">Extra observed feature columns; null for none.</param>
    /// <param name="knownFutureColumnNames">Known-future covariate columns; null for none.</param>
    public static SeriesFrame Read(IDataView data, string valueColumnName, IReadOnlyList<string>? featureColumnNames = null,
        IReadOnlyList<string>? knownFutureColumnNames = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        featureColumnNames ??= [];
        knownFutureColumnNames ??= [];
        var names = new[] { valueColumnName }.Concat(featureColumnNames).Concat(knownFutureColumnNames).ToArray();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new ArgumentException($"A column is named twice among the value, feature and known-future columns: {string.Join(", ", names)}.");
        var columns = names.Select(n => RequireNumericScalar(data.Schema, n)).ToArray();
        var buffers = names.Select(_ => new List<float>()).ToArray();
        using (var cursor = data.GetRowCursor(columns))
        {
            var getters = columns.Select(c => MakeGetter(cursor, c)).ToArray();
            while (cursor.MoveNext())
            {
                for (int i = 0; i < getters.Length; i++)
                    buffers[i].Add(getters[i]());
            }
        }
        var arrays = buffers.Select(b => b.ToArray()).ToArray();
        int e = featureColumnNames.Count;
        return FromArrays(valueColumnName, arrays[0],
            Enumerable.Range(0, e).Select(i => KeyValuePair.Create(names[1 + i], arrays[1 + i])).ToArray(),
            Enumerable.Range(0, knownFutureColumnNames.Count).Select(i => KeyValuePair.Create(names[1 + e + i], arrays[1 + e + i])).ToArray());
    }

    /// <summary>The first <paramref name="count"/> time steps (e.g. the training part before a hold-out).</summary>
    public SeriesFrame Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Length);
        return new SeriesFrame(ValueColumnName, Values.Take(count).ToArray(), FeatureColumnNames.ToArray(),
            Features.Select(f => f.Take(count).ToArray()).ToArray(), KnownFutureColumnNames.ToArray(), KnownFuture.Select(f => f.Take(count).ToArray()).ToArray());
    }

    internal static void CheckFinite(string column, ReadOnlySpan<float> values, int firstRow = 0)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                throw new InvalidDataException($"Column '{column}' holds {values[i]} at row {firstRow + i} (0-based); a forecasting series must have a finite value at every time step (fill or drop missing values first).");
        }
    }

    private static DataViewSchema.Column RequireNumericScalar(DataViewSchema schema, string name)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"Forecasting: the column '{name}' was not found in the series. Available columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        if (column.Type != NumberDataViewType.Single && column.Type != NumberDataViewType.Double)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Forecasting: the column '{name}' has type {column.Type}; expected a Single or Double scalar.");
        return column;
    }

    /// <summary>Reads a Single or Double scalar column of the row under a cursor as Single.</summary>
    internal static Func<float> MakeGetter(DataViewRow row, DataViewSchema.Column column)
    {
        if (column.Type == NumberDataViewType.Double)
        {
            var getter = row.GetGetter<double>(column);
            double value = 0;
            return () => { getter(ref value); return (float)value; };
        }
        var single = row.GetGetter<float>(column);
        float v = 0;
        return () => { single(ref v); return v; };
    }
}
