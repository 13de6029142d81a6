using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.Sequences;

/// <summary>
/// Turns a variable-length vector column into a fixed-length one by padding and truncation, the way Keras'
/// <c>pad_sequences</c> does, and optionally records each row's true length.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input column</term><description>vector (fixed or variable size) of Single, Double, Int32, Int64, UInt32 or a key type.</description></item>
/// <item><term>Output column</term><description>vector of the same item type with exactly <see cref="Options.Length"/> elements.</description></item>
/// <item><term>Length column (optional)</term><description>Int32: the number of input elements kept (after truncation, before padding).</description></item>
/// <item><term>Needs training</term><description>no.</description></item>
/// </list>
/// Defaults differ from Keras on purpose for padding: elements are padded at the <see cref="SequenceEnd.End"/>, so a
/// sequence's elements keep their positions and the recurrent trainers can read each sequence up to its length.
/// Truncation defaults to <see cref="SequenceEnd.Start"/> as in Keras, keeping the most recent elements.
/// An empty input gives a vector of pad values and length 0.
/// </remarks>
public sealed class PadSequenceEstimator : IEstimator<PadSequenceTransformer>
{
    /// <summary>Settings of <see cref="PadSequenceEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>Name of the output column. Required.</summary>
        public string OutputColumnName { get; set; } = "";

        /// <summary>Name of the input column. Default: null, meaning the same as <see cref="OutputColumnName"/>.</summary>
        public string? InputColumnName { get; set; }

        /// <summary>Number of elements of every output vector. Default: 64; must be positive.</summary>
        public int Length { get; set; } = 64;

        /// <summary>Where pad values are added: <see cref="SequenceEnd.Start"/> or <see cref="SequenceEnd.End"/>. Default: <see cref="SequenceEnd.End"/> (Keras 'post').</summary>
        public SequenceEnd Padding { get; set; } = SequenceEnd.End;

        /// <summary>
        /// Where elements are dropped from longer inputs: the start (keeping the last elements), the end (keeping the first)
        /// or the middle (keeping both ends, for long documents). Default: <see cref="SequenceEnd.Start"/> (Keras 'pre').
        /// </summary>
        public SequenceEnd Truncation { get; set; } = SequenceEnd.Start;

        /// <summary>Value used for padding. Default: 0 (the padding token id of <c>TokenizeToSequence</c>). Must be finite.</summary>
        public double PadValue { get; set; }

        /// <summary>Optional name of an Int32 output column holding each row's kept length. Default: null (no column).</summary>
        public string? LengthColumnName { get; set; }

        internal void Validate()
        {
            if (string.IsNullOrWhiteSpace(OutputColumnName))
                throw new ArgumentException("PadSequence: OutputColumnName must be set.", nameof(OutputColumnName));
            if (Padding is not (SequenceEnd.Start or SequenceEnd.End))
                throw new ArgumentOutOfRangeException(nameof(Padding), Padding, "PadSequence: Padding must be Start or End; only truncation can take the middle.");
            if (!Enum.IsDefined(Truncation))
                throw new ArgumentOutOfRangeException(nameof(Truncation), Truncation, "PadSequence: Truncation must be Start, End or Middle.");
            if (Length <= 0)
                throw new ArgumentOutOfRangeException(nameof(Length), Length, "PadSequence: Length must be positive.");
            if (!double.IsFinite(PadValue))
                throw new ArgumentOutOfRangeException(nameof(PadValue), PadValue, "PadSequence: PadValue must be a finite number.");
            if (LengthColumnName is not null && LengthColumnName == OutputColumnName)
                throw new ArgumentException("PadSequence: LengthColumnName must differ from OutputColumnName.", nameof(LengthColumnName));
        }
    }

    internal const string ComponentName = "PadSequence";
    private readonly IHostEnvironment _environment;
    private readonly Options _options;

    internal PadSequenceEstimator(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _environment = environment;
        _options = options;
    }

    /// <summary>No training: returns the transformer for these settings after checking the input schema.</summary>
    public PadSequenceTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaChecks.ShapeOf(input.Schema));
        return new PadSequenceTransformer(_environment, PadSequenceTransformer.Settings.From(_options));
    }

    /// <summary>Checks the input column and describes the output columns.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        string inputName = _options.InputColumnName ?? _options.OutputColumnName;
        var input = SchemaChecks.RequireColumn(inputSchema, ComponentName, "input", inputName,
            c => c.Kind != SchemaShape.Column.VectorKind.Scalar && PadSequenceTransformer.IsSupportedItem(c.ItemType),
            PadSequenceTransformer.ExpectedType);
        var columns = new List<SchemaShape.Column>
        {
            SchemaChecks.NewColumn(_options.OutputColumnName, SchemaShape.Column.VectorKind.Vector, input.ItemType, input.IsKey,
                new SchemaShape(input.Annotations.Where(a => a.Name == AnnotationNames.KeyValues))),
        };
        if (_options.LengthColumnName is not null)
            columns.Add(SchemaChecks.NewColumn(_options.LengthColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Int32, false));
        return SchemaChecks.WithColumns(inputSchema, columns.ToArray());
    }
}
