using Microsoft.ML.Recurrent.Modules;

namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// Everything a trained sequence model needs besides its weights: the network's shape and how its outputs become
/// ML.NET columns. Saved as JSON inside the model .zip.
/// </summary>
public sealed record SequenceModelSettings
{
    /// <summary>What the model predicts.</summary>
    public SequencePredictionKind Kind { get; init; }
    /// <summary>The input column: token ids or float features.</summary>
    public string FeatureColumnName { get; init; } = "Features";

    /// <summary>0 when the feature column holds token ids, otherwise the number of floats per time step.</summary>
    public int FeatureSize { get; init; }

    /// <summary>The recurrent cell of every layer.</summary>
    public RecurrentCellType CellType { get; init; }
    /// <summary>Hidden units per direction and layer.</summary>
    public int HiddenSize { get; init; }
    /// <summary>Stacked recurrent layers.</summary>
    public int Layers { get; init; }
    /// <summary>Whether each layer also reads the sequence backwards.</summary>
    public bool Bidirectional { get; init; }
    /// <summary>Token ids the embedding knows (ids at or above it are read as unknown, 1); 0 for float features.</summary>
    public int VocabularySize { get; init; }
    /// <summary>Width of the token embedding; 0 for float features.</summary>
    public int EmbeddingSize { get; init; }

    /// <summary>How the encoder's outputs over time become the head's input. Models saved before pooling existed read as <see cref="SequencePooling.Last"/>.</summary>
    public SequencePooling Pooling { get; init; } = SequencePooling.Last;

    /// <summary>
    /// The optional wide feature column (a Single vector, for example the output of <c>FeaturizeText</c>) whose linear
    /// map is added to the head's output; null when the model has none (and for models saved before it existed).
    /// </summary>
    public string? WideFeatureColumnName { get; init; }

    /// <summary>Values of the wide feature vector; 0 when the model has no wide features.</summary>
    public int WideFeatureSize { get; init; }

    /// <summary>True when the model reads a wide feature column beside its sequence.</summary>
    public bool UsesWideFeatures => WideFeatureSize > 0 && WideFeatureColumnName is not null;

    /// <summary>Outputs of the network's head: 1 for binary classification and regression, the class count for multiclass.</summary>
    public int OutputSize { get; init; }

    /// <summary>Names of the classes (multiclass, when the label's key values were text); null otherwise.</summary>
    public string[]? ClassNames { get; init; }

    /// <summary>Name of the Score output column.</summary>
    public string ScoreColumnName { get; init; } = "Score";
    /// <summary>Name of the PredictedLabel output column (classification).</summary>
    public string PredictedLabelColumnName { get; init; } = "PredictedLabel";
    /// <summary>Name of the Probability output column (binary classification).</summary>
    public string ProbabilityColumnName { get; init; } = "Probability";

    /// <summary>True when the feature column holds token ids.</summary>
    public bool UsesTokens => FeatureSize == 0;
}
