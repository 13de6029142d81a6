using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// The columns a sequence classifier or regressor adds (Score, Probability, PredictedLabel) and their annotations,
/// shared by the TorchSharp transformer, the trainers' output schemas and the ONNX deployment's score columns, so that
/// all of them produce the same schema.
/// </summary>
internal static class SequenceOutputColumns
{
    /// <summary>
    /// The task's columns with the annotations ML.NET's own scorers give them, so that evaluators and scorers
    /// recognise them: ScoreColumnSetId, ScoreColumnKind and ScoreValueKind on every column; IsNormalized on the
    /// binary Probability; for multiclass with class names, SlotNames and TrainingLabelValues on Score and KeyValues
    /// on PredictedLabel. The trainers describe their output schema from this same list.
    /// </summary>
    /// <param name="settings">The model (or a stand-in with the same kind, column names and presence of class names).</param>
    /// <param name="scoreColumnSetId">This set of score columns' id: one more than the largest among the input's columns, as ML.NET's scorers number them.</param>
    internal static DataViewSchema.DetachedColumn[] Create(SequenceModelSettings settings, uint scoreColumnSetId = 1)
    {
        switch (settings.Kind)
        {
            case SequencePredictionKind.BinaryClassification:
                const string binary = AnnotationNames.ScoreColumnKinds.BinaryClassification;
                return
                [
                    new(settings.ScoreColumnName, NumberDataViewType.Single, ScoreAnnotations(binary, AnnotationNames.ScoreValueKinds.Score, scoreColumnSetId).ToAnnotations()),
                    new(settings.ProbabilityColumnName, NumberDataViewType.Single, ScoreAnnotations(binary, AnnotationNames.ScoreValueKinds.Probability, scoreColumnSetId, isNormalized: true).ToAnnotations()),
                    new(settings.PredictedLabelColumnName, BooleanDataViewType.Instance, ScoreAnnotations(binary, AnnotationNames.ScoreValueKinds.PredictedLabel, scoreColumnSetId).ToAnnotations()),
                ];
            case SequencePredictionKind.MulticlassClassification:
                const string multiclass = AnnotationNames.ScoreColumnKinds.MulticlassClassification;
                var scoreAnnotations = ScoreAnnotations(multiclass, AnnotationNames.ScoreValueKinds.Score, scoreColumnSetId);
                var labelAnnotations = ScoreAnnotations(multiclass, AnnotationNames.ScoreValueKinds.PredictedLabel, scoreColumnSetId);
                if (settings.ClassNames is { } names)
                {
                    var namesType = new VectorDataViewType(TextDataViewType.Instance, names.Length);
                    ValueGetter<VBuffer<ReadOnlyMemory<char>>> getNames = (ref VBuffer<ReadOnlyMemory<char>> value)
                        => value = new VBuffer<ReadOnlyMemory<char>>(names.Length, names.Select(n => n.AsMemory()).ToArray());
                    scoreAnnotations.Add(AnnotationNames.SlotNames, namesType, getNames);
                    scoreAnnotations.Add(AnnotationNames.TrainingLabelValues, namesType, getNames);
                    labelAnnotations.Add(AnnotationNames.KeyValues, namesType, getNames);
                }
                return
                [
                    new(settings.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, settings.OutputSize), scoreAnnotations.ToAnnotations()),
                    new(settings.PredictedLabelColumnName, new KeyDataViewType(typeof(uint), settings.OutputSize), labelAnnotations.ToAnnotations()),
                ];
            default:
                return [new(settings.ScoreColumnName, NumberDataViewType.Single, ScoreAnnotations(AnnotationNames.ScoreColumnKinds.Regression, AnnotationNames.ScoreValueKinds.Score, scoreColumnSetId).ToAnnotations())];
        }
    }

    /// <summary>The id the next set of score columns gets in <paramref name="inputSchema"/>, as ML.NET's scorers number them.</summary>
    internal static uint NextScoreColumnSetId(DataViewSchema inputSchema)
        => AnnotationNames.MaxAnnotationValue(inputSchema, AnnotationNames.ScoreColumnSetId) + 1;

    // The annotations ML.NET's scorers attach to every column they add.
    private static DataViewSchema.Annotations.Builder ScoreAnnotations(string kind, string valueKind, uint scoreColumnSetId, bool isNormalized = false)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(AnnotationNames.ScoreColumnSetId, AnnotationNames.ScoreColumnSetIdType, (ref uint v) => v = scoreColumnSetId);
        builder.Add(AnnotationNames.ScoreColumnKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = kind.AsMemory());
        builder.Add(AnnotationNames.ScoreValueKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = valueKind.AsMemory());
        if (isNormalized)
            builder.Add(AnnotationNames.IsNormalized, BooleanDataViewType.Instance, (ref bool v) => v = true);
        return builder;
    }
}
