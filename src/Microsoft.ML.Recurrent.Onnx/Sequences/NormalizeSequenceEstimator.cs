using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.Sequences;

/// <summary>
/// Standardizes a sequence column with statistics fitted over all its elements (not per vector slot, as ML.NET's
/// normalizers do), so that every time step of a series is scaled alike; with <see cref="Options.FeatureCount"/> &gt; 1
/// each feature of a flattened multivariate series gets its own statistics.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input column</term><description>vector (fixed or variable size) of Single; with <see cref="Options.FeatureCount"/> = F, a flattened [steps, F] sequence whose element i belongs to feature i % F.</description></item>
/// <item><term>Output column</term><description>vector of Single with the input's length.</description></item>
/// <item><term>Needs training</term><description>yes: one pass computing each feature's mean and standard deviation, or minimum and maximum.</description></item>
/// </list>
/// A feature whose fitted values are all equal (zero variance or zero range) gets scale 1, so it is only shifted.
/// Values must be finite: NaN or infinity, in the fitting data or at scoring time, throws an
/// <see cref="InvalidOperationException"/> naming the column and the 0-based row (at scoring time ML.NET's row id,
/// which for in-memory data and files is the row index), since a forecast fed with missing
/// values would silently produce NaN; clean or impute the data first. A vector whose length is not a multiple of
/// the feature count is rejected the same way. The fitted transformer's <see cref="NormalizeSequenceTransformer.Inverse(float, int)"/>
/// methods map normalized values (such as forecasts) back to original units.
/// </remarks>
public sealed class NormalizeSequenceEstimator : IEstimator<NormalizeSequenceTransformer>
{
    /// <summary>Settings of <see cref="NormalizeSequenceEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>Name of the output column. Required.</summary>
        public string OutputColumnName { get; set; } = "";

        /// <summary>Name of the input column. Default: null, meaning the same as <see cref="OutputColumnName"/>.</summary>
        public string? InputColumnName { get; set; }

        /// <summary>How values are scaled. Default: <see cref="NormalizationMode.MeanStdDev"/>.</summary>
        public NormalizationMode Mode { get; set; } = NormalizationMode.MeanStdDev;

        /// <summary>
        /// Number of interleaved features of each time step. Default: 1 (a univariate series: one set of statistics);
        /// must be at least 1, and every vector's length must be a multiple of it.
        /// </summary>
        public int FeatureCount { get; set; } = 1;

        internal void Validate()
        {
            if (string.IsNullOrWhiteSpace(OutputColumnName))
                throw new ArgumentException("NormalizeSequence: OutputColumnName must be set.", nameof(OutputColumnName));
            if (!Enum.IsDefined(Mode))
                throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "NormalizeSequence: unknown mode.");
            if (FeatureCount < 1)
                throw new ArgumentOutOfRangeException(nameof(FeatureCount), FeatureCount, "NormalizeSequence: FeatureCount must be at least 1.");
        }
    }

    internal const string ComponentName = "NormalizeSequence";
    private readonly IHostEnvironment _environment;
    private readonly Options _options;

    internal NormalizeSequenceEstimator(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _environment = environment;
        _options = options;
    }

    /// <summary>Checks the input column and computes each feature's statistics over every element of every row.</summary>
    public NormalizeSequenceTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaChecks.ShapeOf(input.Schema));
        string inputName = _options.InputColumnName ?? _options.OutputColumnName;
        var column = NormalizeSequenceTransformer.RequireInput(input.Schema, inputName, _options.FeatureCount);
        int features = _options.FeatureCount;
        var count = new long[features];
        var mean = new double[features];
        var squares = new double[features];
        var min = Enumerable.Repeat(double.PositiveInfinity, features).ToArray();
        var max = Enumerable.Repeat(double.NegativeInfinity, features).ToArray();
        using (var cursor = input.GetRowCursor([column]))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            var values = default(VBuffer<float>);
            Func<long> position = () => cursor.Position;
            while (cursor.MoveNext())
            {
                getter(ref values);
                var dense = NormalizeSequenceTransformer.CheckRow(values, inputName, position, features, "fitting");
                for (int i = 0; i < dense.Length; i++)
                {
                    // Welford's update keeps the variance accurate for long series with a large mean.
                    int f = i % features;
                    double x = dense[i];
                    count[f]++;
                    double delta = x - mean[f];
                    mean[f] += delta / count[f];
                    squares[f] += delta * (x - mean[f]);
                    min[f] = Math.Min(min[f], x);
                    max[f] = Math.Max(max[f], x);
                }
            }
        }
        if (count.Any(c => c == 0))
            throw new InvalidOperationException($"NormalizeSequence: the column '{inputName}' has no values to fit statistics on (every row is empty, or there are no rows).");
        var offsets = new double[features];
        var scales = new double[features];
        for (int f = 0; f < features; f++)
        {
            (offsets[f], double spread) = _options.Mode == NormalizationMode.MeanStdDev
                ? (mean[f], Math.Sqrt(squares[f] / count[f]))
                : (min[f], max[f] - min[f]);
            // A constant feature would divide by zero: it is only shifted.
            scales[f] = spread > 0 && double.IsFinite(spread) ? spread : 1;
        }
        var settings = new NormalizeSequenceTransformer.Settings(_options.OutputColumnName, inputName, _options.Mode, features, offsets, scales);
        return new NormalizeSequenceTransformer(_environment, settings);
    }

    /// <summary>Checks the input column and describes the output column.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        string inputName = _options.InputColumnName ?? _options.OutputColumnName;
        var input = SchemaChecks.RequireColumn(inputSchema, ComponentName, "input", inputName,
            c => c.Kind != SchemaShape.Column.VectorKind.Scalar && c.ItemType == NumberDataViewType.Single && !c.IsKey,
            NormalizeSequenceTransformer.ExpectedType);
        return SchemaChecks.WithColumns(inputSchema,
            SchemaChecks.NewColumn(_options.OutputColumnName, input.Kind, NumberDataViewType.Single, false));
    }
}
