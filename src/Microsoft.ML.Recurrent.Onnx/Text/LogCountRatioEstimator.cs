using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.Text;

/// <summary>
/// Weights a bag-of-words vector by each term's naive Bayes log-count ratio, the features of NB-SVM (Wang &amp; Manning
/// 2012, "Baselines and Bigrams"): a term seen mostly in positive documents gets a large positive weight, one seen
/// mostly in negative documents a large negative weight, and a term seen equally in both a weight near zero. A linear
/// model on these features (logistic regression, SVM, or the wide part of a recurrent trainer) starts from what naive
/// Bayes knows and learns the rest; on long reviews it is one of the strongest bag-of-words baselines.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input column</term><description>known-size vector of Single holding non-negative term counts (or any non-negative weights), dense or sparse, e.g. <c>ProduceNgrams</c> or <c>FeaturizeText</c> output.</description></item>
/// <item><term>Label column</term><description>Boolean, read only by <see cref="Fit"/>; not needed to transform.</description></item>
/// <item><term>Output column</term><description>vector of Single of the input's size, sparse where the input is: element i is r_i times x_i (x_i = 1 where the count is positive with <see cref="Options.Binarize"/>, the count itself otherwise). The input's slot names are kept.</description></item>
/// <item><term>Needs training</term><description>yes: one pass summing the (binarized) counts of each class.</description></item>
/// </list>
/// With p and q the per-term sums over the positive and the negative rows plus the smoothing α,
/// r_i = log((p_i / |p|_1) / (q_i / |q|_1)). Both classes must occur in the fitting data. A negative, NaN or infinite
/// value, at fitting or scoring time, throws naming the column and the 0-based row: counts cannot be negative.
/// The ratios are fitted on labels, like a target encoding: rows used to validate or test a model must not be among
/// the rows it is fitted on. A trainer's <c>ValidationFraction</c> holds rows out after the pipeline before it was
/// fitted, so with this step give the trainer separate validation data instead.
/// </remarks>
public sealed class LogCountRatioEstimator : IEstimator<LogCountRatioTransformer>
{
    /// <summary>Settings of <see cref="LogCountRatioEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>Name of the output column. Required.</summary>
        public string OutputColumnName { get; set; } = "";

        /// <summary>Name of the input column of term counts. Default: null, meaning the same as <see cref="OutputColumnName"/>.</summary>
        public string? InputColumnName { get; set; }

        /// <summary>Name of the Boolean label column the ratios are fitted on. Default: "Label".</summary>
        public string LabelColumnName { get; set; } = "Label";

        /// <summary>
        /// Added to every term's count in each class (Laplace smoothing), so that a term seen in one class only gets a
        /// finite ratio. Default: 1, NB-SVM's value. Must be positive.
        /// </summary>
        public float Smoothing { get; set; } = 1;

        /// <summary>
        /// Whether a term counts once per document however often it occurs, both when fitting and in the output.
        /// Default: true: NB-SVM found binarized counts better for sentiment.
        /// </summary>
        public bool Binarize { get; set; } = true;

        internal void Validate()
        {
            if (string.IsNullOrWhiteSpace(OutputColumnName))
                throw new ArgumentException($"{ComponentName}: OutputColumnName must be set.", nameof(OutputColumnName));
            if (string.IsNullOrWhiteSpace(LabelColumnName))
                throw new ArgumentException($"{ComponentName}: LabelColumnName must be set.", nameof(LabelColumnName));
            if (!(Smoothing > 0) || !float.IsFinite(Smoothing))
                throw new ArgumentOutOfRangeException(nameof(Smoothing), Smoothing, $"{ComponentName}: Smoothing must be a positive finite number.");
        }
    }

    internal const string ComponentName = "WeightByLogCountRatio";
    private readonly IHostEnvironment _environment;
    private readonly Options _options;

    internal LogCountRatioEstimator(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _environment = environment;
        _options = options;
    }

    private string InputName => _options.InputColumnName ?? _options.OutputColumnName;

    /// <summary>Checks the columns and fits every term's log-count ratio on the labeled rows.</summary>
    public LogCountRatioTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaChecks.ShapeOf(input.Schema));
        var column = LogCountRatioTransformer.RequireInput(input.Schema, InputName);
        var label = SchemaChecks.RequireColumn(input.Schema, ComponentName, "label", _options.LabelColumnName,
            t => t == BooleanDataViewType.Instance, ExpectedLabel);
        int size = ((VectorDataViewType)column.Type).Size;
        var positive = new double[size];
        var negative = new double[size];
        long positiveRows = 0, negativeRows = 0;
        using (var cursor = input.GetRowCursor([column, label]))
        {
            var getValues = cursor.GetGetter<VBuffer<float>>(column);
            var getLabel = cursor.GetGetter<bool>(label);
            var values = default(VBuffer<float>);
            bool isPositive = false;
            var rowIndex = RowIndex.Getter(cursor);
            var sums = positive;
            Action<int, float> add = (slot, count) => sums[slot] += count; // one delegate for every row
            while (cursor.MoveNext())
            {
                getValues(ref values);
                getLabel(ref isPositive);
                sums = isPositive ? positive : negative;
                if (isPositive)
                    positiveRows++;
                else
                    negativeRows++;
                LogCountRatioTransformer.ForEachCount(values, InputName, rowIndex, _options.Binarize, "fitting", add);
            }
        }
        if (positiveRows == 0 || negativeRows == 0)
            throw new InvalidOperationException(
                $"{ComponentName}: the label column '{_options.LabelColumnName}' must hold both classes to fit log-count ratios; the data has {positiveRows} true and {negativeRows} false rows.");
        double alpha = _options.Smoothing;
        double positiveTotal = positive.Sum() + alpha * size;
        double negativeTotal = negative.Sum() + alpha * size;
        var ratios = new float[size];
        for (int i = 0; i < size; i++)
            ratios[i] = (float)(Math.Log((positive[i] + alpha) / positiveTotal) - Math.Log((negative[i] + alpha) / negativeTotal));
        var settings = new LogCountRatioTransformer.Settings(_options.OutputColumnName, InputName, _options.Binarize, _options.Smoothing);
        return new LogCountRatioTransformer(_environment, settings, ratios);
    }

    internal const string ExpectedLabel = "Boolean (the binary class of each row)";

    /// <summary>Checks the input and label columns and describes the output column.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var input = SchemaChecks.RequireColumn(inputSchema, ComponentName, "input", InputName,
            c => c.Kind == SchemaShape.Column.VectorKind.Vector && c.ItemType == NumberDataViewType.Single && !c.IsKey,
            LogCountRatioTransformer.ExpectedType);
        SchemaChecks.RequireColumn(inputSchema, ComponentName, "label", _options.LabelColumnName,
            c => c.Kind == SchemaShape.Column.VectorKind.Scalar && c.ItemType == BooleanDataViewType.Instance, ExpectedLabel);
        return SchemaChecks.WithColumns(inputSchema,
            SchemaChecks.NewColumn(_options.OutputColumnName, input.Kind, NumberDataViewType.Single, false, LogCountRatioTransformer.SlotNamesOf(input)));
    }
}
