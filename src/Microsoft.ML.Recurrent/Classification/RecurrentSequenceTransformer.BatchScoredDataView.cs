using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Classification;

public sealed partial class RecurrentSequenceTransformer
{
    /// <summary>
    /// The output of <see cref="Transform"/>: the row-by-row view's schema, with cursors that score blocks of rows.
    /// </summary>
    /// <remarks>
    /// A cursor holds two cursors over the input in the same order: a leading one that reads the feature column of
    /// the next block of rows ahead of time, and a trailing one at the current row that serves the input's own
    /// columns. Reading ahead therefore needs no copy of the other columns, whatever their types.
    /// </remarks>
    private sealed class BatchScoredDataView : IDataView
    {
        private readonly RecurrentSequenceTransformer _model;
        private readonly IDataView _input;
        private readonly IDataView _rowByRow;
        private readonly DataViewSchema.Column _features;

        public BatchScoredDataView(RecurrentSequenceTransformer model, IDataView input, IDataView rowByRow)
        {
            _model = model;
            _input = input;
            _rowByRow = rowByRow;
            _features = input.Schema[model.Settings.FeatureColumnName];
        }

        /// <summary>
        /// True when the row-by-row output schema is the input's columns (same indices) followed by the model's
        /// columns, the layout the cursors rely on; otherwise <see cref="Transform"/> stays row by row.
        /// </summary>
        public static bool Fits(DataViewSchema input, DataViewSchema output, int added)
        {
            if (output.Count != input.Count + added)
                return false;
            for (int i = 0; i < input.Count; i++)
            {
                if (output[i].Name != input[i].Name || !output[i].Type.Equals(input[i].Type))
                    return false;
            }
            return true;
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
            return new Cursor(this, _input.GetRowCursor(passThrough), _input.GetRowCursor([_features]), outputs);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => rand is not null ? _rowByRow.GetRowCursorSet(columnsNeeded, n, rand) : [GetRowCursor(columnsNeeded)];

        private sealed class Cursor : DataViewRowCursor
        {
            private readonly BatchScoredDataView _parent;
            private readonly DataViewRowCursor _trailing;
            private readonly DataViewRowCursor _leading;
            private readonly Func<(long[] Tokens, float[] Features, int Count)> _read;
            private readonly Delegate?[] _getters;
            private readonly List<long[]> _blockTokens = new(ReadAheadRows);
            private readonly List<float[]> _blockFeatures = new(ReadAheadRows);
            private float[][] _block = [];
            private int _next;
            private float[] _current = [];
            private long _position = -1;

            public Cursor(BatchScoredDataView parent, DataViewRowCursor trailing, DataViewRowCursor leading, HashSet<int> outputs)
            {
                _parent = parent;
                _trailing = trailing;
                _leading = leading;
                var settings = parent._model.Settings;
                _read = SequenceRowReader.Create(leading, parent._features, settings.FeatureColumnName, settings.UsesTokens ? 0 : settings.FeatureSize);
                _getters = new Delegate?[OutputColumns(settings).Length];
                foreach (int i in outputs)
                    _getters[i] = OutputGetter(settings, i, () => _current);
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
                if (_next == _block.Length)
                    ScoreNextBlock();
                _current = _block[_next++];
                _position++;
                return true;
            }

            private void ScoreNextBlock()
            {
                _blockTokens.Clear();
                _blockFeatures.Clear();
                bool tokens = _parent._model.Settings.UsesTokens;
                while (_blockTokens.Count + _blockFeatures.Count < ReadAheadRows && _leading.MoveNext())
                {
                    var (ids, values, count) = _read(); // throws naming the column and the row for bad input
                    if (tokens)
                        _blockTokens.Add(ids.AsSpan(0, count).ToArray());
                    else
                        _blockFeatures.Add(values.AsSpan(0, count).ToArray());
                }
                if (_blockTokens.Count + _blockFeatures.Count == 0)
                    throw new InvalidOperationException("The input data view gave two cursors different numbers of rows; it cannot be scored in batches.");
                _block = _parent._model.PredictBatch(_blockTokens, _blockFeatures);
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
}
