using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.Text;
using Microsoft.ML.Recurrent.Training;

namespace Samples.LanguageModel;

/// <summary>
/// <c>language-model [--data PATH] [--granularity char|word] [--valid PATH] [--minutes N] [--epochs N] [--model PATH]
/// [--prompt TEXT] [--json]</c>: trains a recurrent language model on a text file (one row per line) or, by default,
/// on sentences from <see cref="GrammarCorpus"/>, whose exact entropy rate is the floor the model is compared with;
/// reports validation cross-entropy and perplexity and prints a generated sample.
/// </summary>
public static class LanguageModelCommand
{
    private sealed class Line
    {
        public string Text { get; set; } = "";
    }

    private sealed record Arguments(string? Data, TokenGranularity Granularity, string? Valid, double Minutes, int Epochs, string? Model, string? Prompt, bool Json);

    /// <summary>Runs the command; returns the process exit code (2 for bad arguments).</summary>
    public static int Run(string[] args)
    {
        Arguments arguments;
        try
        {
            arguments = Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine("usage: language-model [--data PATH] [--granularity char|word] [--valid PATH] [--minutes N] [--epochs N] [--model PATH] [--prompt TEXT] [--json]");
            return 2;
        }

        bool characters = arguments.Granularity == TokenGranularity.Character;
        List<string> lines = arguments.Data is null ? GrammarCorpus.Generate(5000, seed: 1) : File.ReadAllLines(arguments.Data).ToList();
        List<string> validLines;
        if (arguments.Valid is not null)
        {
            validLines = File.ReadAllLines(arguments.Valid).ToList();
        }
        else
        {
            int split = (int)(lines.Count * 0.9);
            validLines = lines[split..];
            lines = lines[..split];
        }
        double? floor = arguments.Data is null ? (characters ? GrammarCorpus.CharacterEntropyRate() : GrammarCorpus.WordEntropyRate()) : null;
        Console.WriteLine($"Training on {lines.Count} lines ({(arguments.Data ?? "generated grammar corpus")}), validating on {validLines.Count}, {(characters ? "characters" : "words")}.");

        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(lines.Select(l => new Line { Text = l }));
        var valid = ml.Data.LoadFromEnumerable(validLines.Select(l => new Line { Text = l }));
        // <s> … </s> around each line: the trainer keeps </s> as the end-of-line token of the stream.
        var tokenizer = ml.Transforms.Text.TokenizeToSequence(new TokenizeToSequenceEstimator.Options
        {
            OutputColumnName = "Tokens",
            InputColumnName = "Text",
            Granularity = arguments.Granularity,
            Lowercase = !characters,
            AddBeginEnd = true,
        }).Fit(train);

        var options = new LanguageModelTrainerOptions
        {
            Tokenizer = tokenizer,
            // Small enough for a default run of about a minute on two busy cores; the grammar needs no more.
            HiddenSize = characters ? 256 : 64,
            EmbeddingSize = characters ? 64 : 32,
            Layers = characters ? 2 : 1,
            Dropout = characters ? 0.1 : 0,
            SequenceLength = characters ? 100 : 35,
            BatchSize = 32,
            LearningRate = 3e-3,
            Epochs = arguments.Epochs,
            EarlyStoppingPatience = 2,
            MaxTrainingTime = TimeSpan.FromMinutes(arguments.Minutes),
            GradientClipNorm = 1,
            Seed = 1,
            Progress = new EpochPrinter(),
        };
        var clock = Stopwatch.StartNew();
        var trainer = ml.LanguageModeling().Trainers.Recurrent(options);
        var model = trainer.Fit(tokenizer.Transform(train), tokenizer.Transform(valid));
        double trainSeconds = clock.Elapsed.TotalSeconds;

        var metrics = ml.LanguageModeling().Evaluate(model, tokenizer.Transform(valid), batchSize: 16);
        string unit = characters ? "character" : "token";
        Console.WriteLine($"Validation: cross-entropy {F(metrics.CrossEntropy)} nats per {unit}, perplexity {F(metrics.Perplexity)}, " +
            $"{F(metrics.BitsPerToken)} bits per {unit}, top-1 {metrics.TopOneAccuracy:P1}, top-5 {metrics.TopFiveAccuracy:P1} ({metrics.TokenCount} tokens).");
        if (floor is double h)
            Console.WriteLine($"Entropy floor of the grammar: {F(h)} nats per {unit} (perplexity {F(Math.Exp(h))}); the model is {F(metrics.CrossEntropy - h)} nats above it.");

        string prompt = arguments.Prompt ?? "";
        var generation = new GenerationOptions
        {
            MaximumTokens = characters ? 300 : 60,
            Temperature = 0.8,
            Seed = 1,
            StopAtEndOfSequence = false,
        };
        string sample = prompt + (prompt.Length > 0 && !characters ? " " : "") + model.Generate(prompt, generation);
        Console.WriteLine($"Sample (temperature 0.8):\n{sample}");
        if (arguments.Model is not null)
        {
            ml.Model.Save(tokenizer.Append(model), train.Schema, arguments.Model);
            Console.WriteLine($"Saved the model to {arguments.Model}.");
        }
        if (arguments.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                task = "language-model",
                perplexity = metrics.Perplexity,
                crossEntropy = metrics.CrossEntropy,
                bitsPerToken = metrics.BitsPerToken,
                entropyFloor = floor,
                trainSeconds = Math.Round(trainSeconds, 1),
                sample,
            }, new JsonSerializerOptions { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull }));
        }
        return 0;
    }

    private static Arguments Parse(string[] args)
    {
        var result = new Arguments(null, TokenGranularity.Word, null, 1, 20, null, null, false);
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            result = args[i] switch
            {
                "--data" => result with { Data = Value() },
                "--valid" => result with { Valid = Value() },
                "--model" => result with { Model = Value() },
                "--prompt" => result with { Prompt = Value() },
                "--json" => result with { Json = true },
                "--granularity" => result with
                {
                    Granularity = Value() switch
                    {
                        "char" => TokenGranularity.Character,
                        "word" => TokenGranularity.Word,
                        var other => throw new ArgumentException($"--granularity must be char or word, not '{other}'."),
                    },
                },
                "--minutes" => result with { Minutes = Positive(Value(), "--minutes") },
                "--epochs" => result with { Epochs = (int)Positive(Value(), "--epochs") },
                var other => throw new ArgumentException($"Unknown option '{other}'."),
            };
        }
        foreach (string? path in new[] { result.Data, result.Valid })
        {
            if (path is not null && !File.Exists(path))
                throw new ArgumentException($"The file '{path}' does not exist.");
        }
        return result;
    }

    private static double Positive(string text, string option)
        => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0
            ? value : throw new ArgumentException($"{option} must be a positive number, not '{text}'.");

    private static string F(double value) => value.ToString("F3", CultureInfo.InvariantCulture);

    /// <summary>Prints one line per epoch on the training thread (Progress&lt;T&gt; would post them asynchronously).</summary>
    private sealed class EpochPrinter : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.CompletedEpoch is { } epoch)
                Console.WriteLine($"  epoch {epoch.Epoch}: training {F(epoch.TrainingLoss)}, validation {F(epoch.ValidationLoss ?? double.NaN)} nats/token, {epoch.Seconds:F0} s");
        }
    }
}
