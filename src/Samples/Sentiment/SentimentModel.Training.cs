using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Training;

namespace Samples.Sentiment;

/// <summary>Training side of the sentiment model: the pipeline, training, evaluation and the bag-of-words baseline.</summary>
public static partial class SentimentModel
{
    /// <summary>Network and training settings of the sample.</summary>
    public sealed record Settings(int Epochs, int HiddenSize, int EmbeddingSize, int EnsembleSize, int BatchSize, double LearningRate,
        double ValidationFraction, int MaximumVocabularySize, TimeSpan? MaxTrainingTime, IProgress<TrainingProgress>? Progress,
        SequencePooling Pooling = SequencePooling.Last, int EarlyStoppingPatience = 2);

    /// <summary>
    /// The validation share of a training set of <paramref name="rows"/> rows: 500 rows where that is between 5% and
    /// 20% of the data, else the nearer bound. A 5% split of a small set (40 of 800 reviews) makes early stopping
    /// follow noise; a large set needs no more than 5%.
    /// </summary>
    public static double ValidationFractionFor(int rows) => Math.Clamp(500.0 / Math.Max(rows, 1), 0.05, 0.2);

    /// <summary>Epochs without improvement before stopping: small sets improve in noisier steps and get more patience.</summary>
    public static int PatienceFor(int rows) => rows < 5_000 ? 4 : 2;

    /// <summary>Text -> token ids (vocabulary fitted on the training text) -> bidirectional LSTM classifier.</summary>
    public static IEstimator<ITransformer> BuildPipeline(MLContext mlContext, Settings settings)
    {
        var options = new RecurrentSequenceTrainerOptions
        {
            FeatureColumnName = "Tokens",
            LabelColumnName = "Label",
            HiddenSize = settings.HiddenSize,
            EmbeddingSize = settings.EmbeddingSize,
            EnsembleSize = settings.EnsembleSize,
            Epochs = settings.Epochs,
            BatchSize = settings.BatchSize,
            LearningRate = settings.LearningRate,
            ValidationFraction = settings.ValidationFraction,
            EarlyStoppingPatience = settings.ValidationFraction > 0 ? settings.EarlyStoppingPatience : 0,
            Pooling = settings.Pooling,
            MaxTrainingTime = settings.MaxTrainingTime,
            Progress = settings.Progress,
        };
        return mlContext.Transforms.Text.TokenizeToSequence("Tokens", "Text", maximumVocabularySize: settings.MaximumVocabularySize)
            .Append(mlContext.BinaryClassification.Trainers.Recurrent(options));
    }

    /// <summary>ML.NET's usual answer to text classification, measured on the same split as the recurrent model.</summary>
    public static IEstimator<ITransformer> BuildBaselinePipeline(MLContext mlContext)
        => mlContext.Transforms.Text.FeaturizeText("BagOfWords", "Text")
            .Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression("Label", "BagOfWords"));

    /// <summary>Fits <paramref name="pipeline"/> on <paramref name="trainData"/>.</summary>
    public static ITransformer Train(IEstimator<ITransformer> pipeline, IDataView trainData) => pipeline.Fit(trainData);

    /// <summary>Accuracy, AUC, F1 and the rest of ML.NET's binary metrics on <paramref name="testData"/>.</summary>
    public static CalibratedBinaryClassificationMetrics Evaluate(MLContext mlContext, ITransformer model, IDataView testData)
        => mlContext.BinaryClassification.Evaluate(model.Transform(testData));
}
