namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// An ordering of example indices cut into mini-batches: batch <c>b</c> is <see cref="GetBatch"/>(b).
/// </summary>
/// <remarks>
/// Training plans use length bucketing: the examples are shuffled, cut into chunks of <c>bucketBatches</c> batches,
/// each chunk is sorted by length (longest first) and cut into batches, and finally the batch order is shuffled.
/// Each batch then holds sequences of similar length, so padding to the batch's longest sequence wastes little, while
/// the chunking keeps batch composition random from epoch to epoch. Longest-first order within a batch also suits
/// packed sequences that require sorted lengths. Every plan is a pure function of its inputs and the
/// <see cref="Random"/> state.
/// </remarks>
internal sealed class BatchPlan
{
    /// <summary>Batches per sorting chunk when bucketing.</summary>
    public const int DefaultBucketBatches = 50;

    private readonly int[] _order;
    private readonly int[] _starts;

    private BatchPlan(int[] order, int[] starts)
    {
        _order = order;
        _starts = starts;
    }

    /// <summary>Number of batches.</summary>
    public int BatchCount => _starts.Length - 1;

    /// <summary>Number of examples over all batches.</summary>
    public int ExampleCount => _order.Length;

    /// <summary>Dataset indices of batch <paramref name="batch"/>.</summary>
    public ReadOnlySpan<int> GetBatch(int batch) => _order.AsSpan(_starts[batch], _starts[batch + 1] - _starts[batch]);

    /// <summary>Batches of <paramref name="batchSize"/> in the given order (evaluation, prediction): the last batch may be smaller.</summary>
    public static BatchPlan Sequential(ReadOnlySpan<int> indices, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return new BatchPlan(indices.ToArray(), ContiguousStarts(indices.Length, batchSize));
    }

    /// <summary>Batches over all examples <c>0..count-1</c> in order.</summary>
    public static BatchPlan Sequential(int count, int batchSize) => Sequential(Enumerable.Range(0, count).ToArray(), batchSize);

    /// <summary>A shuffled training plan over <paramref name="indices"/>, bucketed by length unless <paramref name="lengthBucketing"/> is false.</summary>
    public static BatchPlan Shuffled(SequenceDataset data, ReadOnlySpan<int> indices, int batchSize, bool lengthBucketing, Random random,
        int bucketBatches = DefaultBucketBatches)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketBatches, 1);
        int[] order = indices.ToArray();
        random.Shuffle(order);
        int[] starts = ContiguousStarts(order.Length, batchSize);
        if (!lengthBucketing)
            return new BatchPlan(order, starts);

        int chunkSize = checked(batchSize * bucketBatches);
        int[] keys = new int[order.Length];
        for (int i = 0; i < order.Length; i++)
            keys[i] = -data.GetLength(order[i]);
        for (int chunk = 0; chunk < order.Length; chunk += chunkSize)
        {
            // Negated lengths: ascending keys put the longest sequences first.
            Array.Sort(keys, order, chunk, Math.Min(chunkSize, order.Length - chunk));
        }

        // Chunks are whole multiples of the batch size, so batches never straddle two chunks; shuffle their order.
        int batchCount = starts.Length - 1;
        int[] batchOrder = Enumerable.Range(0, batchCount).ToArray();
        random.Shuffle(batchOrder);
        int[] shuffled = new int[order.Length];
        int[] shuffledStarts = new int[batchCount + 1];
        int position = 0;
        for (int b = 0; b < batchCount; b++)
        {
            int source = batchOrder[b];
            int length = starts[source + 1] - starts[source];
            Array.Copy(order, starts[source], shuffled, position, length);
            shuffledStarts[b] = position;
            position += length;
        }
        shuffledStarts[batchCount] = position;
        return new BatchPlan(shuffled, shuffledStarts);
    }

    /// <summary>
    /// Splits <c>0..count-1</c> into training and validation indices, choosing <c>round(count * fraction)</c> (at least
    /// one, and at least one left for training) validation examples at random from <paramref name="seed"/>. Both parts
    /// come back in ascending order.
    /// </summary>
    public static (int[] Training, int[] Validation) SplitForValidation(int count, double fraction, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!(fraction >= 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The validation fraction must be in [0, 1).");
        int[] all = Enumerable.Range(0, count).ToArray();
        if (fraction == 0 || count < 2)
            return (all, []);
        int validationCount = Math.Clamp((int)Math.Round(count * fraction, MidpointRounding.AwayFromZero), 1, count - 1);
        new Random(seed).Shuffle(all);
        int[] validation = all[..validationCount];
        int[] training = all[validationCount..];
        Array.Sort(validation);
        Array.Sort(training);
        return (training, validation);
    }

    private static int[] ContiguousStarts(int count, int batchSize)
    {
        int batches = (count + batchSize - 1) / batchSize;
        int[] starts = new int[batches + 1];
        for (int b = 0; b < batches; b++)
            starts[b] = b * batchSize;
        starts[batches] = count;
        return starts;
    }
}
