using Samples.Common;
using static Samples.Common.GeneratedProject;

namespace Samples.Seq2Seq;

/// <summary>The C# project <c>seq2seq --code DIR</c> writes: the file layout, tokenizers and encoder-decoder settings used, and Predict.</summary>
public static class Seq2SeqCode
{
    /// <summary>Where the source and target texts were in the training file, and how it was delimited.</summary>
    public sealed record Layout(char Separator, bool HasHeader, bool Multiline, int SourceColumn, int TargetColumn)
    {
        /// <summary>The default layout: tab-separated, a header line, source first, target second.</summary>
        public static Layout Default { get; } = new('\t', HasHeader: true, Multiline: false, SourceColumn: 0, TargetColumn: 1);
    }

    /// <summary>The project for a model trained with these settings on a file laid out as <paramref name="layout"/>.</summary>
    public static GeneratedProject Create(Microsoft.ML.Recurrent.Seq2Seq.Seq2SeqTrainerOptions options, Layout layout, string example) => new("Seq2SeqApp", "seq2seq-model.zip",
        Training: $$"""
            using Microsoft.ML;
            using Microsoft.ML.Data;
            using Microsoft.ML.Recurrent.Seq2Seq;
            using Microsoft.ML.Recurrent.Text;

            namespace Seq2SeqApp;

            /// <summary>Training side: the data loading, the character tokenizers and the encoder-decoder dotnet-recurrent trained.</summary>
            public static partial class Seq2SeqModel
            {
                /// <summary>A training row: the source text and its target.</summary>
                public sealed class TrainingRow
                {
                    [LoadColumn({{layout.SourceColumn}})]
                    public string SourceText { get; set; } = "";

                    [LoadColumn({{layout.TargetColumn}})]
                    public string TargetText { get; set; } = "";
                }

                /// <summary>Reads a file laid out like the training data.</summary>
                public static IDataView LoadData(MLContext mlContext, string path)
                    => mlContext.Data.LoadFromTextFile<TrainingRow>(path, {{TextLoaderOptions(layout.Separator, layout.HasHeader, layout.Multiline)}});

                /// <summary>Fits the character tokenizers and the encoder-decoder on <paramref name="dataPath"/> and saves at <see cref="ModelPath"/>.</summary>
                public static void Train(MLContext mlContext, string dataPath)
                {
                    var train = LoadData(mlContext, dataPath);
                    var source = mlContext.Transforms.Text.TokenizeToSequence("Source", nameof(TrainingRow.SourceText), TokenGranularity.Character, maximumVocabularySize: 0).Fit(train);
                    var target = mlContext.Transforms.Text.TokenizeToSequence("Target", nameof(TrainingRow.TargetText), TokenGranularity.Character, maximumVocabularySize: 0, addBeginEnd: true).Fit(train);
                    var options = new Seq2SeqTrainerOptions
                    {
                        HiddenSize = {{options.HiddenSize}},
                        EmbeddingSize = {{options.EmbeddingSize}},
                        Attention = AttentionKind.{{options.Attention}},
                        Epochs = {{options.Epochs}},
                        BatchSize = {{options.BatchSize}},
                        LearningRate = {{Literal(options.LearningRate)}},
                        BeamWidth = {{options.BeamWidth}},
                        TargetTokenizer = target,
                        Seed = 1,
                    };
                    var model = mlContext.SequenceToSequence().Trainers.Recurrent(options).Fit(target.Transform(source.Transform(train)));
                    mlContext.Model.Save(source.Append(model), mlContext.Data.LoadFromEnumerable(Array.Empty<ModelInput>()).Schema, ModelPath);
                }
            }

            """,
        Consumption: $$"""
            using Microsoft.ML;

            namespace Seq2SeqApp;

            /// <summary>Consumption side: input and output classes, a PredictionEngine over the saved .zip, and Predict.</summary>
            public static partial class Seq2SeqModel
            {
                /// <summary>The text to rewrite.</summary>
                public sealed class ModelInput
                {
                    public string SourceText { get; set; } = "";
                }

                /// <summary>The rewritten text.</summary>
                public sealed class ModelOutput
                {
                    public string PredictedText { get; set; } = "";
                }

            {{PredictionEngineMembers("seq2seq-model.zip", "Rewrites one text.")}}
            }

            """,
        Program: $$"""
            using Microsoft.ML;
            using Seq2SeqApp;

            // dotnet run -- TEXT: rewrites TEXT with the trained model. dotnet run -- --train DATA: trains again on a file
            // laid out like the original data and saves the model beside the program.
            if (args is ["--train", var dataPath])
            {
                Seq2SeqModel.Train(new MLContext(seed: 1), dataPath);
                Console.WriteLine($"Saved the model to {Seq2SeqModel.ModelPath}.");
                return;
            }
            string text = args.Length > 0 ? string.Join(' ', args) : {{Literal(example)}};
            Console.WriteLine($"{text} -> {Seq2SeqModel.Predict(new Seq2SeqModel.ModelInput { SourceText = text }).PredictedText}");

            """);
}
