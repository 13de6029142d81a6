using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Sequences;
using Microsoft.ML.Recurrent.Training;

namespace Samples.Sentiment;

/// <summary>Training side of the sentiment model: the pipeline, training, evaluation and the bag-of-words baseline.</summary>
public static partial class SentimentModel
{
    /// <summary>Network and training settings of the sample.</summary>
    public sealed record Settings(int Epochs, int HiddenSize, int EmbeddingSize, int EnsembleSize, int BatchSize, double LearningRate,
        double ValidationFraction, int MaximumVocabularySize, TimeSpan? MaxTrainingTime, IProgress<TrainingProgress>? Progress,
        SequencePooling Pooling = SequencePooling.Last, int EarlyStoppingPatience = 2, bool Wide = false, int MaxTokens = 0,
        SequenceEnd Truncation = SequenceEnd.Middle);

    /// <summary>The bag-of-words column: the baseline's features, and the recurrent model's wide features with <see cref="Settings.Wide"/>.</summary>
    public const string BagOfWordsColumn = "BagOfWords";

    /// <summary>
    /// Tokens a text keeps by default: none dropped when the training texts are short (a mean of at most
    /// <see cref="LongTextTokens"/> words), else <see cref="LongTextTokens"/> * 2, the head and the tail (see docs/sentiment.md).
    /// </summary>
    public static int MaxTokensFor(double meanWords) => meanWords > LongTextTokens ? 2 * LongTextTokens : 0;

    /// <summary>Mean length, in words, above which texts count as long documents.</summary>
    public const int LongTextTokens = 200;

    /// <summary>
    /// The validation share of a training set of <paramref name="rows"/> rows: 500 rows where that is between 5% and
    /// 20% of the data, else the nearer bound. A 5% split of a small set (40 of 800 reviews) makes early stopping
    /// follow noise; a large set needs no more than 5%.
    /// </summary>
    public static double ValidationFractionFor(int rows) => Math.Clamp(500.0 / Math.Max(rows, 1), 0.05, 0.2);

    /// <summary>Epochs without improvement before stopping: small sets improve in noisier steps and get more patience.</summary>
    public static int PatienceFor(int rows) => rows < 5_000 ? 4 : 2;

    /// <summary>
    /// Text -> token ids (vocabulary fitted on the training text; long texts cut to <see cref="Settings.MaxTokens"/>,
    /// the same way at training and prediction) -> bidirectional LSTM classifier, with the bag of words as its wide
    /// features when <see cref="Settings.Wide"/>.
    /// </summary>
    public static IEstimator<ITransformer> BuildPipeline(MLContext mlContext, Settings settings)
        => BuildPreprocessing(mlContext, settings).Append(BuildTrainer(mlContext, settings));

    /// <summary>The text steps of <see cref="BuildPipeline"/>: token ids (cut to the kept length) and, for wide features, the bag of words.</summary>
    public static IEstimator<ITransformer> BuildPreprocessing(MLContext mlContext, Settings settings)
    {
        IEstimator<ITransformer> pipeline = mlContext.Transforms.Text.TokenizeToSequence("Tokens", "Text", maximumVocabularySize: settings.MaximumVocabularySize);
        if (settings.MaxTokens > 0)
            pipeline = pipeline.Append(mlContext.Transforms.PadSequence("Tokens", settings.MaxTokens, truncation: settings.Truncation));
        if (settings.Wide)
            pipeline = pipeline.Append(mlContext.Transforms.Text.FeaturizeText(BagOfWordsColumn, "Text"));
        return pipeline;
    }

    /// <summary>The recurrent trainer of <see cref="BuildPipeline"/>; with <paramref name="validationData"/>, it validates on that data instead of a share of the training rows.</summary>
    public static RecurrentSequenceTrainer BuildTrainer(MLContext mlContext, Settings settings, bool validationData = false)
    {
        bool validated = validationData || settings.ValidationFraction > 0;
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
            ValidationFraction = validationData ? 0 : settings.ValidationFraction,
            EarlyStoppingPatience = validated ? settings.EarlyStoppingPatience : 0,
            Pooling = settings.Pooling,
            WideFeatureColumnName = settings.Wide ? BagOfWordsColumn : null,
            MaxTrainingTime = settings.MaxTrainingTime,
            Progress = settings.Progress,
        };
        return mlContext.BinaryClassification.Trainers.Recurrent(options);
    }

    /// <summary>
    /// Fits the pipeline on <paramref name="trainData"/>, validating each epoch on <paramref name="validationData"/>
    /// (early stopping and the best epoch) instead of a share of the training rows.
    /// </summary>
    public static ITransformer Train(MLContext mlContext, Settings settings, IDataView trainData, IDataView validationData)
    {
        var preprocessing = BuildPreprocessing(mlContext, settings).Fit(trainData);
        var classifier = BuildTrainer(mlContext, settings, validationData: true)
            .Fit(preprocessing.Transform(trainData), preprocessing.Transform(validationData));
        return new TransformerChain<ITransformer>([.. (IEnumerable<ITransformer>)preprocessing, classifier]);
    }

    /// <summary>ML.NET's usual answer to text classification, measured on the same split as the recurrent model.</summary>
    public static IEstimator<ITransformer> BuildBaselinePipeline(MLContext mlContext)
        => mlContext.Transforms.Text.FeaturizeText(BagOfWordsColumn, "Text")
            // SDCA passes over the data many times; the cache saves featurizing every text on each pass.
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression("Label", BagOfWordsColumn));

    /// <summary>Fits <paramref name="pipeline"/> on <paramref name="trainData"/>.</summary>
    public static ITransformer Train(IEstimator<ITransformer> pipeline, IDataView trainData) => pipeline.Fit(trainData);

    /// <summary>Accuracy, AUC, F1 and the rest of ML.NET's binary metrics on <paramref name="testData"/>.</summary>
    public static CalibratedBinaryClassificationMetrics Evaluate(MLContext mlContext, ITransformer model, IDataView testData)
        => mlContext.BinaryClassification.Evaluate(model.Transform(testData));
}
