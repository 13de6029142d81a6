using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Tests.Support;

/// <summary>
/// Gives a cursor set of the size asked for, as ML.NET's parallel sources do: cursor k of n sees the rows whose index
/// is k modulo n, each row its own batch (its index), with the source's row ids.
/// </summary>
internal sealed class PartitionedDataView(IDataView source) : IDataView
{
    public bool CanShuffle => false;

    public DataViewSchema Schema => source.Schema;

    public long? GetRowCount() => source.GetRowCount();

    /// <summary>How many cursors the last cursor set had.</summary>
    public int LastSetSize { get; private set; }

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Part(source.GetRowCursor(columnsNeeded), 0, 1);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var columns = columnsNeeded.ToList();
        LastSetSize = Math.Max(1, n);
        return Enumerable.Range(0, LastSetSize).Select(k => (DataViewRowCursor)new Part(source.GetRowCursor(columns), k, LastSetSize)).ToArray();
    }

    private sealed class Part(DataViewRowCursor inner, int part, int parts) : WrappedCursor(inner)
    {
        private long _position = -1;
        private long _row = -1;

        public override long Position => _position;

        public override long Batch => _row;

        public override bool MoveNext()
        {
            while (Inner.MoveNext())
            {
                _row++;
                if (_row % parts == part)
                {
                    _position++;
                    return true;
                }
            }
            return false;
        }
    }
}
