using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// The columns a sequence classifier or regressor adds (Score, Probability, PredictedLabel) and their annotations,
/// shared by the TorchSharp transformer and the ONNX deployment's score columns so that both produce the same schema.
/// </summary>
internal static class SequenceOutputColumns
{
    /// <summary>The output columns of a model with these settings, with their annotations.</summary>
    internal static DataViewSchema.DetachedColumn[] Create(SequenceModelSettings settings)
    {
        switch (settings.Kind)
        {
            case SequencePredictionKind.BinaryClassification:
                return
                [
                    new(settings.ScoreColumnName, NumberDataViewType.Single, ScoreAnnotations("BinaryClassification", AnnotationUtils.Const.ScoreValueKind.Score)),
                    new(settings.ProbabilityColumnName, NumberDataViewType.Single, ScoreAnnotations("BinaryClassification", AnnotationUtils.Const.ScoreValueKind.Probability)),
                    new(settings.PredictedLabelColumnName, BooleanDataViewType.Instance, ScoreAnnotations("BinaryClassification", AnnotationUtils.Const.ScoreValueKind.PredictedLabel)),
                ];
            case SequencePredictionKind.MulticlassClassification:
                var keyType = new KeyDataViewType(typeof(uint), settings.OutputSize);
                var scoreAnnotations = new DataViewSchema.Annotations.Builder();
                var labelAnnotations = new DataViewSchema.Annotations.Builder();
                if (settings.ClassNames is { } names)
                {
                    var namesType = new VectorDataViewType(TextDataViewType.Instance, names.Length);
                    ValueGetter<VBuffer<ReadOnlyMemory<char>>> getNames = (ref VBuffer<ReadOnlyMemory<char>> value)
                        => value = new VBuffer<ReadOnlyMemory<char>>(names.Length, names.Select(n => n.AsMemory()).ToArray());
                    scoreAnnotations.Add(AnnotationUtils.Kinds.SlotNames, namesType, getNames);
                    labelAnnotations.Add(AnnotationUtils.Kinds.KeyValues, namesType, getNames);
                }
                scoreAnnotations.Add(ScoreAnnotations("MulticlassClassification", AnnotationUtils.Const.ScoreValueKind.Score), _ => true);
                labelAnnotations.Add(ScoreAnnotations("MulticlassClassification", AnnotationUtils.Const.ScoreValueKind.PredictedLabel), _ => true);
                return
                [
                    new(settings.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, settings.OutputSize), scoreAnnotations.ToAnnotations()),
                    new(settings.PredictedLabelColumnName, keyType, labelAnnotations.ToAnnotations()),
                ];
            default:
                return [new(settings.ScoreColumnName, NumberDataViewType.Single, ScoreAnnotations("Regression", AnnotationUtils.Const.ScoreValueKind.Score))];
        }
    }

    // The annotations ML.NET's own trainers attach, so that evaluators and scorers recognise the columns.
    private static DataViewSchema.Annotations ScoreAnnotations(string kind, string valueKind)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = kind.AsMemory());
        builder.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = valueKind.AsMemory());
        return builder.ToAnnotations();
    }
}
