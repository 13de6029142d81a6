using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>
/// What a model needs to score blocks of rows instead of one row per network call.
/// </summary>
/// <typeparam name="TInput">One row's input, an owned copy (the reader's buffers are reused).</typeparam>
/// <typeparam name="TOutput">One row's prediction, shared by all of its output columns.</typeparam>
/// <param name="Source">The input column the model reads.</param>
/// <param name="OutputCount">How many columns the model adds (after the input's, in the row-by-row view's order).</param>
/// <param name="CreateReader">A reader of the current row of a cursor; it throws naming the column and row for bad input.</param>
/// <param name="ScoreBlock">Scores a block of rows, returning one prediction per row in order.</param>
/// <param name="OutputGetter">The getter of output column i over the current row's prediction.</param>
internal sealed record BlockScorer<TInput, TOutput>(
    DataViewSchema.Column Source,
    int OutputCount,
    Func<DataViewRow, Func<TInput>> CreateReader,
    Func<IReadOnlyList<TInput>, TOutput[]> ScoreBlock,
    Func<int, Func<TOutput>, Delegate> OutputGetter);

/// <summary>
/// A transformer's output whose cursors score <see cref="ReadAheadRows"/> rows at a time: the row-by-row view's
/// schema, with in-order cursors built from two cursors over the input, a leading one that reads the source column
/// of the next block ahead of time and a trailing one at the current row that serves the input's own columns (so
/// reading ahead copies nothing else, whatever the columns' types). Shuffled cursors and cursors that read none of
/// the model's columns are the row-by-row view's.
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
    {
        var needed = columnsNeeded.ToList();
        int inputCount = _input.Schema.Count;
        // Two shuffled cursors would not visit rows in the same order; rows nobody scores need no look-ahead.
        if (rand is not null || needed.All(c => c.Index < inputCount))
            return _rowByRow.GetRowCursor(needed, rand);
        var passThrough = needed.Where(c => c.Index < inputCount).Select(c => _input.Schema[c.Index]);
        var outputs = needed.Where(c => c.Index >= inputCount).Select(c => c.Index - inputCount).ToHashSet();
        return new Cursor(this, _input.GetRowCursor(passThrough), _input.GetRowCursor([_scorer.Source]), outputs);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => rand is not null ? _rowByRow.GetRowCursorSet(columnsNeeded, n, rand) : [GetRowCursor(columnsNeeded)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ReadAheadScoredDataView<TInput, TOutput> _parent;
        private readonly DataViewRowCursor _trailing;
        private readonly DataViewRowCursor _leading;
        private readonly Func<TInput> _read;
        private readonly Delegate?[] _getters;
        private readonly List<TInput> _block = new(ReadAheadRows);
        private TOutput[] _scored = [];
        private int _next;
        private TOutput _current = default!;
        private long _position = -1;

        public Cursor(ReadAheadScoredDataView<TInput, TOutput> parent, DataViewRowCursor trailing, DataViewRowCursor leading, HashSet<int> outputs)
        {
            _parent = parent;
            _trailing = trailing;
            _leading = leading;
            _read = parent._scorer.CreateReader(leading);
            _getters = new Delegate?[parent._scorer.OutputCount];
            foreach (int i in outputs)
                _getters[i] = parent._scorer.OutputGetter(i, () => _current);
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _position;

        public override long Batch => _trailing.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _trailing.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column)
        {
            int inputCount = _parent._input.Schema.Count;
            return column.Index < inputCount
                ? _trailing.IsColumnActive(_parent._input.Schema[column.Index])
                : _getters[column.Index - inputCount] is not null;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = _parent._input.Schema.Count;
            if (column.Index < inputCount)
                return _trailing.GetGetter<TValue>(_parent._input.Schema[column.Index]);
            var getter = _getters[column.Index - inputCount]
                ?? throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' holds {column.Type}, not {typeof(TValue).Name}.");
        }

        public override bool MoveNext()
        {
            if (!_trailing.MoveNext())
                return false;
            if (_next == _scored.Length)
                ScoreNextBlock();
            _current = _scored[_next++];
            _position++;
            return true;
        }

        private void ScoreNextBlock()
        {
            _block.Clear();
            while (_block.Count < ReadAheadRows && _leading.MoveNext())
                _block.Add(_read());
            if (_block.Count == 0)
                throw new InvalidOperationException("The input data view gave two cursors different numbers of rows; it cannot be scored in blocks.");
            _scored = _parent._scorer.ScoreBlock(_block);
            _next = 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _trailing.Dispose();
                _leading.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
