using Samples.Common;
using static Samples.Common.GeneratedProject;

namespace Samples.Tag;

/// <summary>The C# project <c>tag --code DIR</c> writes: the file loading and tagger settings used, and Predict.</summary>
public static class TagCode
{
    /// <summary>
    /// The project for a tagger trained with <paramref name="options"/>; <paramref name="loadCall"/> is the catalog
    /// call that reads a training file (e.g. <c>LoadConllU(path, ConllUTagField.Upos)</c>).
    /// </summary>
    public static GeneratedProject Create(Microsoft.ML.Recurrent.Tagging.SequenceTaggingTrainerOptions options, string loadCall) => new("TaggerApp", "tagger-model.zip",
        Training: $$"""
            using Microsoft.ML;
            using Microsoft.ML.Recurrent.Tagging;

            namespace TaggerApp;

            /// <summary>Training side: the file loading and the BiLSTM-CRF tagger dotnet-recurrent trained, with its settings.</summary>
            public static partial class TaggerModel
            {
                /// <summary>Reads a file in the training data's format: one row per sentence, Tokens and Tags.</summary>
                public static IDataView LoadData(MLContext mlContext, string path) => mlContext.SequenceTagging().{{loadCall}};

                /// <summary>The tagger: word, casing and character features, BiLSTM, CRF.</summary>
                public static SequenceTaggingTrainer BuildTrainer(MLContext mlContext) => mlContext.SequenceTagging().Trainers.BiLstm(new SequenceTaggingTrainerOptions
                {
                    HiddenSize = {{options.HiddenSize}},
                    Epochs = {{options.Epochs}},
                    UseCrf = {{Literal(options.UseCrf)}},
                    Seed = 1,
                });

                /// <summary>Trains on <paramref name="trainPath"/> (early stopping on <paramref name="validPath"/>, if given) and saves at <see cref="ModelPath"/>.</summary>
                public static void Train(MLContext mlContext, string trainPath, string? validPath)
                {
                    var train = LoadData(mlContext, trainPath);
                    var model = BuildTrainer(mlContext).Fit(train, validPath is null ? null : LoadData(mlContext, validPath));
                    mlContext.Model.Save(model, train.Schema, ModelPath);
                }
            }

            """,
        Consumption: $$"""
            using Microsoft.ML;
            using Microsoft.ML.Data;

            namespace TaggerApp;

            /// <summary>Consumption side: input and output classes, a PredictionEngine over the saved .zip, and Predict.</summary>
            public static partial class TaggerModel
            {
                /// <summary>One sentence, as tokens.</summary>
                public sealed class ModelInput
                {
                    [VectorType]
                    public string[] Tokens { get; set; } = [];
                }

                /// <summary>One tag per token.</summary>
                public sealed class ModelOutput
                {
                    [VectorType]
                    public string[] PredictedTags { get; set; } = [];
                }

            {{PredictionEngineMembers("tagger-model.zip", "Tags one sentence.")}}
            }

            """,
        Program: """
            using Microsoft.ML;
            using TaggerApp;

            // dotnet run -- WORD WORD ...: tags the sentence. dotnet run -- --train TRAIN [VALID]: trains again on files in
            // the training data's format and saves the model beside the program.
            if (args is ["--train", var trainPath, ..])
            {
                TaggerModel.Train(new MLContext(seed: 1), trainPath, args.Length > 2 ? args[2] : null);
                Console.WriteLine($"Saved the model to {TaggerModel.ModelPath}.");
                return;
            }
            string[] tokens = args.Length > 0 ? args : ["Olga", "Nakamura", "flew", "to", "Lima", "."];
            var output = TaggerModel.Predict(new TaggerModel.ModelInput { Tokens = tokens });
            Console.WriteLine(string.Join(' ', tokens.Zip(output.PredictedTags, (token, tag) => $"{token}/{tag}")));

            """);
}
