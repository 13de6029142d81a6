namespace Microsoft.ML.Recurrent.Classification;

/// <summary>What a recurrent sequence model predicts from a whole sequence.</summary>
public enum SequencePredictionKind
{
    /// <summary>Two classes: Boolean label; Score (logit), Probability and PredictedLabel columns.</summary>
    BinaryClassification,

    /// <summary>Several classes: key-typed label; Score (vector of class probabilities) and PredictedLabel (key) columns.</summary>
    MulticlassClassification,

    /// <summary>A real value: Single label; Score column.</summary>
    Regression,
}
