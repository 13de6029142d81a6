using System.Text.Json.Serialization;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;

namespace Microsoft.ML.Recurrent.TimeSeries;

/// <summary>
/// The series columns a forecaster reads (one row per time step) and the windows it cuts from them: at row t, the
/// window of rows <c>t − Lookback + 1 .. t</c> laid out as <see cref="SeriesWindowing"/> describes, which forecasts
/// rows <c>t + 1 .. t + Horizon</c>.
/// </summary>
/// <param name="ValueColumnName">The value column.</param>
/// <param name="FeatureColumnNames">Extra observed feature columns, in window order.</param>
/// <param name="KnownFutureColumnNames">Known-future covariate columns, in window order.</param>
/// <param name="Lookback">Steps per window.</param>
/// <param name="Horizon">Steps forecast from each window.</param>
internal sealed record SeriesWindowLayout(string ValueColumnName, string[] FeatureColumnNames, string[] KnownFutureColumnNames, int Lookback, int Horizon)
{
    /// <summary>What every series column must hold.</summary>
    public const string ExpectedType = "a Single or Double scalar, one row per time step";

    /// <summary>The value column, then the feature columns, then the known-future columns.</summary>
    [JsonIgnore]
    public string[] ColumnNames => [ValueColumnName, .. FeatureColumnNames, .. KnownFutureColumnNames];

    /// <summary>Values per window step.</summary>
    [JsonIgnore]
    public int StepWidth => SeriesWindowing.StepWidth(FeatureColumnNames.Length, KnownFutureColumnNames.Length);

    /// <summary>Values per window.</summary>
    [JsonIgnore]
    public int WindowLength => Lookback * StepWidth;

    /// <summary>
    /// Rows after a window's last row whose values the window holds: the horizon with known-future columns (each
    /// step carries the covariates of the step a horizon later), none otherwise.
    /// </summary>
    [JsonIgnore]
    public int LookAhead => KnownFutureColumnNames.Length > 0 ? Horizon : 0;

    /// <summary>Checks that every series column is a Single or Double scalar; throws naming the first that is not.</summary>
    public void CheckColumns(SchemaShape schema, string component)
    {
        foreach (string name in ColumnNames)
        {
            SchemaChecks.RequireColumn(schema, component, "series", name,
                c => c.Kind == SchemaShape.Column.VectorKind.Scalar && !c.IsKey && (c.ItemType == NumberDataViewType.Single || c.ItemType == NumberDataViewType.Double),
                ExpectedType);
        }
    }

    /// <summary>The series columns of <paramref name="schema"/>, in <see cref="ColumnNames"/> order; throws naming the first missing or mistyped one.</summary>
    public DataViewSchema.Column[] RequireColumns(DataViewSchema schema, string component)
        => ColumnNames.Select(name => SchemaChecks.RequireColumn(schema, component, "series", name,
            t => t == NumberDataViewType.Single || t == NumberDataViewType.Double, ExpectedType)).ToArray();
}
