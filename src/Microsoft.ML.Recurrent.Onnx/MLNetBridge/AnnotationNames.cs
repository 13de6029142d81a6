using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>
/// The names and values of ML.NET's standard column annotations (ML.NET declares them in an internal class), taken
/// from ML.NET itself so that they cannot drift.
/// </summary>
internal static class AnnotationNames
{
    public const string KeyValues = AnnotationUtils.Kinds.KeyValues;
    public const string SlotNames = AnnotationUtils.Kinds.SlotNames;
    public const string IsNormalized = AnnotationUtils.Kinds.IsNormalized;
    public const string ScoreColumnKind = AnnotationUtils.Kinds.ScoreColumnKind;
    public const string ScoreColumnSetId = AnnotationUtils.Kinds.ScoreColumnSetId;
    public const string ScoreValueKind = AnnotationUtils.Kinds.ScoreValueKind;
    public const string TrainingLabelValues = AnnotationUtils.Kinds.TrainingLabelValues;

    /// <summary>Values of the <see cref="ScoreColumnKind"/> annotation.</summary>
    public static class ScoreColumnKinds
    {
        public const string BinaryClassification = AnnotationUtils.Const.ScoreColumnKind.BinaryClassification;
        public const string MulticlassClassification = AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification;
        public const string Regression = AnnotationUtils.Const.ScoreColumnKind.Regression;
    }

    /// <summary>Values of the <see cref="ScoreValueKind"/> annotation.</summary>
    public static class ScoreValueKinds
    {
        public const string Score = AnnotationUtils.Const.ScoreValueKind.Score;
        public const string Probability = AnnotationUtils.Const.ScoreValueKind.Probability;
        public const string PredictedLabel = AnnotationUtils.Const.ScoreValueKind.PredictedLabel;
    }

    /// <summary>The key type of the <see cref="ScoreColumnSetId"/> annotation.</summary>
    public static KeyDataViewType ScoreColumnSetIdType => AnnotationUtils.ScoreColumnSetIdType;

    /// <summary>The largest value of <paramref name="kind"/> among <paramref name="schema"/>'s columns (0 when none has it).</summary>
    public static uint MaxAnnotationValue(DataViewSchema schema, string kind) => schema.GetMaxAnnotationKind(out _, kind);
}
