using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Classification;

/// <summary>One row's wide features: the positions and values of its stored entries (default: none).</summary>
internal readonly record struct WideFeatures(int[]? Indices, float[]? Values)
{
    /// <summary>Writes the features into a zeroed row of a dense tensor's memory.</summary>
    public void CopyTo(Span<float> row)
    {
        if (Indices is null)
            return;
        for (int i = 0; i < Indices.Length; i++)
            row[Indices[i]] = Values![i];
    }
}

/// <summary>Reads one row's sequence column into reusable buffers: token ids as Int64, or features as Single.</summary>
internal static class SequenceRowReader
{
    /// <summary>
    /// Returns a function reading the current row. For token ids (<paramref name="featureSize"/> 0) the result's
    /// Tokens hold Count ids; for features, Features hold Count floats, a multiple of <paramref name="featureSize"/>.
    /// Non-finite features and a length that is not a multiple of the feature size throw, naming the column and row.
    /// </summary>
    public static Func<(long[] Tokens, float[] Features, int Count)> Create(DataViewRow row, DataViewSchema.Column column, string columnName, int featureSize)
    {
        var itemType = ((VectorDataViewType)column.Type).ItemType.RawType;
        long[] tokens = new long[16];
        float[] features = new float[16];
        if (featureSize == 0)
        {
            Func<int> readTokens = itemType == typeof(int) ? MakeTokenReader<int>(row, column, v => v, () => tokens, t => tokens = t)
                : itemType == typeof(uint) ? MakeTokenReader<uint>(row, column, v => v, () => tokens, t => tokens = t)
                : MakeTokenReader<long>(row, column, v => v, () => tokens, t => tokens = t);
            return () =>
            {
                // Padding before or after the sequence (PadSequence) must not change the prediction.
                int read = readTokens(); // may replace the buffer with a larger one
                int count = Training.SequenceDataReader.TrimPadding(tokens, read);
                return (tokens, features, count);
            };
        }

        var getter = row.GetGetter<VBuffer<float>>(column);
        var buffer = default(VBuffer<float>);
        return () =>
        {
            getter(ref buffer);
            int count = buffer.Length;
            if (count % featureSize != 0)
                throw new InvalidOperationException(
                    $"Column '{columnName}', row {row.Position}: {count} values is not a multiple of the feature size {featureSize}.");
            if (features.Length < count)
                features = new float[Math.Max(count, features.Length * 2)];
            buffer.CopyTo(features);
            for (int i = 0; i < count; i++)
            {
                if (!float.IsFinite(features[i]))
                    throw new InvalidOperationException(
                        $"Column '{columnName}', row {row.Position}: element {i} is {features[i]}; recurrent models need finite numbers.");
            }
            return (tokens, features, count);
        };
    }

    /// <summary>
    /// Returns a function reading the current row's wide features (a Single vector of <paramref name="size"/> values)
    /// as new arrays of the positions and values of its stored entries. A vector of another size or a non-finite value
    /// throws, naming the column and row.
    /// </summary>
    public static Func<WideFeatures> CreateWide(DataViewRow row, DataViewSchema.Column column, int size)
    {
        var getter = row.GetGetter<VBuffer<float>>(column);
        var buffer = default(VBuffer<float>);
        return () =>
        {
            getter(ref buffer);
            if (buffer.Length != size)
                throw new InvalidOperationException($"Column '{column.Name}', row {row.Position}: {buffer.Length} wide features; the model was trained on {size}.");
            var values = Training.SequenceDataReader.SparseItems(buffer, column.Name, row.Position, out var indices);
            return new WideFeatures(indices.ToArray(), values.ToArray());
        };
    }

    private static Func<int> MakeTokenReader<T>(DataViewRow row, DataViewSchema.Column column, Func<T, long> convert, Func<long[]> get, Action<long[]> set)
    {
        var getter = row.GetGetter<VBuffer<T>>(column);
        var buffer = default(VBuffer<T>);
        return () =>
        {
            getter(ref buffer);
            int count = buffer.Length;
            var tokens = get();
            if (tokens.Length < count)
            {
                tokens = new long[Math.Max(count, tokens.Length * 2)];
                set(tokens);
            }
            int i = 0;
            foreach (var value in buffer.DenseValues())
                tokens[i++] = convert(value);
            return count;
        };
    }
}
