using System.CommandLine;
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
/// <c>language-model</c>: trains a recurrent language model on a text file (one row per line) or, by default, on
/// sentences from <see cref="GrammarCorpus"/>, whose exact entropy rate is the floor the model is compared with;
/// reports validation cross-entropy and perplexity and prints a generated sample.
/// </summary>
public static class LanguageModelCommand
{
    private sealed record Arguments(string? Data, TokenGranularity Granularity, string? Valid, double? Minutes, int? Epochs, string? Model, string? Prompt,
        string? Plot, bool Json, string? Onnx, string? Code, int? Layers, int? Hidden, int? Embedding);

    /// <summary>The verb with its options.</summary>
    public static Command Create()
    {
        var data = VerbOptions.ExistingFile("--data", "Training text, one row per line. Without it: sentences of a generated grammar whose entropy rate is known.");
        var granularity = VerbOptions.Choice("--granularity", "Model words or characters.", "word", "word", "char");
        var valid = VerbOptions.ExistingFile("--valid", "Validation text. Without it: the last 10% of the lines.");
        var minutes = VerbOptions.OptionalNumber("--minutes", "Stop training after the epoch during which this many minutes have passed (default: 1 on generated data, no limit with --data).");
        var epochs = VerbOptions.OptionalInteger("--epochs", "Passes over the training text (default: the chosen network's: 20, or 13 for the ZarembaSmall preset).");
        var layers = VerbOptions.OptionalInteger("--layers", "Stacked LSTM layers (default: chosen for the data, see --help's description).");
        var hidden = VerbOptions.OptionalInteger("--hidden", "LSTM units per layer (default: chosen for the data).");
        var embedding = VerbOptions.OptionalInteger("--embedding", "Token embedding size (default: chosen for the data).");
        var model = VerbOptions.OutputPath("--model", "Where to save the trained model .zip (tokenizer and network).", helpName: "PATH.zip");
        var onnx = VerbOptions.OutputPath("--onnx", "Also write the network as ONNX (one step, state in and out).", helpName: "PATH.onnx");
        var prompt = VerbOptions.Text("--prompt", "Text the printed sample continues.");
        var plot = VerbOptions.OutputPath("--plot", "Draw the training curves to this PNG.", helpName: "PATH.png");
        var json = VerbOptions.Flag("--json", "Print one JSON object as the last line: task, perplexity, crossEntropy, bitsPerToken, entropyFloor (generated data), trainSeconds, sample.");
        var code = GeneratedProject.CodeOption();
        var command = new Command("language-model",
            "Train a recurrent language model, report perplexity and print a sample. The network is sized for the data: a word-level corpus of " +
            $"{LanguageModelModel.Network.PresetTokens.ToString("N0", CultureInfo.InvariantCulture)} tokens or more starts from the ZarembaSmall preset (2 x 200 LSTM, SGD, 13 epochs); smaller corpora, " +
            "characters and the generated grammar get a small network. The chosen settings are printed before training.")
        {
            data, granularity, valid, minutes, epochs, layers, hidden, embedding, model, onnx, prompt, plot, json, code,
        };
        command.SetAction(result => Run(new Arguments(result.GetValue(data)?.FullName,
            result.GetValue(granularity) == "char" ? TokenGranularity.Character : TokenGranularity.Word, result.GetValue(valid)?.FullName,
            result.GetValue(minutes), result.GetValue(epochs), result.GetValue(model), result.GetValue(prompt), result.GetValue(plot),
            result.GetValue(json), result.GetValue(onnx), result.GetValue(code), result.GetValue(layers), result.GetValue(hidden), result.GetValue(embedding))));
        return command;
    }

    private static int Run(Arguments arguments)
    {
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
        var settings = ChooseSettings(arguments, lines, characters);
        var progress = new TrainingProgressView("language model", settings.Epochs, metricName: "perplexity");
        settings = settings with { Progress = progress };
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
        var project = arguments.Code is null ? null : LanguageModelCode.Create(settings);
        if ((arguments.Model ?? project?.ModelPathIn(arguments.Code!)) is { } modelPath)
        {
            LanguageModelModel.ModelPath = Path.GetFullPath(modelPath);
            LanguageModelModel.Save(ml, trained, train);
            Console.WriteLine($"Saved the model to {modelPath}.");
            if (project is not null)
                Console.WriteLine(project.Write(arguments.Code!, LanguageModelModel.ModelPath));
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

    /// <summary>The network for the corpus (see <see cref="LanguageModelModel.Network.ForCorpus"/>) with the user's values over it, printed.</summary>
    private static LanguageModelModel.Settings ChooseSettings(Arguments arguments, List<string> lines, bool characters)
    {
        long tokens = LanguageModelModel.Network.CountTokens(lines, characters);
        var (network, epochs, reason) = arguments.Data is null
            ? (LanguageModelModel.Network.ForGrammar(characters), 20, "the generated grammar: the small network")
            : LanguageModelModel.Network.ForCorpus(characters, tokens);
        var report = new SettingsReport();
        if (network.Preset is { } preset)
            report.Note("preset", preset);
        network = network with
        {
            Layers = report.Choose("layers", arguments.Layers, network.Layers),
            HiddenSize = report.Choose("hidden", arguments.Hidden, network.HiddenSize),
            EmbeddingSize = report.Choose("embedding", arguments.Embedding, network.EmbeddingSize),
        };
        report.Note("dropout", network.Dropout);
        report.Note("window", network.SequenceLength);
        report.Note("batch", network.BatchSize);
        report.Note("optimizer", $"{network.Optimizer} at {network.LearningRate.ToString("G4", CultureInfo.InvariantCulture)}");
        int chosenEpochs = report.Choose("epochs", arguments.Epochs, epochs);
        // The one-minute default keeps the generated sample quick; a user's corpus trains its epochs unless told otherwise.
        double? minutes = arguments.Minutes ?? (arguments.Data is null ? 1 : null);
        report.Note("time limit", minutes is { } m ? TimeSpan.FromMinutes(m) : "none");
        Console.WriteLine(report.Line(string.Create(CultureInfo.InvariantCulture, $"{tokens:N0} training {(characters ? "characters" : "tokens")} ({reason})")));
        return new LanguageModelModel.Settings(arguments.Granularity, chosenEpochs, minutes is { } limit ? TimeSpan.FromMinutes(limit) : null, Progress: null)
        {
            Net = network,
        };
    }

    private static string F(double value) => value.ToString("F3", CultureInfo.InvariantCulture);
}
