using System.Runtime.InteropServices;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Seq2Seq;

/// <summary>
/// Target id sequences of a seq2seq dataset, kept beside the <see cref="SequenceDataset"/> that holds the sources
/// (whose per-step targets must match the input length, unlike a translation). Example i of both has the same index.
/// </summary>
internal sealed class TargetSequences
{
    private readonly int[] _offsets;
    private readonly int[] _tokens;

    public TargetSequences(int[] offsets, int[] tokens)
    {
        _offsets = offsets;
        _tokens = tokens;
        for (int i = 0; i + 1 < offsets.Length; i++)
            MaxLength = Math.Max(MaxLength, offsets[i + 1] - offsets[i]);
        MaxTokenId = tokens.Length == 0 ? 0 : tokens.Max();
    }

    /// <summary>Length of the longest target, begin and end ids included.</summary>
    public int MaxLength { get; }

    /// <summary>Largest target id.</summary>
    public int MaxTokenId { get; }

    /// <summary>Largest target id other than <paramref name="beginId"/> and <paramref name="endId"/> (0 when there is none).</summary>
    public int MaxTokenIdExcept(int beginId, int endId) => _tokens.Where(id => id != beginId && id != endId).DefaultIfEmpty(0).Max();

    public ReadOnlySpan<int> Get(int index) => _tokens.AsSpan(_offsets[index], _offsets[index + 1] - _offsets[index]);

    /// <summary>int64 [batch, longest] ids of the examples <paramref name="indices"/>, right-padded with 0.</summary>
    public Tensor Batch(IReadOnlyList<int> indices)
    {
        int longest = indices.Max(i => _offsets[i + 1] - _offsets[i]);
        var values = new long[indices.Count * longest];
        for (int r = 0; r < indices.Count; r++)
        {
            var target = Get(indices[r]);
            for (int t = 0; t < target.Length; t++)
                values[r * longest + t] = target[t];
        }
        return tensor(values, [indices.Count, longest]);
    }
}

/// <summary>Reads the source and target id columns of an <see cref="IDataView"/>, validating every row.</summary>
internal static class Seq2SeqDataReader
{
    /// <param name="data">The rows.</param>
    /// <param name="sourceColumn">Source id vector column.</param>
    /// <param name="targetColumn">Target id vector column.</param>
    /// <param name="beginId">Begin id the targets start with (or that is added when <paramref name="addBeginEnd"/>).</param>
    /// <param name="endId">End id.</param>
    /// <param name="addBeginEnd">Whether to wrap each target in the begin and end ids instead of requiring them.</param>
    /// <param name="maxSourceLength">Source ids kept (first ones); 0 = all.</param>
    /// <param name="maxTargetLength">Target ids kept after the begin id, the end id included; 0 = all.</param>
    public static (SequenceDataset Sources, TargetSequences Targets) Read(IDataView data, string sourceColumn, string targetColumn,
        int beginId, int endId, bool addBeginEnd, int maxSourceLength, int maxTargetLength)
    {
        var source = Find(data, sourceColumn, "source");
        var target = Find(data, targetColumn, "target");
        using var cursor = data.GetRowCursor([source, target]);
        var sourceReader = Integers(cursor, source);
        var targetReader = Integers(cursor, target);
        var builder = new SequenceDataset.Builder(SequenceInputKind.Tokens, 1, SequenceTargetKind.None);
        var offsets = new List<int> { 0 };
        var tokens = new List<int>();
        long[] buffer = new long[64];
        var ids = new List<int>();
        long row = -1;
        while (cursor.MoveNext())
        {
            row++;
            // Read first: reading may replace the buffer with a larger one.
            int count = sourceReader.ReadIntegers(ref buffer);
            count = SequenceDataReader.TrimPadding(buffer, count);
            if (count == 0)
                throw Bad(sourceColumn, row, "the source sequence is empty; filter such rows out");
            if (maxSourceLength > 0)
                count = Math.Min(count, maxSourceLength);
            builder.AddTokens(CollectionsMarshal.AsSpan(ToIds(buffer, count, sourceColumn, row, ids)));

            count = targetReader.ReadIntegers(ref buffer);
            count = SequenceDataReader.TrimPadding(buffer, count);
            if (count == 0)
                throw Bad(targetColumn, row, "the target sequence is empty; every training row needs a target");
            ToIds(buffer, count, targetColumn, row, ids);
            if (addBeginEnd)
            {
                // The added ids sit just above the target vocabulary, so a larger id would be taken for one of them.
                int outside = ids.FindIndex(id => id >= beginId);
                if (outside >= 0)
                    throw Bad(targetColumn, row, $"token id {ids[outside]} at position {outside} is not below the target vocabulary size {beginId}");
                ids.Insert(0, beginId);
                ids.Add(endId);
            }
            else
            {
                if (ids[0] != beginId)
                    throw Bad(targetColumn, row, $"the target does not start with <s> (id {beginId}); tokenize the target with addBeginEnd: true, or set Seq2SeqTrainerOptions.AddBeginEnd");
                if (ids[^1] != endId || ids.Count < 2)
                    throw Bad(targetColumn, row, $"the target does not end with </s> (id {endId}); tokenize the target with addBeginEnd: true, or set Seq2SeqTrainerOptions.AddBeginEnd");
            }
            if (maxTargetLength > 0 && ids.Count > maxTargetLength + 1)
            {
                // Keep <s>, the first ids and </s>, so the model still learns to stop.
                ids.RemoveRange(maxTargetLength, ids.Count - maxTargetLength - 1);
            }
            tokens.AddRange(ids);
            offsets.Add(tokens.Count);
        }
        if (builder.Count == 0)
            throw new InvalidDataException($"The data has no rows: training needs at least one (source column '{sourceColumn}', target column '{targetColumn}').");
        return (builder.Build(), new TargetSequences(offsets.ToArray(), tokens.ToArray()));
    }

    private static List<int> ToIds(long[] buffer, int count, string column, long row, List<int> ids)
    {
        ids.Clear();
        for (int i = 0; i < count; i++)
        {
            if (buffer[i] < 0 || buffer[i] > int.MaxValue)
                throw Bad(column, row, $"token id {buffer[i]} at position {i} is outside [0, {int.MaxValue}]");
            ids.Add((int)buffer[i]);
        }
        return ids;
    }

    private static DataViewSchema.Column Find(IDataView data, string name, string role)
        => data.Schema.GetColumnOrNull(name)
           ?? throw new ArgumentException($"Sequence-to-sequence trainer: the data has no {role} column named '{name}'. Available columns: {string.Join(", ", data.Schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"))}.", name);

    private static VectorColumnReader Integers(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var reader = VectorColumnReader.TryCreate(cursor, column, allowDouble: false);
        if (reader is null || !reader.IsInteger)
            throw new ArgumentException($"Sequence-to-sequence trainer: column '{column.Name}' has type {column.Type}; expected a vector of token ids (Int32, Int64, UInt32 or key), e.g. from TokenizeToSequence.", column.Name);
        return reader;
    }

    private static InvalidDataException Bad(string column, long row, string problem) => new($"Column '{column}', row index {row}: {problem}.");
}
