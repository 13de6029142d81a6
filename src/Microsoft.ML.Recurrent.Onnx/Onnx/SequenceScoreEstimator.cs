using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// Adds a recurrent model's Score, Probability and PredictedLabel columns from a vector of averaged network outputs;
/// needs no training. Created by <c>RecurrentOnnxDeployment.ScoreColumns</c>.
/// </summary>
public sealed class SequenceScoreEstimator : IEstimator<SequenceScoreTransformer>
{
    private readonly IHostEnvironment _environment;
    private readonly string _inputColumnName;
    private readonly SequenceModelSettings _settings;

    internal SequenceScoreEstimator(IHostEnvironment environment, string inputColumnName, SequenceModelSettings settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        if (settings.OutputSize < 1)
            throw new ArgumentOutOfRangeException(nameof(settings), settings.OutputSize, "The output size must be at least 1.");
        _environment = environment;
        _inputColumnName = inputColumnName;
        _settings = settings;
    }

    /// <summary>No training: checks the input schema and returns the transformer.</summary>
    public SequenceScoreTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaChecks.ShapeOf(input.Schema));
        return new SequenceScoreTransformer(_environment, _inputColumnName, _settings);
    }

    /// <summary>Checks that the input column is a vector of Single and describes the added columns.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaChecks.RequireColumn(inputSchema, "Sequence score columns", "input", _inputColumnName,
            c => c.Kind != SchemaShape.Column.VectorKind.Scalar && c.ItemType == NumberDataViewType.Single, "a vector of Single");
        // The transformer's own column list (a scalar key's item type is its raw type in a shape: the multiclass
        // PredictedLabel used to pass its key type and throw "Item type cannot be a key").
        var columns = SchemaChecks.ShapesOf(SequenceOutputColumns.Create(_settings));
        return SchemaChecks.WithColumns(inputSchema, columns);
    }
}
