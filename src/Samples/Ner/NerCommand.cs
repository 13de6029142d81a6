using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent;
using Samples.Common;
using Microsoft.ML.Recurrent.Tagging;

namespace Samples.Ner;

/// <summary>
/// Named-entity recognition end to end: load (or generate) tagged sentences, train a BiLSTM-CRF tagger, evaluate
/// entity F1, save the model, reload it in a fresh MLContext and tag a sentence.
/// </summary>
/// <remarks>
/// Files are CoNLL format (tag in the last column, e.g. CoNLL-2003's eng.train / eng.testa / eng.testb). Without
/// <c>--data</c>, sentences come from <see cref="NerCorpus"/>. With <c>--json</c> the last line of standard output is one JSON object.
/// </remarks>
public static class NerCommand
{
    private sealed record Arguments(string? Data, string? Valid, string? Test, string? Model, string? Onnx, int? Epochs, int? Threads, double? Minutes, bool Json);

    /// <summary>The verb with its options.</summary>
    public static Command Create()
    {
        var data = VerbOptions.ExistingFile("--data", "Training sentences in CoNLL format (one token per line, tag in the last column, a blank line between sentences). Without it: generated news-like sentences.");
        var valid = VerbOptions.ExistingFile("--valid", "Validation sentences (early stopping, best epoch) in the same format.");
        var test = VerbOptions.ExistingFile("--test", "Test sentences in the same format. Default: --valid, else the training sentences.");
        var epochs = VerbOptions.OptionalInteger("--epochs", "Passes over the training sentences (default: 4 on generated data, 30 with --data).");
        var minutes = VerbOptions.OptionalNumber("--minutes", "Stop training after the epoch during which this many minutes have passed (default: no limit).");
        var threads = VerbOptions.OptionalInteger("--threads", SampleVerbs.ThreadsDescription("default: LibTorch's, one per core"));
        var model = VerbOptions.OutputPath("--model", "Where to save the trained model .zip (default: ner-model.zip in the temporary folder).", helpName: "PATH.zip");
        var onnx = VerbOptions.OutputPath("--onnx", "Also write the ONNX model and its deployment pipeline (PATH.zip, with PATH.onnx beside it).", helpName: "PATH.zip");
        var json = VerbOptions.Flag("--json", "Print one JSON object as the last line: task, f1, precision, recall, tokenAccuracy, trainSeconds, epochs.");
        var command = new Command("ner", "Train a BiLSTM-CRF named-entity tagger, evaluate entity F1, save, reload and tag a sentence.")
        {
            data, valid, test, epochs, minutes, threads, model, onnx, json,
        };
        command.SetAction(result => Run(new Arguments(result.GetValue(data)?.FullName, result.GetValue(valid)?.FullName, result.GetValue(test)?.FullName,
            result.GetValue(model), result.GetValue(onnx), result.GetValue(epochs), result.GetValue(threads), result.GetValue(minutes), result.GetValue(json))));
        return command;
    }

    private static int Run(Arguments arguments)
    {
        string? dataPath = arguments.Data, validPath = arguments.Valid, testPath = arguments.Test, modelPath = arguments.Model, onnxZip = arguments.Onnx;
        bool json = arguments.Json;
        SampleVerbs.SetTorchThreads(arguments.Threads);

        var ml = new MLContext(seed: 1);
        var tagging = ml.SequenceTagging();
        bool generated = dataPath is null;
        IDataView Load(string? path, int count, int seed) => path is null
            // Validation and test sentences (seeds 2, 3) include names the training sentences never have.
            ? ml.Data.LoadFromEnumerable(NerCorpus.Generate(count, seed, novelNames: seed != 1).Select(s => new Row { Tokens = s.Tokens, Tags = s.Tags }))
            : tagging.LoadConll(path);
        var train = Load(dataPath, 2000, seed: 1);
        var valid = validPath is null ? (generated ? Load(null, 300, seed: 2) : null) : Load(validPath, 0, 0);
        var test = testPath is null ? (generated ? Load(null, 600, seed: 3) : valid ?? train) : Load(testPath, 0, 0);

        var options = new SequenceTaggingTrainerOptions
        {
            // The generated corpus is easy; a few epochs show the whole path within a couple of minutes.
            Epochs = arguments.Epochs ?? (generated ? 4 : 30),
            MaxTrainingTime = arguments.Minutes is { } m ? TimeSpan.FromMinutes(m) : null,
            Seed = 1,
        };
        if (!json)
            options.Progress = new Progress<Microsoft.ML.Recurrent.Training.TrainingProgress>(p =>
            {
                if (p.CompletedEpoch is { } e)
                    Console.WriteLine($"epoch {e.Epoch}: loss {e.TrainingLoss:F3}" + (e.ValidationMetric is { } v ? $", validation F1 {v:F4}" : "") + $" ({e.Seconds:F0} s)");
            });

        var clock = Stopwatch.StartNew();
        var trainer = tagging.Trainers.BiLstm(options);
        var model = trainer.Fit(train, valid);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        var metrics = tagging.Evaluate(model.Transform(test));
        Console.WriteLine($"Trained in {trainSeconds:F0} s; test: F1 {metrics.F1:F4}, precision {metrics.Precision:F4}, recall {metrics.Recall:F4}, token accuracy {metrics.TokenAccuracy:F4}");
        foreach (var (type, entity) in metrics.PerType)
            Console.WriteLine($"  {type,-6} F1 {entity.F1:F4}  precision {entity.Precision:F4}  recall {entity.Recall:F4}  ({entity.GoldCount} entities)");

        string path = modelPath ?? Path.Combine(Path.GetTempPath(), "ner-model.zip");
        ml.Model.Save(model, train.Schema, path);
        var reloaded = new MLContext(seed: 1).Model.Load(path, out _);
        string[] example = ["Olga", "Nakamura", "told", "reporters", "in", "Lima", "that", "Zenith", "Bank", "would", "appeal", "."];
        var exampleData = ml.Data.LoadFromEnumerable(new[] { new Row { Tokens = example, Tags = example.Select(_ => "O").ToArray() } });
        var predicted = reloaded.Transform(exampleData).GetColumn<string[]>("PredictedTags").First();
        Console.WriteLine($"Saved to {path}; reloaded: " + string.Join(' ', example.Zip(predicted, (w, t) => t == "O" ? w : $"{w}/{t}")));
        if (onnxZip is not null)
            Console.WriteLine(Onnx.OnnxOutputs.Write(ml, model, train.Schema, Onnx.OnnxOutputs.OnnxPathFor(onnxZip), onnxZip));

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                task = "ner",
                f1 = metrics.F1,
                precision = metrics.Precision,
                recall = metrics.Recall,
                tokenAccuracy = metrics.TokenAccuracy,
                trainSeconds,
                epochs = trainer.LastTrainingHistory?.Epochs.Count ?? 0,
            }));
        }
        return 0;
    }

    private sealed class Row
    {
        [VectorType] public string[] Tokens { get; set; } = [];
        [VectorType] public string[] Tags { get; set; } = [];
    }
}
