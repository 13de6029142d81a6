using System.Globalization;
using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;

namespace Microsoft.ML.Recurrent.Tests.Contracts;

/// <summary>
/// ML.NET's contract for an estimator and the transformer it fits, checked on one data set:
/// <list type="number">
/// <item>the estimator's <c>GetOutputSchema(SchemaChecks.ShapeOf(data.Schema))</c> is the shape of
/// <c>Fit(data).Transform(data).Schema</c> (names, vector kinds, item types, key-ness, annotation shapes);</item>
/// <item>the transformer's <c>GetOutputSchema(data.Schema)</c> is that schema (types, hidden columns, annotation types
/// and values);</item>
/// <item><c>Fit(data).Transform(data)</c> reads: every column through one cursor over all columns, and each added
/// column again through a cursor of its own, with the same values and one row per input row;</item>
/// <item>a model saved and loaded in a fresh MLContext gives the same schema and the same values, bit for bit;</item>
/// <item>each input column the estimator needs, missing or replaced by a column of another type, fails both
/// <c>GetOutputSchema</c> and <c>Fit</c> with a message naming the column.</item>
/// </list>
/// </summary>
internal static class EstimatorContract
{
    /// <summary>The name given to the stand-in column of the wrong type before it is copied over an input column.</summary>
    private const string WrongColumn = "ContractWrongType";

    /// <summary>Checks the whole contract; returns the transformed data for task-specific checks.</summary>
    /// <param name="estimator">The estimator under test (tiny settings: it is fitted once, plus once per bad column that gets past the schema).</param>
    /// <param name="data">Data it can be fitted on and applied to.</param>
    /// <param name="requiredColumns">The input columns it reads; each is removed, then mistyped.</param>
    public static IDataView Check<TTransformer>(IEstimator<TTransformer> estimator, IDataView data, params string[] requiredColumns)
        where TTransformer : class, ITransformer
    {
        var promised = estimator.GetOutputSchema(SchemaChecks.ShapeOf(data.Schema));
        var model = estimator.Fit(data);
        var output = model.Transform(data);

        AssertSameShape(promised, SchemaChecks.ShapeOf(output.Schema), "the estimator's GetOutputSchema against Fit(data).Transform(data)");
        AssertSameSchema(model.GetOutputSchema(data.Schema), output.Schema, "the transformer's GetOutputSchema against Transform(data)");

        var added = AddedColumns(data.Schema, output.Schema);
        Assert.IsTrue(added.Count > 0, "the transformer adds or replaces at least one column");
        var values = ReadAll(output);
        Assert.AreEqual(CountRows(data), values.Count, "Transform keeps one row per input row");
        foreach (var column in added)
        {
            var alone = ReadColumns(output, [output.Schema[column]]);
            int index = output.Schema[column].Index;
            CollectionAssert.AreEqual(values.Select(row => row[index]).ToList(), alone.Select(row => row[0]).ToList(),
                $"column '{column}' read through a cursor of its own gives the values it gave beside every other column");
        }

        var loaded = SaveAndLoad(model, data.Schema);
        var reloadedOutput = loaded.Transform(data);
        AssertSameSchema(output.Schema, reloadedOutput.Schema, "the loaded model's Transform against the original's");
        var reloaded = ReadAll(reloadedOutput);
        Assert.AreEqual(values.Count, reloaded.Count, "the loaded model gives as many rows");
        for (int row = 0; row < values.Count; row++)
            CollectionAssert.AreEqual(values[row], reloaded[row], $"row {row} after saving and loading");

        foreach (string column in requiredColumns)
            CheckBadColumn(estimator, data, column);
        return output;
    }

    /// <summary>Missing, then mistyped: both GetOutputSchema and Fit fail with a message naming <paramref name="column"/>.</summary>
    public static void CheckBadColumn<TTransformer>(IEstimator<TTransformer> estimator, IDataView data, string column)
        where TTransformer : class, ITransformer
    {
        var ml = new MLContext(seed: 1);
        Assert.IsNotNull(data.Schema.GetColumnOrNull(column), $"the test data has the required column '{column}'");
        var missing = ml.Transforms.DropColumns(column).Fit(data).Transform(data);
        AssertFailsNaming(() => estimator.GetOutputSchema(SchemaChecks.ShapeOf(missing.Schema)), column, "GetOutputSchema without the column");
        AssertFailsNaming(() => estimator.Fit(missing), column, "Fit without the column");

        var mistyped = Mistype(ml, data, column);
        AssertFailsNaming(() => estimator.GetOutputSchema(SchemaChecks.ShapeOf(mistyped.Schema)), column, $"GetOutputSchema with the column as {mistyped.Schema[column].Type}");
        AssertFailsNaming(() => estimator.Fit(mistyped), column, $"Fit with the column as {mistyped.Schema[column].Type}");
    }

    /// <summary>Asserts that two shapes have the same columns with the same kinds, item types, key-ness and annotation shapes.</summary>
    public static void AssertSameShape(SchemaShape expected, SchemaShape actual, string what)
    {
        var expectedNames = expected.Select(c => c.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();
        var actualNames = actual.Select(c => c.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();
        CollectionAssert.AreEqual(expectedNames, actualNames,
            $"{what}: promised columns [{string.Join(", ", expectedNames)}], delivered [{string.Join(", ", actualNames)}]");
        foreach (var promised in expected)
        {
            var delivered = actual.Single(c => c.Name == promised.Name);
            AssertSameColumnShape(promised, delivered, $"{what}: column '{promised.Name}'");
            var promisedAnnotations = promised.Annotations.Select(a => a.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();
            var deliveredAnnotations = delivered.Annotations.Select(a => a.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();
            CollectionAssert.AreEqual(promisedAnnotations, deliveredAnnotations,
                $"{what}: column '{promised.Name}' promises annotations [{string.Join(", ", promisedAnnotations)}] and carries [{string.Join(", ", deliveredAnnotations)}]");
            foreach (var annotation in promised.Annotations)
            {
                var carried = delivered.Annotations.Single(c => c.Name == annotation.Name);
                AssertSameColumnShape(annotation, carried, $"{what}: annotation {annotation.Name} of column '{promised.Name}'");
            }
        }
    }

    /// <summary>Asserts that two schemas have the same columns in the same order, with equal types, annotation types and annotation values.</summary>
    public static void AssertSameSchema(DataViewSchema expected, DataViewSchema actual, string what)
    {
        CollectionAssert.AreEqual(expected.Select(Describe).ToList(), actual.Select(Describe).ToList(), $"{what}: columns differ");
        for (int i = 0; i < expected.Count; i++)
        {
            var (left, right) = (expected[i].Annotations, actual[i].Annotations);
            CollectionAssert.AreEqual(left.Schema.Select(Describe).ToList(), right.Schema.Select(Describe).ToList(),
                $"{what}: annotations of column '{expected[i].Name}' differ");
            foreach (var annotation in left.Schema)
            {
                Assert.AreEqual(MakeReader(annotation, left)(), MakeReader(right.Schema[annotation.Index], right)(),
                    $"{what}: value of annotation {annotation.Name} of column '{expected[i].Name}'");
            }
        }
    }

    /// <summary>Every column of every row, as text that keeps every bit of floating-point values.</summary>
    /// <remarks>Hidden columns are read too: entry <c>i</c> of a row is column <c>i</c> of the schema.</remarks>
    public static List<string[]> ReadAll(IDataView view) => ReadColumns(view, view.Schema);

    private static List<string[]> ReadColumns(IDataView view, IEnumerable<DataViewSchema.Column> columns)
    {
        var selected = columns.ToArray();
        var rows = new List<string[]>();
        using var cursor = view.GetRowCursor(selected);
        var readers = selected.Select(c => MakeReader(c, cursor)).ToArray();
        while (cursor.MoveNext())
            rows.Add(readers.Select(read => read()).ToArray());
        return rows;
    }

    private static List<string> AddedColumns(DataViewSchema input, DataViewSchema output)
        => output.Where(c => !c.IsHidden && (input.GetColumnOrNull(c.Name) is not { } original || original.Index != c.Index || !original.Type.Equals(c.Type)))
            .Select(c => c.Name).ToList();

    private static long CountRows(IDataView data)
    {
        long count = 0;
        using var cursor = data.GetRowCursor([]);
        while (cursor.MoveNext())
            count++;
        return count;
    }

    private static ITransformer SaveAndLoad(ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        new MLContext(seed: 1).Model.Save(model, schema, stream);
        stream.Position = 0;
        return new MLContext(seed: 2).Model.Load(stream, out _);
    }

    private static void AssertFailsNaming(Action action, string column, string what)
    {
        Exception? error = null;
        try
        {
            action();
        }
        catch (Exception e)
        {
            error = e;
        }
        Assert.IsNotNull(error, $"{what} should fail naming '{column}', but it succeeded");
        var messages = new List<string>();
        for (var e = error; e is not null; e = e.InnerException)
            messages.Add(e.Message);
        Assert.IsTrue(messages.Any(m => m.Contains($"'{column}'", StringComparison.Ordinal)),
            $"{what}: the error does not name '{column}': {error.GetType().Name}: {string.Join(" | ", messages)}");
    }

    private sealed class NoInput;

    private sealed class WrongBoolean
    {
        public bool ContractWrongType { get; set; }
    }

    private sealed class WrongText
    {
        public string ContractWrongType { get; set; } = "";
    }

    /// <summary><paramref name="data"/> with <paramref name="column"/> replaced by a scalar of another type: Text for a Boolean column, Boolean otherwise.</summary>
    private static IDataView Mistype(MLContext ml, IDataView data, string column)
    {
        var type = data.Schema[column].Type;
        IDataView withWrong = type == BooleanDataViewType.Instance
            ? ml.Transforms.CustomMapping<NoInput, WrongText>((_, output) => output.ContractWrongType = "not a boolean", null).Fit(data).Transform(data)
            : ml.Transforms.CustomMapping<NoInput, WrongBoolean>((_, output) => output.ContractWrongType = true, null).Fit(data).Transform(data);
        return ml.Transforms.CopyColumns(column, WrongColumn).Fit(withWrong).Transform(withWrong);
    }

    private static void AssertSameColumnShape(SchemaShape.Column expected, SchemaShape.Column actual, string what)
        => Assert.AreEqual(Describe(expected), Describe(actual), $"{what}: promised {Describe(expected)}, delivered {Describe(actual)}");

    private static string Describe(SchemaShape.Column column)
        => $"{column.Kind} of {column.ItemType}{(column.IsKey ? " (key)" : "")}";

    private static string Describe(DataViewSchema.Column column)
        => $"{column.Name}: {column.Type}{(column.Type is KeyDataViewType key ? $"[{key.Count}]" : "")}{(column.Type is VectorDataViewType { ItemType: KeyDataViewType k } ? $"[{k.Count}]" : "")}{(column.IsHidden ? " (hidden)" : "")}";

    /// <summary>A reader of one column of a row, or of one annotation, as text (floats with every bit).</summary>
    private static Func<string> MakeReader(DataViewSchema.Column column, object source)
    {
        bool vector = column.Type is VectorDataViewType;
        var item = column.Type is VectorDataViewType v ? v.ItemType.RawType : column.Type.RawType;
        var method = typeof(EstimatorContract).GetMethod(vector ? nameof(VectorReader) : nameof(ScalarReader), BindingFlags.NonPublic | BindingFlags.Static)!;
        return (Func<string>)method.MakeGenericMethod(item).Invoke(null, [column, source])!;
    }

    private static ValueGetter<T> Getter<T>(DataViewSchema.Column column, object source) => source switch
    {
        DataViewRow row => row.GetGetter<T>(column),
        DataViewSchema.Annotations annotations => annotations.GetGetter<T>(column),
        _ => throw new ArgumentException($"Cannot read from {source.GetType().Name}.", nameof(source)),
    };

    private static Func<string> ScalarReader<T>(DataViewSchema.Column column, object source)
    {
        var getter = Getter<T>(column, source);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return Show(value);
        };
    }

    private static Func<string> VectorReader<T>(DataViewSchema.Column column, object source)
    {
        var getter = Getter<VBuffer<T>>(column, source);
        var value = default(VBuffer<T>);
        return () =>
        {
            getter(ref value);
            return $"[{value.Length}] {string.Join(",", value.DenseValues().Select(Show))}";
        };
    }

    private static string Show<T>(T value) => value switch
    {
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        ReadOnlyMemory<char> text => text.ToString(),
        null => "null",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
