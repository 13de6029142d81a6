using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Recurrent.Inspection;
using Microsoft.ML.Recurrent.Text;
using Samples.Common;

namespace Samples.LanguageModel;

/// <summary>
/// <c>language-model [--data PATH] [--granularity char|word] [--valid PATH] [--minutes N] [--epochs N] [--model PATH]
/// [--prompt TEXT] [--plot PATH.png] [--json]</c>: trains a recurrent language model on a text file (one row per line) or, by default,
/// on sentences from <see cref="GrammarCorpus"/>, whose exact entropy rate is the floor the model is compared with;
/// reports validation cross-entropy and perplexity and prints a generated sample.
/// </summary>
public static class LanguageModelCommand
{
    /// <summary>The options, for the verb's --help.</summary>
    public const string Usage =
        "Trains a recurrent language model (a generated grammar corpus without --data), reports perplexity and prints a sample.\n" +
        "usage: language-model [--data PATH] [--granularity char|word] [--valid PATH] [--minutes N] [--epochs N] [--model PATH] [--onnx PATH.onnx] [--prompt TEXT] [--plot PATH.png] [--json]";

    private sealed record Arguments(string? Data, TokenGranularity Granularity, string? Valid, double Minutes, int Epochs, string? Model, string? Prompt, string? Plot, bool Json, string? Onnx = null);

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
            Console.Error.WriteLine(Usage[(Usage.IndexOf('\n') + 1)..]);
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
        var train = LanguageModelModel.LoadLines(ml, lines);
        var valid = LanguageModelModel.LoadLines(ml, validLines);
        var progress = new TrainingProgressView("language model", arguments.Epochs, metricName: "perplexity");
        var settings = new LanguageModelModel.Settings(arguments.Granularity, arguments.Epochs, TimeSpan.FromMinutes(arguments.Minutes), progress);
        var clock = Stopwatch.StartNew();
        var trained = progress.Run(() => LanguageModelModel.Train(ml, train, valid, settings));
        var model = trained.Model;
        double trainSeconds = clock.Elapsed.TotalSeconds;

        var metrics = LanguageModelModel.Evaluate(ml, trained, valid);
        string unit = characters ? "character" : "token";
        Console.WriteLine($"Validation: cross-entropy {F(metrics.CrossEntropy)} nats per {unit}, perplexity {F(metrics.Perplexity)}, " +
            $"{F(metrics.BitsPerToken)} bits per {unit}, top-1 {metrics.TopOneAccuracy:P1}, top-5 {metrics.TopFiveAccuracy:P1} ({metrics.TokenCount} tokens).");
        if (floor is double h)
            Console.WriteLine($"Entropy floor of the grammar: {F(h)} nats per {unit} (perplexity {F(Math.Exp(h))}); the model is {F(metrics.CrossEntropy - h)} nats above it.");

        string prompt = arguments.Prompt ?? "";
        // The printed sample runs past line ends, to show several generated lines at once.
        var generation = LanguageModelModel.GenerationFor(settings, stopAtEndOfLine: false);
        string sample = prompt + (prompt.Length > 0 && !characters ? " " : "") + model.Generate(prompt, generation);
        Console.WriteLine($"Sample (temperature 0.8):\n{sample}");
        if (arguments.Model is not null)
        {
            LanguageModelModel.ModelPath = Path.GetFullPath(arguments.Model);
            LanguageModelModel.Save(ml, trained, train);
            Console.WriteLine($"Saved the model to {arguments.Model}.");
        }
        if (arguments.Onnx is not null)
            Console.WriteLine(Onnx.OnnxOutputs.Write(ml, model, train.Schema, Onnx.OnnxOutputs.OnnxPathFor(arguments.Onnx), zipPath: null));
        if (arguments.Plot is not null)
        {
            TrainingCurvePlot.Save(arguments.Plot, "language model: training curves", ModelInspector.Stories(model).Single().History, "perplexity");
            Console.WriteLine($"Plotted the training curves to {arguments.Plot}.");
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
        var result = new Arguments(null, TokenGranularity.Word, null, 1, 20, null, null, null, false);
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            result = args[i] switch
            {
                "--data" => result with { Data = Value() },
                "--valid" => result with { Valid = Value() },
                "--model" => result with { Model = Value() },
                "--prompt" => result with { Prompt = Value() },
                "--plot" => result with { Plot = Value() },
                "--onnx" => result with { Onnx = Value() },
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
}
