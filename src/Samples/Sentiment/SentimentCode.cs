using Samples.Common;
using static Samples.Common.GeneratedProject;

namespace Samples.Sentiment;

/// <summary>The C# project <c>sentiment --code DIR</c> writes: the pipeline with the settings used, and the file layout it read.</summary>
public static class SentimentCode
{
    /// <summary>
    /// Where the text and label were in the training file, and how it was delimited; or, with
    /// <paramref name="PositiveClass"/>, a folder of class subfolders read with <c>LoadFromTextFolder</c>.
    /// </summary>
    public sealed record Layout(char Separator, bool HasHeader, bool Multiline, int TextColumn, int LabelColumn, string? PositiveClass = null)
    {
        /// <summary>SST-2's layout, the default for files (and what generated data is written as).</summary>
        public static Layout Default { get; } = new('\t', HasHeader: true, Multiline: false, TextColumn: 0, LabelColumn: 1);

        /// <summary>A folder with one subfolder per class, <paramref name="positiveClass"/> the one labelled true.</summary>
        public static Layout Folder(string positiveClass) => Default with { PositiveClass = positiveClass };
    }

    // NB-SVM's features as SentimentModel.BuildWideFeatures builds them: word 1- and 2-gram counts, weighted by their log-count ratios.
    private static readonly string WideFeatureSteps = $$"""

                        .Append(mlContext.Transforms.Text.FeaturizeText("{{SentimentModel.TermCountsColumn}}", new Microsoft.ML.Transforms.Text.TextFeaturizingEstimator.Options
                        {
                            WordFeatureExtractor = new Microsoft.ML.Transforms.Text.WordBagEstimator.Options { NgramLength = 2, UseAllLengths = true },
                            CharFeatureExtractor = null,
                            Norm = Microsoft.ML.Transforms.Text.TextFeaturizingEstimator.NormFunction.None,
                        }, nameof(ModelInput.Text)))
                        .Append(mlContext.Transforms.Text.WeightByLogCountRatio("{{SentimentModel.WideFeaturesColumn}}", "{{SentimentModel.TermCountsColumn}}", nameof(ModelInput.Label)))
        """;

    private const string PipelineTraining = """

                var model = BuildPipeline(mlContext).Fit(data);
        """;

    // The wide features are fitted on the labels, so the validation rows are held out before anything is fitted (as
    // SentimentModel.Train does): the trainer's own split would come after the preprocessing had seen their labels.
    private static string HeldOutTraining(double validationFraction) => $$"""

                // The wide features are fitted on the labels: hold the validation rows out before fitting anything.
                var split = mlContext.Data.TrainTestSplit(data, testFraction: {{Literal(validationFraction)}}, seed: 1);
                var preprocessing = BuildPreprocessing(mlContext).Fit(split.TrainSet);
                var classifier = BuildTrainer(mlContext, validationFraction: 0).Fit(preprocessing.Transform(split.TrainSet), preprocessing.Transform(split.TestSet));
                var model = new TransformerChain<ITransformer>([.. (IEnumerable<ITransformer>)preprocessing, classifier]);
        """;

    // A folder is read as the verb read it; a file with TextLoader and the layout it had.
    private static string LoadDataBody(Layout layout) => layout.PositiveClass is { } positive
        ? $"mlContext.Data.LoadFromTextFolder(path, positiveClass: {Literal(positive)})"
        : $"mlContext.Data.LoadFromTextFile<ModelInput>(path, {TextLoaderOptions(layout.Separator, layout.HasHeader, layout.Multiline)})";

    /// <summary>The project for a model trained with <paramref name="settings"/> on a file laid out as <paramref name="layout"/>.</summary>
    public static GeneratedProject Create(SentimentModel.Settings settings, Layout layout) => new("SentimentApp", "sentiment-model.zip",
        Training: $$"""
            using Microsoft.ML;
            using Microsoft.ML.Data;
            using Microsoft.ML.Recurrent.Classification;
            using Microsoft.ML.Recurrent.Modules;

            namespace SentimentApp;

            /// <summary>Training side: the data loading and the pipeline dotnet-recurrent trained the model with.</summary>
            public static partial class SentimentModel
            {
                /// <summary>Reads data laid out like the training data.</summary>
                public static IDataView LoadData(MLContext mlContext, string path)
                    => {{LoadDataBody(layout)}};

                /// <summary>Text -> token ids (vocabulary fitted on the training text) -> bidirectional LSTM classifier.</summary>
                public static IEstimator<ITransformer> BuildPipeline(MLContext mlContext)
                    => BuildPreprocessing(mlContext).Append(BuildTrainer(mlContext, validationFraction: {{Literal(settings.ValidationFraction)}}));

                /// <summary>The text steps of <see cref="BuildPipeline"/>.</summary>
                public static IEstimator<ITransformer> BuildPreprocessing(MLContext mlContext)
                    => mlContext.Transforms.Text.TokenizeToSequence("Tokens", nameof(ModelInput.Text), maximumVocabularySize: {{settings.MaximumVocabularySize}}){{(settings.MaxTokens > 0 ? $"\n                .Append(mlContext.Transforms.PadSequence(\"Tokens\", {settings.MaxTokens}, truncation: Microsoft.ML.Recurrent.Sequences.SequenceEnd.{settings.Truncation}))" : "")}}{{(settings.Wide ? WideFeatureSteps : "")}};

                /// <summary>The recurrent trainer of <see cref="BuildPipeline"/>, validating on <paramref name="validationFraction"/> of its rows (0: on data given to Fit).</summary>
                public static RecurrentSequenceTrainer BuildTrainer(MLContext mlContext, double validationFraction)
                {
                    var options = new RecurrentSequenceTrainerOptions
                    {
                        FeatureColumnName = "Tokens",
                        LabelColumnName = nameof(ModelInput.Label),
                        HiddenSize = {{settings.HiddenSize}},
                        EmbeddingSize = {{settings.EmbeddingSize}},
                        EnsembleSize = {{settings.EnsembleSize}},
                        Epochs = {{settings.Epochs}},
                        BatchSize = {{settings.BatchSize}},
                        LearningRate = {{Literal(settings.LearningRate)}},
                        ValidationFraction = validationFraction,
                        EarlyStoppingPatience = {{(settings.ValidationFraction > 0 ? settings.EarlyStoppingPatience : 0)}},
                        Pooling = SequencePooling.{{settings.Pooling}},{{(settings.Wide ? $"\n            WideFeatureColumnName = \"{SentimentModel.WideFeaturesColumn}\"," : "")}}
                    };
                    return mlContext.BinaryClassification.Trainers.Recurrent(options);
                }

                /// <summary>Trains on <paramref name="dataPath"/> and saves the model at <see cref="ModelPath"/>.</summary>
                public static ITransformer Train(MLContext mlContext, string dataPath)
                {
                    var data = LoadData(mlContext, dataPath);{{(settings.Wide && settings.ValidationFraction > 0 ? HeldOutTraining(settings.ValidationFraction) : PipelineTraining)}}
                    mlContext.Model.Save(model, data.Schema, ModelPath);
                    return model;
                }
            }

            """,
        Consumption: $$"""
            using Microsoft.ML;
            using Microsoft.ML.Data;

            namespace SentimentApp;

            /// <summary>Consumption side: input and output classes, a PredictionEngine over the saved .zip, and Predict.</summary>
            public static partial class SentimentModel
            {
                /// <summary>One text to classify (and its label, when known), with the columns of the training file.</summary>
                public sealed class ModelInput
                {
                    [LoadColumn({{layout.TextColumn}})]
                    public string Text { get; set; } = "";

                    [LoadColumn({{layout.LabelColumn}})]
                    public bool Label { get; set; }
                }

                /// <summary>What the model says about a text.</summary>
                public sealed class ModelOutput
                {
                    public bool PredictedLabel { get; set; }

                    public float Probability { get; set; }

                    public float Score { get; set; }
                }

            {{PredictionEngineMembers("sentiment-model.zip", "Classifies one text.")}}
            }

            """,
        Program: """
            using System.Globalization;
            using Microsoft.ML;
            using SentimentApp;

            // dotnet run -- TEXT: classifies TEXT with the trained model. dotnet run -- --train DATA: trains again on a file
            // laid out like the original data and saves the model beside the program.
            if (args is ["--train", var dataPath])
            {
                SentimentModel.Train(new MLContext(seed: 1), dataPath);
                Console.WriteLine($"Saved the model to {SentimentModel.ModelPath}.");
                return;
            }
            string text = args.Length > 0 ? string.Join(' ', args) : "the acting was not good at all";
            var output = SentimentModel.Predict(new SentimentModel.ModelInput { Text = text });
            Console.WriteLine($"Text: {text}");
            Console.WriteLine($"PredictedLabel: {output.PredictedLabel}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Probability: {output.Probability:F6}"));

            """);
}
