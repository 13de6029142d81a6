using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Tests.Support;

/// <summary>
/// A data view that breaks ML.NET's cursor contract on purpose: every cursor after the first skips the source's first
/// row, so two cursors opened together see different rows at the same position (as a source reading a file that
/// changes, or one with a bug, would). Row ids are the source's, so a check by id notices.
/// </summary>
internal sealed class DisagreeingCursorsDataView(IDataView source) : IDataView
{
    private int _cursors;

    public bool CanShuffle => false;

    public DataViewSchema Schema => source.Schema;

    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var cursor = source.GetRowCursor(columnsNeeded);
        if (Interlocked.Increment(ref _cursors) > 1)
            cursor.MoveNext();
        return new Shifted(cursor);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Shifted(DataViewRowCursor inner) : WrappedCursor(inner)
    {
        private long _position = -1;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (!Inner.MoveNext())
                return false;
            _position++;
            return true;
        }
    }
}
