using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>
/// What a model needs to score blocks of rows instead of one row per network call.
/// </summary>
/// <typeparam name="TInput">One row's input, an owned copy (the reader's buffers are reused).</typeparam>
/// <typeparam name="TOutput">One row's prediction, shared by all of its output columns.</typeparam>
/// <param name="Sources">The input columns the model reads.</param>
/// <param name="OutputCount">How many columns the model adds (after the input's, in the row-by-row view's order).</param>
/// <param name="CreateReader">A reader of the current row of a cursor; it throws naming the column and row for bad input.</param>
/// <param name="ScoreBlock">Scores a block of rows, returning one prediction per row in order.</param>
/// <param name="OutputGetter">The getter of output column i over the current row's prediction.</param>
internal sealed record BlockScorer<TInput, TOutput>(
    IReadOnlyList<DataViewSchema.Column> Sources,
    int OutputCount,
    Func<DataViewRow, Func<TInput>> CreateReader,
    Func<IReadOnlyList<TInput>, TOutput[]> ScoreBlock,
    Func<int, Func<TOutput>, Delegate> OutputGetter);

/// <summary>
/// A transformer's output whose cursors score <see cref="ReadAheadRows"/> rows at a time: the row-by-row view's
/// schema, with in-order cursors that each read the input once. A cursor reads a block of rows ahead from its one
/// cursor over the input, keeping the source columns' inputs and the values of the input columns it was asked for
/// (<see cref="ColumnBuffer"/>), with their row ids and batches; scores the block; then serves the rows from what it
/// kept. So upstream work runs once per row, and rows cannot be paired with another row's prediction.
/// <see cref="GetRowCursorSet"/> splits the input with the input's own cursor set and scores each part on the thread
/// that reads it (ML.NET's consolidation of the set gives the rows of one cursor). Shuffled cursors and cursors that
/// read none of the model's columns are the row-by-row view's.
/// </summary>
internal sealed class ReadAheadScoredDataView<TInput, TOutput> : IDataView
{
    /// <summary>Rows read ahead before scoring.</summary>
    public const int ReadAheadRows = 256;

    private readonly IDataView _input;
    private readonly IDataView _rowByRow;
    private readonly BlockScorer<TInput, TOutput> _scorer;

    private ReadAheadScoredDataView(IDataView input, IDataView rowByRow, BlockScorer<TInput, TOutput> scorer)
    {
        _input = input;
        _rowByRow = rowByRow;
        _scorer = scorer;
    }

    /// <summary>
    /// The batched view, or <paramref name="rowByRow"/> itself when its schema is not the input's columns (same
    /// indices) followed by the model's, the layout the cursors rely on.
    /// </summary>
    public static IDataView Create(IDataView input, IDataView rowByRow, BlockScorer<TInput, TOutput> scorer)
    {
        var (inputSchema, output) = (input.Schema, rowByRow.Schema);
        if (output.Count != inputSchema.Count + scorer.OutputCount)
            return rowByRow;
        for (int i = 0; i < inputSchema.Count; i++)
        {
            if (output[i].Name != inputSchema[i].Name || !output[i].Type.Equals(inputSchema[i].Type))
                return rowByRow;
        }
        return new ReadAheadScoredDataView<TInput, TOutput>(input, rowByRow, scorer);
    }

    public bool CanShuffle => _input.CanShuffle;

    public DataViewSchema Schema => _rowByRow.Schema;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => GetRowCursorSet(columnsNeeded, 1, rand)[0];

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var needed = columnsNeeded.ToList();
        int inputCount = _input.Schema.Count;
        // A shuffled order is the row-by-row view's to give; rows nobody scores need no look-ahead.
        if (rand is not null || needed.All(c => c.Index < inputCount))
            return n <= 1 ? [_rowByRow.GetRowCursor(needed, rand)] : _rowByRow.GetRowCursorSet(needed, n, rand);
        var passThrough = needed.Where(c => c.Index < inputCount).Select(c => _input.Schema[c.Index]).ToList();
        var outputs = needed.Where(c => c.Index >= inputCount).Select(c => c.Index - inputCount).ToHashSet();
        var read = passThrough.Concat(_scorer.Sources).DistinctBy(c => c.Index).ToList();
        var inputs = n <= 1 ? [_input.GetRowCursor(read)] : _input.GetRowCursorSet(read, n);
        return inputs.Select(input => (DataViewRowCursor)new Cursor(this, input, passThrough, outputs)).ToArray();
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ReadAheadScoredDataView<TInput, TOutput> _parent;
        private readonly DataViewRowCursor _input;
        private readonly Func<TInput> _read;
        private readonly ValueGetter<DataViewRowId> _readId;
        // Pass-through columns by input index: their buffers, and the getters that serve the current slot.
        private readonly Dictionary<int, Delegate> _passThroughGetters = [];
        private readonly ColumnBuffer[] _buffers;
        private readonly Delegate?[] _getters;
        private readonly List<TInput> _block = new(ReadAheadRows);
        private readonly DataViewRowId[] _ids = new DataViewRowId[ReadAheadRows];
        private readonly long[] _batches = new long[ReadAheadRows];
        private TOutput[] _scored = [];
        private int _count;
        private int _slot = -1;
        private long _position = -1;

        public Cursor(ReadAheadScoredDataView<TInput, TOutput> parent, DataViewRowCursor input, List<DataViewSchema.Column> passThrough, HashSet<int> outputs)
        {
            _parent = parent;
            _input = input;
            _read = parent._scorer.CreateReader(input);
            _readId = input.GetIdGetter();
            _buffers = passThrough.Select(c => ColumnBuffer.Create(input, c, ReadAheadRows)).ToArray();
            for (int i = 0; i < passThrough.Count; i++)
                _passThroughGetters[passThrough[i].Index] = _buffers[i].Getter(() => _slot);
            _getters = new Delegate?[parent._scorer.OutputCount];
            foreach (int i in outputs)
                _getters[i] = parent._scorer.OutputGetter(i, () => _scored[_slot]);
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _position;

        public override long Batch => _slot >= 0 ? _batches[_slot] : 0;

        public override ValueGetter<DataViewRowId> GetIdGetter()
            => (ref DataViewRowId value) =>
            {
                if (_slot < 0)
                    throw new InvalidOperationException("The cursor is not on a row.");
                value = _ids[_slot];
            };

        public override bool IsColumnActive(DataViewSchema.Column column)
        {
            int inputCount = _parent._input.Schema.Count;
            return column.Index < inputCount ? _passThroughGetters.ContainsKey(column.Index) : _getters[column.Index - inputCount] is not null;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = _parent._input.Schema.Count;
            var getter = (column.Index < inputCount ? _passThroughGetters.GetValueOrDefault(column.Index) : _getters[column.Index - inputCount])
                ?? throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' holds {column.Type}, not {typeof(TValue).Name}.");
        }

        public override bool MoveNext()
        {
            if (_slot + 1 >= _count && !ReadAndScoreNextBlock())
            {
                _slot = -1;
                return false;
            }
            _slot++;
            _position++;
            return true;
        }

        /// <summary>Reads up to <see cref="ReadAheadRows"/> rows, keeping what the rows' columns need, and scores them.</summary>
        private bool ReadAndScoreNextBlock()
        {
            _block.Clear();
            _count = 0;
            _slot = -1;
            while (_count < ReadAheadRows && _input.MoveNext())
            {
                _block.Add(_read());
                foreach (var buffer in _buffers)
                    buffer.Store(_count);
                _readId(ref _ids[_count]);
                _batches[_count] = _input.Batch;
                _count++;
            }
            if (_count == 0)
                return false;
            _scored = _parent._scorer.ScoreBlock(_block);
            return true;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _input.Dispose();
            base.Dispose(disposing);
        }
    }
}
