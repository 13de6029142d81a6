using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Text;
using Microsoft.ML.Recurrent.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.LanguageModeling;

/// <summary>
/// Turns the rows of a token-id (or text) column into one token stream, the way word-level language models read a
/// corpus: rows follow each other in order, each ended by the end-of-sequence token when there is one.
/// </summary>
internal static class TokenStream
{
    /// <summary>
    /// Reads every row of <paramref name="column"/>. A vector of Int32/Int64/UInt32 (keys or not) is taken as ids; a
    /// text column is encoded with <paramref name="tokenizer"/>. Padding ids (0) are skipped; with
    /// <see cref="LanguageModelSettings.RowsHaveBeginEnd"/> a row's leading <c>&lt;s&gt;</c> is dropped; otherwise
    /// <see cref="LanguageModelSettings.SeparatorTokenId"/> is appended to each row. An id outside
    /// [1, <paramref name="vocabularySize"/>) fails, naming the column and row (<paramref name="vocabularySize"/> 0 = unchecked).
    /// </summary>
    public static int[] Read(IDataView data, string column, LanguageModelSettings layout, TokenizeToSequenceTransformer? tokenizer, int vocabularySize, string role)
    {
        ArgumentNullException.ThrowIfNull(data);
        var schemaColumn = data.Schema.GetColumnOrNull(column)
            ?? throw new ArgumentException($"The {role} data has no column '{column}'. Available columns: {string.Join(", ", data.Schema.Where(c => !c.IsHidden).Select(c => c.Name))}.", nameof(column));
        var stream = new List<int>();
        using var cursor = data.GetRowCursor([schemaColumn]);
        Func<List<int>, int> readRow = MakeRowReader(cursor, schemaColumn, tokenizer);
        var row = new List<int>();
        while (cursor.MoveNext())
        {
            row.Clear();
            readRow(row);
            int start = layout.RowsHaveBeginEnd && row.Count > 0 && row[0] == TokenizeToSequenceTransformer.BeginId ? 1 : 0;
            for (int i = start; i < row.Count; i++)
            {
                int id = row[i];
                if (id == TokenizeToSequenceTransformer.PaddingId)
                    continue;
                if (id < 0 || (vocabularySize > 0 && id >= vocabularySize))
                    throw new InvalidDataException(
                        $"Column '{column}' of the {role} data, row {cursor.Position}: token id {id} at position {i} is outside the model's vocabulary [1, {vocabularySize}). " +
                        "Tokenize every data set with the same fitted tokenizer (or set VocabularySize to cover every id).");
                stream.Add(id);
            }
            if (layout.SeparatorTokenId is int separator)
                stream.Add(separator);
        }
        if (stream.Count == 0)
            throw new ArgumentException($"Column '{column}' of the {role} data holds no tokens (it has no rows, or only empty ones).", nameof(data));
        return stream.ToArray();
    }

    private static Func<List<int>, int> MakeRowReader(DataViewRowCursor cursor, DataViewSchema.Column column, TokenizeToSequenceTransformer? tokenizer)
    {
        if (column.Type is TextDataViewType)
        {
            if (tokenizer is null)
                throw new ArgumentException($"Column '{column.Name}' holds text, but the model was trained without a tokenizer; pass token ids (e.g. from TokenizeToSequence) instead.");
            var getText = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            var text = default(ReadOnlyMemory<char>);
            return row =>
            {
                getText(ref text);
                row.AddRange(tokenizer.Encode(text.ToString()));
                return row.Count;
            };
        }
        var reader = VectorColumnReader.TryCreate(cursor, column, allowDouble: false);
        if (reader is null || !reader.IsInteger)
            throw new ArgumentException($"Column '{column.Name}' must be a vector of token ids (Int32, Int64, UInt32 or key) or text, but is {column.Type}.");
        long[] buffer = new long[64];
        return row =>
        {
            int count = reader.ReadIntegers(ref buffer);
            for (int i = 0; i < count; i++)
            {
                long value = buffer[i];
                if (value is < 0 or > int.MaxValue)
                    throw new InvalidDataException($"Column '{column.Name}', row {cursor.Position}: token id {value} at position {i} is outside [0, {int.MaxValue}].");
                row.Add((int)value);
            }
            return count;
        };
    }

    /// <summary>
    /// Lays the stream out as [rows, length] (PyTorch word_language_model's <c>batchify</c>): row r is the r-th
    /// contiguous segment, so consecutive windows of columns continue each row and the state carries over.
    /// Tokens beyond rows × length are dropped. Fails when a row would be shorter than 2 tokens.
    /// </summary>
    public static Tensor Batchify(int[] stream, int rows, string role)
    {
        long length = stream.Length / rows;
        if (length < 2)
            throw new ArgumentException($"The {role} data has {stream.Length} tokens, too few for {rows} parallel streams (at least {2 * rows} are needed); lower BatchSize or add data.");
        var ids = new long[rows * length];
        for (long i = 0; i < ids.Length; i++)
            ids[i] = stream[i];
        return tensor(ids, [rows, length]);
    }

    /// <summary>Number of windows of at most <paramref name="sequenceLength"/> predicted steps in a batchified stream of <paramref name="length"/> columns.</summary>
    public static int WindowCount(long length, int sequenceLength) => (int)((length - 1 + sequenceLength - 1) / sequenceLength);

    /// <summary>Inputs and next-token targets of window <paramref name="index"/>: columns [start, start + n) and [start + 1, start + n + 1).</summary>
    public static (Tensor Input, Tensor Target) Window(Tensor data, int index, int sequenceLength)
    {
        long start = (long)index * sequenceLength;
        long steps = Math.Min(sequenceLength, data.shape[1] - 1 - start);
        return (data.narrow(1, start, steps), data.narrow(1, start + 1, steps));
    }
}
