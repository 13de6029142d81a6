using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>The 0-based row that error messages name.</summary>
internal static class RowIndex
{
    /// <summary>
    /// Returns a function giving the row under <paramref name="row"/>'s cursor. Parallel cursors number rows per
    /// worker, so it is the row id, which for in-memory data and files is the 0-based row index (the cursor
    /// position when the id does not fit a long). Call it only when there is an error to report.
    /// </summary>
    public static Func<long> Getter(DataViewRow row)
    {
        var getId = row.GetIdGetter();
        var id = default(DataViewRowId);
        return () =>
        {
            getId(ref id);
            return id.High == 0 && id.Low <= long.MaxValue ? (long)id.Low : row.Position;
        };
    }
}
