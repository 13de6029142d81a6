using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.TimeSeries;

namespace Microsoft.ML.Recurrent.Forecasting;

// ITransformer is declared again so that the interface's members map to the ones below, whatever the static type of
// the caller's reference (TransformerChain, Model.Load and PredictionEngine all go through ITransformer): the
// forecaster reads many rows per forecast, so, like ML.NET's own forecasters, it is not a row-to-row mapper.
public sealed partial class RecurrentForecastingTransformer : ITransformer
{
    private const string Component = "Recurrent forecaster";

    private const string NotRowToRow =
        "A recurrent forecaster reads the lookback rows before each forecast, so it has no row-to-row mapper and no " +
        "PredictionEngine (like ML.NET's ForecastBySsa). Forecast from a live series with CreateForecastingEngine, from " +
        "a series in an IDataView with Transform, or from windows you build with Forecast.";

    /// <summary>
    /// Adds Forecast, LowerBound and UpperBound to the series <paramref name="input"/> (rows in time order, with the
    /// model's value, feature and known-future columns): row t gets the forecast of rows t + 1 .. t + Horizon from the
    /// window of rows t − Lookback + 1 .. t. Rows without such a window get NaN: the first Lookback − 1 rows and, for
    /// a model with known-future columns, the last Horizon rows (the window carries the covariates of the steps it
    /// forecasts, which lie past the data). So <c>Fit(series).Transform(series)</c> scores the training series.
    /// </summary>
    /// <remarks>
    /// Cursors visit rows in time order and forecast 256 rows per network call. A non-finite value in a series column
    /// fails the cursor with an <see cref="InvalidDataException"/> naming the column and the row.
    /// </remarks>
    /// <param name="input">The series.</param>
    public new IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new SeriesWindowDataView<ForecastResult?>(input, Scorer());
    }

    /// <summary>The input's columns plus Forecast, LowerBound and UpperBound; throws naming a missing or mistyped series column.</summary>
    /// <param name="inputSchema">The schema of the series.</param>
    public new DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return SeriesWindowDataView<ForecastResult?>.OutputSchema(inputSchema, Scorer());
    }

    /// <summary>False: each forecast needs the rows before it (see <see cref="CreateForecastingEngine(IDataView)"/>).</summary>
    public bool IsRowToRowMapper => false;

    /// <summary>Throws: the forecaster is not a row-to-row mapper (see <see cref="CreateForecastingEngine(IDataView)"/>).</summary>
    /// <param name="inputSchema">Not used.</param>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => throw new InvalidOperationException(NotRowToRow);

    private protected override RowMapping CreateMapping(DataViewSchema inputSchema) => throw new InvalidOperationException(NotRowToRow);

    /// <summary>The three output columns, vectors of Horizon Single values; the trainer describes its output schema from this too.</summary>
    internal static DataViewSchema.DetachedColumn[] OutputColumns(ForecastModelSettings settings)
    {
        var type = new VectorDataViewType(NumberDataViewType.Single, settings.Horizon);
        return
        [
            new(settings.ForecastColumnName, type),
            new(settings.LowerBoundColumnName, type),
            new(settings.UpperBoundColumnName, type),
        ];
    }

    private SeriesWindowScorer<ForecastResult?> Scorer()
        => new(Settings.Layout(), Component, OutputColumns(Settings), ForecastRows, OutputGetter);

    /// <summary>Forecasts every row that has a window, in batches; rows without one get null.</summary>
    private ForecastResult?[] ForecastRows(IReadOnlyList<RowWindow> rows)
    {
        var complete = rows.Where(r => r.Window is not null).ToList();
        IReadOnlyList<ForecastResult> forecasts;
        try
        {
            forecasts = Forecast(complete.Select(r => r.Window!).ToList());
        }
        catch (InvalidDataException)
        {
            // A value the scaling cannot take (a non-positive value under log scaling): find the row to name it.
            foreach (var row in complete)
            {
                try
                {
                    Forecast(row.Window!);
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"{Component}: the window ending at row {row.Row} (0-based): {e.Message}", e);
                }
            }
            throw;
        }
        var results = new ForecastResult?[rows.Count];
        int next = 0;
        for (int i = 0; i < rows.Count; i++)
            results[i] = rows[i].Window is null ? null : forecasts[next++];
        return results;
    }

    private Delegate OutputGetter(int column, Func<ForecastResult?> current)
    {
        int horizon = Horizon;
        return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
        {
            var result = current();
            var editor = VBufferEditor.Create(ref value, horizon);
            if (result is null)
                editor.Values.Fill(float.NaN);
            else
                (column switch { 0 => result.Forecast, 1 => result.LowerBound, _ => result.UpperBound }).CopyTo(editor.Values);
            value = editor.Commit();
        });
    }
}
