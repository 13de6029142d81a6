using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.TimeSeries;

/// <summary>The window that ends at one row of a series: its 0-based row index and the window, or null when the row has none.</summary>
/// <param name="Row">0-based index of the row.</param>
/// <param name="Window">The window in original units (see <see cref="SeriesWindowing"/>), or null: fewer than lookback rows so far, or known-future values the series does not reach.</param>
internal readonly record struct RowWindow(long Row, float[]? Window);

/// <summary>What a component computes, per row of a series, from the window that ends at that row.</summary>
/// <typeparam name="TOutput">One row's result, shared by all of its output columns.</typeparam>
/// <param name="Layout">The series columns and the windows cut from them.</param>
/// <param name="Component">Names the component in error messages.</param>
/// <param name="OutputColumns">The columns added after the input's.</param>
/// <param name="ComputeBlock">The results of consecutive rows, in order.</param>
/// <param name="OutputGetter">The getter of output column i over the current row's result.</param>
internal sealed record SeriesWindowScorer<TOutput>(
    SeriesWindowLayout Layout,
    string Component,
    DataViewSchema.DetachedColumn[] OutputColumns,
    Func<IReadOnlyList<RowWindow>, TOutput[]> ComputeBlock,
    Func<int, Func<TOutput>, Delegate> OutputGetter);

/// <summary>
/// A series (one row per time step, in order) with columns computed from the window that ends at each row, the way
/// ML.NET's own forecasters apply to the series they were fitted on. Cursors always visit rows in time order: a
/// window only exists over consecutive rows, so <see cref="CanShuffle"/> is false, a random order asked of
/// <see cref="GetRowCursor"/> is not honoured (ML.NET's <c>ShuffleRows</c> still works: it shuffles what it reads)
/// and a cursor set is one cursor. A cursor that reads one of the added columns reads the series columns
/// <see cref="BlockRows"/> rows ahead (plus the horizon with known-future columns) through a second cursor over the
/// input, and computes a block at a time; one that reads none of them is the input's own cursor. The two cursors are
/// paired by position and checked by row id: a source whose cursors disagree (another order, a skipped row) fails
/// with an exception naming the row instead of shifting windows silently.
/// </summary>
internal sealed class SeriesWindowDataView<TOutput> : IDataView
{
    /// <summary>Rows computed at a time.</summary>
    public const int BlockRows = 256;

    private readonly IDataView _input;
    private readonly SeriesWindowScorer<TOutput> _scorer;
    private readonly DataViewSchema.Column[] _series;

    /// <summary>Checks the series columns of <paramref name="input"/> (throwing naming the first missing or mistyped one) and wraps it.</summary>
    public SeriesWindowDataView(IDataView input, SeriesWindowScorer<TOutput> scorer)
    {
        ArgumentNullException.ThrowIfNull(input);
        _input = input;
        _scorer = scorer;
        _series = scorer.Layout.RequireColumns(input.Schema, scorer.Component);
        Schema = Append(input.Schema, scorer.OutputColumns);
    }

    /// <summary>The input's columns followed by the added ones; throws naming the first missing or mistyped series column.</summary>
    public static DataViewSchema OutputSchema(DataViewSchema input, SeriesWindowScorer<TOutput> scorer)
    {
        scorer.Layout.RequireColumns(input, scorer.Component);
        return Append(input, scorer.OutputColumns);
    }

    private static DataViewSchema Append(DataViewSchema input, DataViewSchema.DetachedColumn[] added)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (var column in added)
            builder.AddColumn(column.Name, column.Type, column.Annotations);
        return builder.ToSchema();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToList();
        int inputCount = _input.Schema.Count;
        var passThrough = needed.Where(c => c.Index < inputCount).Select(c => _input.Schema[c.Index]).ToList();
        var outputs = needed.Where(c => c.Index >= inputCount).Select(c => c.Index - inputCount).ToHashSet();
        var leading = outputs.Count > 0 ? _input.GetRowCursor(_series) : null;
        return new Cursor(this, _input.GetRowCursor(passThrough), leading, outputs);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly SeriesWindowDataView<TOutput> _parent;
        private readonly DataViewRowCursor _trailing;
        private readonly DataViewRowCursor? _leading;
        private readonly Func<float>[] _readers = [];
        private readonly ValueGetter<DataViewRowId>? _leadingId;
        private readonly ValueGetter<DataViewRowId> _trailingId;
        // Row ids of the buffered rows (parallel to _rows) and of the rows of the computed block.
        private readonly List<DataViewRowId> _ids = [];
        private DataViewRowId[] _blockIds = [];
        private readonly Delegate?[] _getters;
        // Series rows read ahead, one array of column values per row: rows _firstBuffered .. _firstBuffered + Count - 1.
        private readonly List<float[]> _rows = [];
        private long _firstBuffered;
        private bool _exhausted;
        private TOutput[] _computed = [];
        private long _blockStart;
        private TOutput _current = default!;
        private long _position = -1;

        public Cursor(SeriesWindowDataView<TOutput> parent, DataViewRowCursor trailing, DataViewRowCursor? leading, HashSet<int> outputs)
        {
            _parent = parent;
            _trailing = trailing;
            _leading = leading;
            _trailingId = trailing.GetIdGetter();
            if (leading is not null)
            {
                _readers = parent._series.Select(c => SeriesFrame.MakeGetter(leading, c)).ToArray();
                _leadingId = leading.GetIdGetter();
            }
            _getters = new Delegate?[parent._scorer.OutputColumns.Length];
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
            _position++;
            if (_leading is not null)
            {
                if (_position >= _blockStart + _computed.Length)
                    ComputeBlock(_position);
                _current = _computed[_position - _blockStart];
                CheckSameRow();
            }
            return true;
        }

        /// <summary>
        /// The window of the current row was cut from the leading cursor's rows: they must be the trailing cursor's rows
        /// too, or every window from here on would belong to another row.
        /// </summary>
        private void CheckSameRow()
        {
            DataViewRowId id = default;
            _trailingId(ref id);
            var expected = _blockIds[_position - _blockStart];
            if (!id.Equals(expected))
                throw new InvalidOperationException(
                    $"{_parent._scorer.Component}: row {_position} of the input has row id {id} in one cursor and {expected} in another; " +
                    "the input data view must give every cursor the same rows in the same order (a series is read twice).");
        }

        /// <summary>Computes rows <paramref name="start"/> .. start + BlockRows − 1 (or to the end).</summary>
        private void ComputeBlock(long start)
        {
            var layout = _parent._scorer.Layout;
            ReadThrough(start + BlockRows - 1 + layout.LookAhead);
            long available = _firstBuffered + _rows.Count;
            if (available <= start)
                throw new InvalidOperationException($"{_parent._scorer.Component}: the input data view gave two cursors different numbers of rows; a series must be read the same way twice.");
            int count = (int)Math.Min(BlockRows, available - start);
            var frame = Frame();
            var windows = new RowWindow[count];
            for (int i = 0; i < count; i++)
            {
                long row = start + i;
                bool complete = row >= layout.Lookback - 1 && row + layout.LookAhead < available;
                windows[i] = new RowWindow(row, complete
                    ? SeriesWindowing.CreateInput(frame, (int)(row + 1 - _firstBuffered), layout.Lookback, layout.Horizon)
                    : null);
            }
            _computed = _parent._scorer.ComputeBlock(windows);
            _blockIds = _ids.GetRange((int)(start - _firstBuffered), count).ToArray();
            _blockStart = start;
            // The next block's first window starts lookback − 1 rows before it; older rows are no longer needed.
            int drop = (int)Math.Clamp(start + count - (layout.Lookback - 1) - _firstBuffered, 0, _rows.Count);
            _rows.RemoveRange(0, drop);
            _ids.RemoveRange(0, drop);
            _firstBuffered += drop;
        }

        /// <summary>Reads the series up to row <paramref name="last"/> (0-based) or its end, checking that every value is finite.</summary>
        private void ReadThrough(long last)
        {
            var names = _parent._scorer.Layout.ColumnNames;
            while (!_exhausted && _firstBuffered + _rows.Count <= last)
            {
                if (!_leading!.MoveNext())
                {
                    _exhausted = true;
                    break;
                }
                var values = new float[_readers.Length];
                int row = checked((int)(_firstBuffered + _rows.Count));
                for (int c = 0; c < values.Length; c++)
                {
                    values[c] = _readers[c]();
                    SeriesFrame.CheckFinite(names[c], values.AsSpan(c, 1), row);
                }
                _rows.Add(values);
                DataViewRowId id = default;
                _leadingId!(ref id);
                _ids.Add(id);
            }
        }

        /// <summary>The buffered rows as a series whose step 0 is row <see cref="_firstBuffered"/>.</summary>
        private SeriesFrame Frame()
        {
            var layout = _parent._scorer.Layout;
            float[] Column(int c) => _rows.Select(r => r[c]).ToArray();
            int e = layout.FeatureColumnNames.Length;
            return SeriesFrame.FromArrays(layout.ValueColumnName, Column(0),
                layout.FeatureColumnNames.Select((name, f) => KeyValuePair.Create(name, Column(1 + f))).ToArray(),
                layout.KnownFutureColumnNames.Select((name, k) => KeyValuePair.Create(name, Column(1 + e + k))).ToArray());
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _trailing.Dispose();
                _leading?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
