using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Sequences;
using Microsoft.ML.Recurrent.Training;
using Microsoft.ML.Transforms.Text;

namespace Samples.Sentiment;

/// <summary>Training side of the sentiment model: the pipeline, training, evaluation and the bag-of-words baseline.</summary>
public static partial class SentimentModel
{
    /// <summary>Network and training settings of the sample.</summary>
    public sealed record Settings(int Epochs, int HiddenSize, int EmbeddingSize, int EnsembleSize, int BatchSize, double LearningRate,
        double ValidationFraction, int MaximumVocabularySize, TimeSpan? MaxTrainingTime, IProgress<TrainingProgress>? Progress,
        SequencePooling Pooling = SequencePooling.Last, int EarlyStoppingPatience = 2, bool Wide = false, int MaxTokens = 0,
        SequenceEnd Truncation = SequenceEnd.Middle, LanguageModelTransformer? Pretrained = null);

    /// <summary>Passes of the language model over the training text with <c>--pretrain</c>.</summary>
    public const int PretrainEpochs = 4;

    /// <summary>
    /// ULMFiT's first step: a one-layer LSTM language model (of the classifier's width) trained on the training texts,
    /// with its own word tokenizer, whose embedding and recurrent layer then initialize the classifier.
    /// </summary>
    public static LanguageModelTransformer Pretrain(MLContext mlContext, Settings settings, IDataView texts, IProgress<TrainingProgress>? progress)
    {
        var tokenizer = mlContext.Transforms.Text.TokenizeToSequence("Tokens", "Text", maximumVocabularySize: settings.MaximumVocabularySize).Fit(texts);
        var options = new LanguageModelTrainerOptions
        {
            Tokenizer = tokenizer,
            HiddenSize = settings.HiddenSize,
            EmbeddingSize = settings.EmbeddingSize,
            Layers = 1,
            Epochs = PretrainEpochs,
            Progress = progress,
            MaxTrainingTime = settings.MaxTrainingTime,
        };
        return mlContext.LanguageModeling().Trainers.Recurrent(options).Fit(tokenizer.Transform(texts));
    }

    /// <summary>The bag-of-words column: the baseline's features (FeaturizeText).</summary>
    public const string BagOfWordsColumn = "BagOfWords";

    /// <summary>The recurrent model's wide features with <see cref="Settings.Wide"/>: naive Bayes-weighted n-grams (<see cref="BuildWideFeatures"/>).</summary>
    public const string WideFeaturesColumn = "NaiveBayesFeatures";

    /// <summary>The word unigram and bigram counts the wide features weight.</summary>
    public const string TermCountsColumn = "TermCounts";

    /// <summary>
    /// NB-SVM's features (Wang and Manning 2012): the text's word unigrams and bigrams (lower-cased, counted, not
    /// normalized), each present term weighted by its naive Bayes log-count ratio fitted on the training labels.
    /// Logistic regression on them scores 0.915 on the review set's test/ against 0.825 for FeaturizeText + SDCA
    /// (docs/benchmarks.md), so the recurrent model starts from a much stronger linear part.
    /// </summary>
    public static IEstimator<ITransformer> BuildWideFeatures(MLContext mlContext)
        => mlContext.Transforms.Text.FeaturizeText(TermCountsColumn, TermCountOptions(), "Text")
            .Append(mlContext.Transforms.Text.WeightByLogCountRatio(WideFeaturesColumn, TermCountsColumn, "Label"));

    /// <summary>FeaturizeText's settings for <see cref="TermCountsColumn"/>: word 1- and 2-grams, no character n-grams, raw counts.</summary>
    public static TextFeaturizingEstimator.Options TermCountOptions() => new()
    {
        WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = 2, UseAllLengths = true },
        CharFeatureExtractor = null,
        Norm = TextFeaturizingEstimator.NormFunction.None,
    };

    /// <summary>
    /// Tokens a text keeps by default: none dropped when the training texts are short (a mean of at most
    /// <see cref="LongTextTokens"/> words), else <see cref="LongTextTokens"/> * 2, the head and the tail (see docs/sentiment.md).
    /// </summary>
    public static int MaxTokensFor(double meanWords) => meanWords > LongTextTokens ? 2 * LongTextTokens : 0;

    /// <summary>Mean length, in words, above which texts count as long documents.</summary>
    public const int LongTextTokens = 200;

    /// <summary>
    /// What <c>--wide</c> does: "on" and "off" as asked; "auto" becomes "choose" (train with and without the wide
    /// features, keep the better on validation) for long documents (a mean above <see cref="LongTextTokens"/> words),
    /// else "off". On short texts the network needs no bag of words, and the usual validation split cannot choose
    /// fairly: SST-2's training phrases are pieces of the same sentences, so validation rewards the n-grams that
    /// memorize them (0.945 against 0.924 on validation, 0.821 against 0.842 on dev; docs/benchmarks.md).
    /// </summary>
    public static string WideModeFor(string requested, bool generated, double meanWords) => requested switch
    {
        "auto" when generated => "off",
        "auto" => meanWords > LongTextTokens ? "choose" : "off",
        _ => requested,
    };

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
    /// the same way at training and prediction) -> bidirectional LSTM classifier, with naive Bayes-weighted n-grams as
    /// its wide features when <see cref="Settings.Wide"/>.
    /// </summary>
    public static IEstimator<ITransformer> BuildPipeline(MLContext mlContext, Settings settings)
        => BuildPreprocessing(mlContext, settings).Append(BuildTrainer(mlContext, settings));

    /// <summary>The text steps of <see cref="BuildPipeline"/>: token ids (cut to the kept length) and, for wide features, the weighted n-grams.</summary>
    public static IEstimator<ITransformer> BuildPreprocessing(MLContext mlContext, Settings settings)
        => AfterTokens(mlContext, settings, mlContext.Transforms.Text.TokenizeToSequence("Tokens", "Text", maximumVocabularySize: settings.MaximumVocabularySize));

    /// <summary><paramref name="pipeline"/> followed by the steps after tokenization: the cut to the kept length and the wide features.</summary>
    private static IEstimator<ITransformer> AfterTokens(MLContext mlContext, Settings settings, IEstimator<ITransformer> pipeline)
    {
        if (settings.MaxTokens > 0)
            pipeline = pipeline.Append(mlContext.Transforms.PadSequence("Tokens", settings.MaxTokens, truncation: settings.Truncation));
        if (settings.Wide)
            pipeline = pipeline.Append(BuildWideFeatures(mlContext));
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
            WideFeatureColumnName = settings.Wide ? WideFeaturesColumn : null,
            MaxTrainingTime = settings.MaxTrainingTime,
            Progress = settings.Progress,
        };
        if (settings.Pretrained is { } languageModel)
        {
            // ULMFiT's fine-tuning: the encoder (shape, embedding, layer) from the language model, read forward as it
            // was trained; layer-wise rates, gradual unfreezing and slanted triangular rates keep it from being overwritten.
            options.PretrainedLanguageModel = languageModel;
            options.Bidirectional = false;
            options.LayerLearningRateDecay = 2.6;
            options.GradualUnfreezing = true;
            options.LearningRateSchedule = LearningRateScheduleKind.SlantedTriangular;
        }
        return mlContext.BinaryClassification.Trainers.Recurrent(options);
    }

    /// <summary>
    /// Fits the pipeline on <paramref name="trainData"/>: validating each epoch on <paramref name="validationData"/>
    /// when given (early stopping and the best epoch) instead of a share of the training rows, and with the language
    /// model's own tokenizer in front when the classifier starts from one (<see cref="Settings.Pretrained"/>).
    /// </summary>
    public static ITransformer Train(MLContext mlContext, Settings settings, IDataView trainData, IDataView? validationData)
    {
        if (settings.Wide && validationData is null && settings.ValidationFraction > 0)
            (trainData, validationData) = SplitValidation(mlContext, trainData, settings.ValidationFraction);
        ITransformer preprocessing;
        if (settings.Pretrained?.Tokenizer is { } tokenizer)
        {
            var tokens = tokenizer.Transform(trainData);
            preprocessing = new TransformerChain<ITransformer>([tokenizer, .. Steps(AfterTokens(mlContext, settings, new EstimatorChain<ITransformer>()).Fit(tokens))]);
        }
        else
        {
            preprocessing = BuildPreprocessing(mlContext, settings).Fit(trainData);
        }
        var classifier = BuildTrainer(mlContext, settings, validationData: validationData is not null)
            .Fit(preprocessing.Transform(trainData), validationData is null ? null : preprocessing.Transform(validationData));
        return new TransformerChain<ITransformer>([.. Steps(preprocessing), classifier]);
    }

    /// <summary>
    /// Holds out <paramref name="fraction"/> of <paramref name="data"/> for validation before anything is fitted. The
    /// wide features are fitted on the labels (log-count ratios), so the trainer's own validation split, taken after the
    /// preprocessing was fitted on every row, would validate on rows whose labels the features have seen (validation
    /// accuracy 0.99 on reviews where the test accuracy is 0.89).
    /// </summary>
    public static (IDataView Train, IDataView Validation) SplitValidation(MLContext mlContext, IDataView data, double fraction)
    {
        var split = mlContext.Data.TrainTestSplit(data, testFraction: fraction, seed: 1);
        return (split.TrainSet, split.TestSet);
    }

    // A fitted chain's transformers, or a single fitted step (a pipeline of one estimator fits to that step alone).
    private static IEnumerable<ITransformer> Steps(ITransformer fitted) => fitted as IEnumerable<ITransformer> ?? [fitted];

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
