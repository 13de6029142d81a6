using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>
/// Builds a small in-memory data view column by column (ML.NET's builder for this is internal to ML.NET).
/// </summary>
internal sealed class InMemoryView
{
    private readonly ArrayDataViewBuilder _builder;

    public InMemoryView(IHostEnvironment environment) => _builder = new ArrayDataViewBuilder(environment);

    /// <summary>Adds a column of known-size vectors (every row's array has the same length).</summary>
    public InMemoryView AddVectors<T>(string name, PrimitiveDataViewType itemType, T[][] rows)
    {
        _builder.AddColumn(name, itemType, rows);
        return this;
    }

    /// <summary>Adds a column of scalars.</summary>
    public InMemoryView AddValues<T>(string name, PrimitiveDataViewType type, T[] rows)
    {
        _builder.AddColumn(name, type, rows);
        return this;
    }

    public IDataView Build() => _builder.GetDataView();
}
