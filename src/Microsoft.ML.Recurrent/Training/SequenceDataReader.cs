using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>What <see cref="SequenceDataReader"/> does with a row whose sequence has no steps.</summary>
internal enum EmptySequenceHandling
{
    /// <summary>
    /// Throw, naming the column and row. The default for training: an empty sequence carries nothing to learn from and
    /// usually means an upstream tokenizer or filter dropped everything.
    /// </summary>
    Reject,

    /// <summary>
    /// Replace it with one padding step (token id 0 or all-zero features) so that every row still gets a prediction.
    /// Meant for inference. Per-step targets of such a row get one ignored step.
    /// </summary>
    SinglePaddingStep,
}

/// <summary>
/// Copies a sequence column and a target column of an <see cref="IDataView"/> into a <see cref="SequenceDataset"/>,
/// through the public cursor API, validating every value.
/// </summary>
/// <remarks>
/// <para>Sequence column: a vector (fixed or variable size) of Int32, Int64 or UInt32 (keys or not) for token ids, or
/// of Single for features. Key values are stored raw: key <c>k</c> becomes token id <c>k</c>, so 0 (the missing key)
/// shares the padding id and a vocabulary needs <c>KeyCount + 1</c> entries. Plain integers must be in
/// <c>[0, int.MaxValue]</c>. Features are read step-major: <c>featureSize</c> consecutive floats form one step.</para>
/// <para>Target column: for <see cref="SequenceTargetKind.Value"/> a Boolean, Single, Double or Int32 scalar; for
/// <see cref="SequenceTargetKind.Class"/> a Boolean (0/1), a UInt32 key (key <c>k</c> is class <c>k - 1</c>), an Int32
/// or a whole-number Single/Double; for <see cref="SequenceTargetKind.Vector"/> a Single/Double vector of
/// <c>targetWidth</c> items; for <see cref="SequenceTargetKind.StepClasses"/> an Int32/Int64/UInt32 vector (keys give
/// <c>k - 1</c>, a missing key an ignored step) with one item per step; for <see cref="SequenceTargetKind.StepValues"/>
/// a Single/Double vector with <c>targetWidth</c> items per step.</para>
/// <para>Weight column (optional): a Single scalar, finite and at least 0, each row's weight in the loss.</para>
/// <para>Empty sequences are rejected unless <see cref="EmptySequenceHandling.SinglePaddingStep"/> is asked for; the
/// message suggests padding sequences upstream to a minimum length of 1.</para>
/// </remarks>
internal static class SequenceDataReader
{
    /// <summary>
    /// Moves the ids between the first and the last non-padding id to the front and returns their count, so that
    /// padding added before or after a sequence (PadSequence) does not change what a whole-sequence model reads.
    /// </summary>
    internal static int TrimPadding(long[] ids, int count)
    {
        int start = 0;
        while (start < count && ids[start] == 0)
            start++;
        int end = count;
        while (end > start && ids[end - 1] == 0)
            end--;
        if (start > 0)
            Array.Copy(ids, start, ids, 0, end - start);
        return end - start;
    }

    /// <summary>Reads every row of <paramref name="data"/>. Throws <see cref="ArgumentException"/> for a missing or
    /// unsupported column and <see cref="InvalidDataException"/> for a bad value, naming the column and the 0-based row index.
    /// With <paramref name="trimPadding"/>, padding ids (0) before and after each token sequence are dropped. With
    /// <paramref name="weightColumn"/>, each row's weight is read from it; with <paramref name="wideColumn"/> (a Single
    /// vector of known size), each row's wide features.</summary>
    public static SequenceDataset Read(IDataView data, string sequenceColumn, int featureSize, string? targetColumn,
        SequenceTargetKind targetKind, int targetWidth = 1, EmptySequenceHandling emptySequences = EmptySequenceHandling.Reject,
        bool trimPadding = false, string? weightColumn = null, string? wideColumn = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(sequenceColumn);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetWidth, 1);
        if (targetKind != SequenceTargetKind.None && string.IsNullOrEmpty(targetColumn))
            throw new ArgumentException($"A target column is needed for {targetKind} targets.", nameof(targetColumn));

        var inputColumn = FindColumn(data, sequenceColumn, "sequence");
        DataViewSchema.Column? labelColumn = targetKind == SequenceTargetKind.None ? null : FindColumn(data, targetColumn!, "target");
        DataViewSchema.Column? weightsColumn = weightColumn is null ? null : FindColumn(data, weightColumn, "example weight");
        if (weightsColumn is { } wc && wc.Type != NumberDataViewType.Single)
            throw new ArgumentException($"Example weight column '{weightColumn}' must be a Single scalar, but is {wc.Type}.", nameof(weightColumn));
        DataViewSchema.Column? wideFeatures = wideColumn is null ? null : FindColumn(data, wideColumn, "wide feature");
        int wideSize = wideFeatures is { } wf ? WideSizeOf(wf) : 0;
        var active = new[] { inputColumn, labelColumn, weightsColumn, wideFeatures }.OfType<DataViewSchema.Column>().ToArray();

        using var cursor = data.GetRowCursor(active);
        var readWeight = weightsColumn is { } weights ? cursor.GetGetter<float>(weights) : null;
        var readWide = wideFeatures is { } wideFeatureColumn ? cursor.GetGetter<VBuffer<float>>(wideFeatureColumn) : null;
        var wideBuffer = default(VBuffer<float>);
        double weightSum = 0;
        var input = VectorColumnReader.TryCreate(cursor, inputColumn, allowDouble: false)
            ?? throw new ArgumentException($"Column '{sequenceColumn}' must be a vector of Int32, Int64, UInt32 (key or not) or Single, but is {inputColumn.Type}.", nameof(sequenceColumn));
        var inputKind = input.IsInteger ? SequenceInputKind.Tokens : SequenceInputKind.Features;

        ScalarColumnReader? scalar = null;
        VectorColumnReader? vector = null;
        ulong keyCount = 0;
        if (labelColumn is { } lc)
        {
            bool wantsVector = targetKind is SequenceTargetKind.Vector or SequenceTargetKind.StepClasses or SequenceTargetKind.StepValues;
            if (wantsVector)
            {
                vector = VectorColumnReader.TryCreate(cursor, lc, allowDouble: true);
                bool integerTarget = targetKind == SequenceTargetKind.StepClasses;
                if (vector is null || vector.IsInteger != integerTarget)
                    throw new ArgumentException($"Target column '{targetColumn}' must be a vector of {(integerTarget ? "Int32, Int64 or UInt32 (key or not)" : "Single or Double")} for {targetKind} targets, but is {lc.Type}.", nameof(targetColumn));
                keyCount = vector.KeyCount;
            }
            else
            {
                scalar = ScalarColumnReader.TryCreate(cursor, lc)
                    ?? throw new ArgumentException($"Target column '{targetColumn}' must be a Boolean, Single, Double, Int32 or UInt32 key scalar for {targetKind} targets, but is {lc.Type}.", nameof(targetColumn));
                if (targetKind == SequenceTargetKind.Value && scalar.IsKey)
                    throw new ArgumentException($"Target column '{targetColumn}' is a key column; keys are classes, not regression values.", nameof(targetColumn));
                keyCount = scalar.IsBoolean ? 2 : scalar.KeyCount;
            }
        }

        int classCount = keyCount > int.MaxValue ? 0 : (int)keyCount;
        var builder = new SequenceDataset.Builder(inputKind, featureSize, targetKind, targetWidth, classCount, wideSize);
        long[] integers = new long[64];
        float[] floats = new float[64];
        int[] tokens = new int[64];
        long[] targetIntegers = new long[64];
        float[] targetFloats = new float[64];
        int[] stepClasses = new int[64];

        while (cursor.MoveNext())
        {
            long row = cursor.Position;
            if (readWeight is not null)
            {
                float weight = 0;
                readWeight(ref weight);
                if (!float.IsFinite(weight) || weight < 0)
                    throw Bad(weightColumn!, row, $"the example weight is {weight}; weights must be finite and at least 0");
                builder.AddWeight(weight);
                weightSum += weight;
            }
            if (readWide is not null)
            {
                readWide(ref wideBuffer);
                AddWide(builder, wideBuffer, wideColumn!, row);
            }
            int steps;
            bool wasEmpty;
            if (inputKind == SequenceInputKind.Tokens)
            {
                int count = input.ReadIntegers(ref integers);
                if (trimPadding)
                    count = TrimPadding(integers, count);
                wasEmpty = count == 0;
                steps = count == 0 && emptySequences == EmptySequenceHandling.SinglePaddingStep ? 1 : count;
                EnsureCapacity(ref tokens, steps);
                if (count == 0)
                    tokens[0] = 0;
                for (int i = 0; i < count; i++)
                {
                    long v = integers[i];
                    if (v < 0 || v > int.MaxValue)
                        throw Bad(sequenceColumn, row, $"token id {v} at position {i} is outside [0, {int.MaxValue}]");
                    tokens[i] = (int)v;
                }
                RejectEmpty(count, sequenceColumn, row, emptySequences);
                builder.AddTokens(tokens.AsSpan(0, steps));
            }
            else
            {
                int count = input.ReadFloats(ref floats);
                wasEmpty = count == 0;
                RejectEmpty(count, sequenceColumn, row, emptySequences);
                if (count % featureSize != 0)
                    throw Bad(sequenceColumn, row, $"the vector has {count} values, which is not a multiple of the feature size {featureSize}");
                for (int i = 0; i < count; i++)
                {
                    if (!float.IsFinite(floats[i]))
                        throw Bad(sequenceColumn, row, $"feature value at position {i} is {floats[i]}; replace missing values upstream (e.g. ReplaceMissingValues)");
                }
                if (count == 0)
                {
                    EnsureCapacity(ref floats, featureSize);
                    Array.Clear(floats, 0, featureSize);
                    count = featureSize;
                }
                steps = count / featureSize;
                builder.AddFeatures(floats.AsSpan(0, count));
            }

            switch (targetKind)
            {
                case SequenceTargetKind.None:
                    break;
                case SequenceTargetKind.Value:
                    builder.AddValue(ReadFiniteScalar(scalar!, targetColumn!, row));
                    break;
                case SequenceTargetKind.Class:
                    builder.AddClass(ReadClass(scalar!, targetColumn!, row));
                    break;
                case SequenceTargetKind.Vector:
                {
                    int count = vector!.ReadFloats(ref targetFloats);
                    if (count != targetWidth)
                        throw Bad(targetColumn!, row, $"the target vector has {count} values, expected {targetWidth}");
                    CheckFinite(targetFloats.AsSpan(0, count), targetColumn!, row);
                    builder.AddVector(targetFloats.AsSpan(0, count));
                    break;
                }
                case SequenceTargetKind.StepClasses:
                {
                    int count = vector!.ReadIntegers(ref targetIntegers);
                    if (count != steps && !(wasEmpty && count == 0))
                        throw Bad(targetColumn!, row, $"the target has {count} steps but the sequence has {steps}; per-step targets need one class per step");
                    EnsureCapacity(ref stepClasses, steps);
                    stepClasses[0] = SequenceDataset.IgnoreIndex;
                    for (int i = 0; i < count; i++)
                        stepClasses[i] = StepClass(targetIntegers[i], vector.IsKey, targetColumn!, row, i);
                    builder.AddStepClasses(stepClasses.AsSpan(0, steps));
                    break;
                }
                case SequenceTargetKind.StepValues:
                {
                    int count = vector!.ReadFloats(ref targetFloats);
                    int expected = steps * targetWidth;
                    if (wasEmpty && count == 0)
                    {
                        EnsureCapacity(ref targetFloats, targetWidth);
                        Array.Clear(targetFloats, 0, targetWidth);
                        count = targetWidth;
                    }
                    else if (count != expected)
                        throw Bad(targetColumn!, row, $"the target has {count} values but {steps} steps of width {targetWidth} need {expected}");
                    CheckFinite(targetFloats.AsSpan(0, count), targetColumn!, row);
                    builder.AddStepValues(targetFloats.AsSpan(0, count));
                    break;
                }
            }
        }

        if (builder.Count == 0)
            throw new InvalidDataException($"The data has no rows: training needs at least one example (sequence column '{sequenceColumn}').");
        if (readWeight is not null && weightSum == 0)
            throw new InvalidDataException($"Every example weight in column '{weightColumn}' is 0: there is nothing to learn from.");
        return builder.Build();
    }

    /// <summary>The size of a wide feature column: a Single vector of known size, else an <see cref="ArgumentException"/> naming it.</summary>
    internal static int WideSizeOf(DataViewSchema.Column column)
        => column.Type is VectorDataViewType { ItemType: NumberDataViewType, Size: > 0 } vector && vector.ItemType == NumberDataViewType.Single
            ? vector.Size
            : throw new ArgumentException($"Wide feature column '{column.Name}' must be a vector of Single of known size (as FeaturizeText or Concatenate give), but is {column.Type}.", column.Name);

    /// <summary>Adds one row's wide features, rejecting a non-finite value with the column, row and position.</summary>
    internal static void AddWide(SequenceDataset.Builder builder, VBuffer<float> values, string column, long row)
    {
        var items = SparseItems(values, column, row, out var indices);
        builder.AddWide(indices, items);
    }

    /// <summary>The explicitly stored values of a row's wide features, checked to be finite, and their positions.</summary>
    internal static ReadOnlySpan<float> SparseItems(VBuffer<float> values, string column, long row, out ReadOnlySpan<int> indices)
    {
        var items = values.GetValues();
        indices = values.IsDense ? Enumerable.Range(0, items.Length).ToArray() : values.GetIndices();
        for (int i = 0; i < items.Length; i++)
        {
            if (!float.IsFinite(items[i]))
                throw Bad(column, row, $"wide feature {indices[i]} is {items[i]}; wide features must be finite numbers");
        }
        return items;
    }

    private static DataViewSchema.Column FindColumn(IDataView data, string name, string role) =>
        data.Schema.GetColumnOrNull(name)
        ?? throw new ArgumentException($"The data has no {role} column named '{name}'. Available columns: {string.Join(", ", data.Schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"))}.", name);

    private static InvalidDataException Bad(string column, long row, string problem) =>
        new($"Column '{column}', row index {row}: {problem}.");

    private static void RejectEmpty(int count, string column, long row, EmptySequenceHandling handling)
    {
        if (count == 0 && handling == EmptySequenceHandling.Reject)
            throw Bad(column, row, "the sequence is empty. Every sequence needs at least one step: filter such rows out, or pad sequences upstream to a minimum length of 1 (e.g. a PadSequence step)");
    }

    private static float ReadFiniteScalar(ScalarColumnReader reader, string column, long row)
    {
        double value = reader.Read();
        if (!double.IsFinite(value) || !float.IsFinite((float)value))
            throw Bad(column, row, $"the target is {value}; rows with a missing or infinite target must be filtered out");
        return (float)value;
    }

    private static int ReadClass(ScalarColumnReader reader, string column, long row)
    {
        double value = reader.Read();
        if (reader.IsKey)
        {
            if (value == 0)
                throw Bad(column, row, "the target key is missing (0); filter rows with unknown labels out");
            return (int)(value - 1);
        }
        if (!double.IsFinite(value))
            throw Bad(column, row, $"the target is {value}; rows with a missing target must be filtered out");
        if (value < 0 || value > int.MaxValue || value != Math.Floor(value))
            throw Bad(column, row, $"the target {value} is not a class index (a whole number >= 0); map labels to keys with MapValueToKey");
        return (int)value;
    }

    private static int StepClass(long raw, bool isKey, string column, long row, int step)
    {
        if (isKey)
            return raw == 0 ? SequenceDataset.IgnoreIndex : checked((int)(raw - 1));
        if (raw < 0 || raw > int.MaxValue)
            throw Bad(column, row, $"the class {raw} at step {step} is not a class index (a whole number >= 0)");
        return (int)raw;
    }

    private static void CheckFinite(ReadOnlySpan<float> values, string column, long row)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                throw Bad(column, row, $"the target value at position {i} is {values[i]}; rows with missing or infinite targets must be filtered out");
        }
    }

    private static void EnsureCapacity<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
            Array.Resize(ref buffer, Math.Max(length, buffer.Length * 2));
    }
}
