using Samples.Common;
using static Samples.Common.GeneratedProject;

namespace Samples.LanguageModel;

/// <summary>The C# project <c>language-model --code DIR</c> writes: the tokenizer and trainer settings used, and Predict/Generate.</summary>
public static class LanguageModelCode
{
    /// <summary>The project for a model trained with <paramref name="settings"/>.</summary>
    public static GeneratedProject Create(LanguageModelModel.Settings settings)
    {
        var network = settings.ChosenNetwork;
        var generation = LanguageModelModel.GenerationFor(settings, stopAtEndOfLine: true);
        string start = network.Preset is { } preset ? $"LanguageModelTrainerOptions.{preset}()" : "new LanguageModelTrainerOptions { GradientClipNorm = 1, EarlyStoppingPatience = 2 }";
        return new GeneratedProject("LanguageModelApp", "language-model.zip",
            Training: $$"""
                using Microsoft.ML;
                using Microsoft.ML.Recurrent;
                using Microsoft.ML.Recurrent.LanguageModeling;
                using Microsoft.ML.Recurrent.Text;
                using Microsoft.ML.Recurrent.Training;

                namespace LanguageModelApp;

                /// <summary>Training side: the tokenizer and the language model dotnet-recurrent trained, with its settings.</summary>
                public static partial class LanguageModelModel
                {
                    /// <summary>A text file, one row per line.</summary>
                    public static IDataView LoadData(MLContext mlContext, string path)
                        => mlContext.Data.LoadFromEnumerable(File.ReadLines(path).Select(line => new ModelInput { Text = line }));

                    /// <summary>Text -> token ids with &lt;s&gt; … &lt;/s&gt; around each line.</summary>
                    public static TokenizeToSequenceEstimator BuildTokenizer(MLContext mlContext) => mlContext.Transforms.Text.TokenizeToSequence(new TokenizeToSequenceEstimator.Options
                    {
                        OutputColumnName = "Tokens",
                        InputColumnName = nameof(ModelInput.Text),
                        Granularity = TokenGranularity.{{settings.Granularity}},
                        Lowercase = {{Literal(!settings.Characters)}},
                        AddBeginEnd = true,
                    });

                    /// <summary>The recurrent language model over the tokens; it also continues the Prompt column into Generated.</summary>
                    public static LanguageModelTrainer BuildTrainer(MLContext mlContext, TokenizeToSequenceTransformer tokenizer)
                    {
                        var options = {{start}};
                        options.Tokenizer = tokenizer;
                        options.Layers = {{network.Layers}};
                        options.HiddenSize = {{network.HiddenSize}};
                        options.EmbeddingSize = {{network.EmbeddingSize}};
                        options.Dropout = {{Literal(network.Dropout)}};
                        options.SequenceLength = {{network.SequenceLength}};
                        options.BatchSize = {{network.BatchSize}};
                        options.Optimizer = OptimizerKind.{{network.Optimizer}};
                        options.LearningRate = {{Literal(network.LearningRate)}};
                        options.Epochs = {{settings.Epochs}};
                        options.Seed = 1;
                        options.PromptColumnName = nameof(ModelInput.Prompt);
                        options.Generation = new GenerationOptions { MaximumTokens = {{generation.MaximumTokens}}, Temperature = {{Literal(generation.Temperature)}}, Seed = 1, StopAtEndOfSequence = true };
                        return mlContext.LanguageModeling().Trainers.Recurrent(options);
                    }

                    /// <summary>Trains on the lines of <paramref name="trainPath"/> (validating on <paramref name="validPath"/>) and saves at <see cref="ModelPath"/>.</summary>
                    public static void Train(MLContext mlContext, string trainPath, string validPath)
                    {
                        var train = LoadData(mlContext, trainPath);
                        var tokenizer = BuildTokenizer(mlContext).Fit(train);
                        var model = BuildTrainer(mlContext, tokenizer).Fit(tokenizer.Transform(train), tokenizer.Transform(LoadData(mlContext, validPath)));
                        mlContext.Model.Save(tokenizer.Append(model), train.Schema, ModelPath);
                    }
                }

                """,
            Consumption: $$"""
                using Microsoft.ML;

                namespace LanguageModelApp;

                /// <summary>Consumption side: input and output classes, a PredictionEngine over the saved .zip, Predict and Generate.</summary>
                public static partial class LanguageModelModel
                {
                    /// <summary>A line to score and a prompt to continue.</summary>
                    public sealed class ModelInput
                    {
                        public string Text { get; set; } = "";

                        public string Prompt { get; set; } = "";
                    }

                    /// <summary>The log-probability of the line and the continuation of the prompt.</summary>
                    public sealed class ModelOutput
                    {
                        public float LogProbability { get; set; }

                        public string Generated { get; set; } = "";
                    }

                {{PredictionEngineMembers("language-model.zip", "Scores Text and continues Prompt.")}}

                    /// <summary>Continues <paramref name="prompt"/> up to the end of the line.</summary>
                    public static string Generate(string prompt) => Predict(new ModelInput { Text = prompt, Prompt = prompt }).Generated;
                }

                """,
            Program: """
                using System.Globalization;
                using Microsoft.ML;
                using LanguageModelApp;

                // dotnet run -- PROMPT: continues PROMPT and scores it. dotnet run -- --train TRAIN VALID: trains again on
                // text files (one row per line) and saves the model beside the program.
                if (args is ["--train", var trainPath, var validPath])
                {
                    LanguageModelModel.Train(new MLContext(seed: 1), trainPath, validPath);
                    Console.WriteLine($"Saved the model to {LanguageModelModel.ModelPath}.");
                    return;
                }
                string prompt = string.Join(' ', args);
                var output = LanguageModelModel.Predict(new LanguageModelModel.ModelInput { Text = prompt, Prompt = prompt });
                Console.WriteLine($"Prompt: {prompt}");
                Console.WriteLine($"Generated: {output.Generated}");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"LogProbability: {output.LogProbability:F6}"));

                """);
    }
}
