using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.TimeSeries;
using Microsoft.ML.Recurrent.Training;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.Forecasting;

/// <summary>
/// Trains a recurrent forecaster: an LSTM or GRU reads the last <see cref="RecurrentForecastingTrainerOptions.Lookback"/>
/// steps and outputs the next <see cref="RecurrentForecastingTrainerOptions.Horizon"/> values at once with a
/// prediction interval. Created by <c>mlContext.Forecasting.Recurrent(...)</c>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Fit input</term><description>the training series: one row per time step, in time order, with the value column and any feature and known-future columns (Single or Double scalars, finite).</description></item>
/// <item><term>Fitted model</term><description>a <see cref="RecurrentForecastingTransformer"/> that applies to the same kind of series: each row gets Forecast, LowerBound and UpperBound, vectors of length horizon in original units, forecast from the window that ends at that row, so <c>Fit(series).Transform(series)</c> works. For step-by-step use, <see cref="RecurrentForecastingTransformer.CreateForecastingEngine(IDataView)"/> keeps the last lookback observations.</description></item>
/// <item><term>Needs training</term><description>yes (TorchSharp, CPU); scalings are fitted on the training series and stored in the model.</description></item>
/// </list>
/// The output column names match ML.NET's SSA forecaster as usually configured (Forecast, LowerBound, UpperBound).
/// </remarks>
public sealed class RecurrentForecastingTrainer : IEstimator<RecurrentForecastingTransformer>
{
    private readonly TrainerCore<RecurrentForecastingTrainerOptions> _core;
    private readonly RecurrentForecastingTrainerOptions _options;

    internal RecurrentForecastingTrainer(IHostEnvironment environment, RecurrentForecastingTrainerOptions options)
    {
        _core = new(environment, nameof(RecurrentForecastingTrainer), options, o => o.ValidateForecasting(), CheckSchema);
        _options = _core.Options;
    }

    /// <summary>Per-epoch history of each network of the last <see cref="Fit(IDataView)"/> (one per ensemble member).</summary>
    public IReadOnlyList<TrainingHistory> LastTrainingHistories { get; private set; } = [];

    /// <summary>Trains on the series <paramref name="input"/> (rows in time order).</summary>
    /// <param name="input">The training series.</param>
    public RecurrentForecastingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaChecks.ShapeOf(input.Schema));
        return Fit(SeriesFrame.Read(input, _options.ValueColumnName, _options.FeatureColumnNames, _options.KnownFutureColumnNames));
    }

    /// <summary>Trains on a series already in memory; its column names must match the options.</summary>
    /// <param name="series">The training series.</param>
    public RecurrentForecastingTransformer Fit(SeriesFrame series)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.ValueColumnName != _options.ValueColumnName || !series.FeatureColumnNames.SequenceEqual(_options.FeatureColumnNames)
            || !series.KnownFutureColumnNames.SequenceEqual(_options.KnownFutureColumnNames))
            throw new ArgumentException($"The series' columns ({series.ValueColumnName}; {string.Join(", ", series.FeatureColumnNames)}; {string.Join(", ", series.KnownFutureColumnNames)}) differ from the trainer's options.", nameof(series));
        return _core.Fit(run =>
        {
            var settings = DescribeModel(series);
            var windows = SeriesWindowing.Create(series, _options.Lookback, _options.Horizon, _options.Stride);
            var data = BuildDataset(settings, windows);
            run.Channel.LogInfo($"Forecasting: {windows.Count} windows of {settings.Lookback} steps × {settings.StepWidth} values, horizon {settings.Horizon}.");

            var task = new ForecastTrainingTask(settings);
            var loop = new TrainingLoop(_options);
            var networks = run.TrainMembers(_options.EnsembleSize, () => settings.BuildNetwork(_options.Dropout),
                (model, member) => loop.Train(model, task, data, null, member));
            LastTrainingHistories = run.Histories;
            return new RecurrentForecastingTransformer(_core.Host, settings, new(networks))
            {
                Story = run.Story(RecurrentForecastingTransformer.LoaderSignature, "Forecasting", data),
            };
        });
    }

    /// <summary>
    /// Checks that the series has the value, feature and known-future columns (Single or Double scalars) and adds the
    /// three output columns, as the fitted transformer does when it applies to the series.
    /// </summary>
    /// <param name="inputSchema">Schema of the training series.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _core.CheckSchema(inputSchema);
        var standIn = new ForecastModelSettings
        {
            ValueColumnName = _options.ValueColumnName,
            FeatureColumnNames = _options.FeatureColumnNames.ToArray(),
            KnownFutureColumnNames = _options.KnownFutureColumnNames.ToArray(),
            Lookback = _options.Lookback,
            Horizon = _options.Horizon,
            ForecastColumnName = _options.ForecastColumnName,
            LowerBoundColumnName = _options.LowerBoundColumnName,
            UpperBoundColumnName = _options.UpperBoundColumnName,
        };
        standIn.Layout().CheckColumns(inputSchema, "Recurrent forecaster");
        return SchemaChecks.WithColumns(inputSchema, SchemaChecks.ShapesOf(RecurrentForecastingTransformer.OutputColumns(standIn)));
    }

    private void CheckSchema(SchemaShape schema)
    {
        foreach (string name in new[] { _options.ValueColumnName }.Concat(_options.FeatureColumnNames).Concat(_options.KnownFutureColumnNames))
        {
            SchemaChecks.RequireColumn(schema, "Recurrent forecaster", "series", name,
                c => c.Kind == SchemaShape.Column.VectorKind.Scalar && (c.ItemType == NumberDataViewType.Single || c.ItemType == NumberDataViewType.Double),
                "a Single or Double scalar, one row per time step");
        }
    }

    private ForecastModelSettings DescribeModel(SeriesFrame series)
    {
        var scalers = new List<SeriesScaler> { SeriesScaler.Fit(series.ValueColumnName, series.Values, _options.Scaling) };
        for (int f = 0; f < series.FeatureColumnNames.Count; f++)
            scalers.Add(SeriesScaler.Fit(series.FeatureColumnNames[f], series.Features[f]));
        for (int c = 0; c < series.KnownFutureColumnNames.Count; c++)
            scalers.Add(SeriesScaler.Fit(series.KnownFutureColumnNames[c], series.KnownFuture[c]));
        return new ForecastModelSettings
        {
            ValueColumnName = series.ValueColumnName,
            FeatureColumnNames = series.FeatureColumnNames.ToArray(),
            KnownFutureColumnNames = series.KnownFutureColumnNames.ToArray(),
            Lookback = _options.Lookback,
            Horizon = _options.Horizon,
            Scalers = scalers.ToArray(),
            WindowNormalization = _options.WindowNormalization,
            IntervalKind = _options.IntervalKind,
            ConfidenceLevel = _options.ConfidenceLevel,
            CellType = _options.CellType,
            HiddenSize = _options.HiddenSize,
            Layers = _options.Layers,
            WindowColumnName = _options.WindowColumnName,
            ForecastColumnName = _options.ForecastColumnName,
            LowerBoundColumnName = _options.LowerBoundColumnName,
            UpperBoundColumnName = _options.UpperBoundColumnName,
        };
    }

    private static SequenceDataset BuildDataset(ForecastModelSettings settings, IReadOnlyList<SeriesWindow> windows)
    {
        var builder = new SequenceDataset.Builder(SequenceInputKind.Features, settings.StepWidth, SequenceTargetKind.Vector, settings.Horizon);
        var inputs = new float[settings.WindowLength];
        var targets = new float[settings.Horizon];
        foreach (var window in windows)
        {
            float level = settings.ScaleWindow(window.Inputs, inputs);
            settings.ScaleTargets(window.Targets, level, targets);
            builder.AddFeatures(inputs);
            builder.AddVector(targets);
        }
        return builder.Build();
    }
}
