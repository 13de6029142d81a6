using Microsoft.ML.Recurrent.Classification;

namespace Microsoft.ML.Recurrent.Streaming;

/// <summary>A sequence model's prediction after <see cref="Steps"/> steps of a stream.</summary>
/// <param name="Kind">What the model predicts.</param>
/// <param name="Output">
/// The ensemble-averaged output, as whole-sequence scoring computes it: [probability] for binary classification,
/// the class probabilities for multiclass, [value] for regression.
/// </param>
/// <param name="Steps">Steps read so far.</param>
public sealed record SequenceStreamingPrediction(SequencePredictionKind Kind, float[] Output, int Steps)
{
    /// <summary>Binary classification: the probability of the positive class.</summary>
    public float Probability => Kind == SequencePredictionKind.BinaryClassification ? Output[0]
        : throw new InvalidOperationException($"A {Kind} model has no single probability; read Output.");

    /// <summary>Binary classification: the logit of <see cref="Probability"/>, as the Score column holds it.</summary>
    public float Score => Kind switch
    {
        SequencePredictionKind.BinaryClassification => RecurrentSequenceTransformer.Logit(Output[0]),
        SequencePredictionKind.Regression => Output[0],
        _ => throw new InvalidOperationException("A multiclass model's scores are the class probabilities in Output."),
    };

    /// <summary>Binary classification: whether <see cref="Probability"/> exceeds 0.5.</summary>
    public bool PredictedLabel => Probability > 0.5f;

    /// <summary>Multiclass classification: the 0-based index of the most probable class (the first on a tie).</summary>
    public int PredictedClass => Kind == SequencePredictionKind.MulticlassClassification
        ? Array.IndexOf(Output, Output.Max())
        : throw new InvalidOperationException($"A {Kind} model has no classes.");
}
