using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Tests.Support;

/// <summary>A cursor that serves another cursor's columns and ids, moving as its subclass decides.</summary>
internal abstract class WrappedCursor(DataViewRowCursor inner) : DataViewRowCursor
{
    protected DataViewRowCursor Inner => inner;

    public override DataViewSchema Schema => inner.Schema;

    public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => inner.GetGetter<TValue>(column);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
