using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Tagging;

namespace Samples.Ner;

/// <summary>
/// Named-entity recognition end to end: load (or generate) tagged sentences, train a BiLSTM-CRF tagger, evaluate
/// entity F1, save the model, reload it in a fresh MLContext and tag a sentence.
/// </summary>
/// <remarks>
/// Usage: <c>ner [--data TRAIN] [--valid PATH] [--test PATH] [--epochs N] [--minutes M] [--threads T] [--model PATH] [--onnx PATH.zip] [--json]</c>.
/// Files are CoNLL format (tag in the last column, e.g. CoNLL-2003's eng.train / eng.testa / eng.testb). Without
/// <c>--data</c>, sentences come from <see cref="NerCorpus"/>. <c>--minutes</c> stops training after the epoch during
/// which that much time has passed; <c>--threads</c> sets LibTorch's intra-op threads (1 is much faster than the
/// default, one per core, when other processes load the same cores). With <c>--json</c> the last line of standard output is one JSON object.
/// </remarks>
public static class NerCommand
{
    /// <summary>Command-line synopsis.</summary>
    public const string Usage = "ner [--data TRAIN] [--valid PATH] [--test PATH] [--epochs N] [--minutes M] [--threads T] [--model PATH] [--onnx PATH.zip] [--json]";

    /// <summary>Runs the sample; returns the process exit code (0 success, 2 bad arguments).</summary>
    public static int Run(string[] args)
    {
        string? dataPath = null, validPath = null, testPath = null, modelPath = null, onnxZip = null;
        int? epochs = null, threads = null;
        double? minutes = null;
        bool json = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            try
            {
                switch (args[i])
                {
                    case "--data": dataPath = Value(); break;
                    case "--valid": validPath = Value(); break;
                    case "--test": testPath = Value(); break;
                    case "--model": modelPath = Value(); break;
                    case "--onnx": onnxZip = Value(); break;
                    case "--epochs": epochs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--threads": threads = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--minutes": minutes = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--json": json = true; break;
                    default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine("usage: ner [--data TRAIN] [--valid PATH] [--test PATH] [--epochs N] [--minutes M] [--threads T] [--model PATH] [--onnx PATH.zip] [--json]");
                return 2;
            }
        }

        if (threads is { } count)
        {
            TorchRuntime.EnsureInitialized();
            TorchSharp.torch.set_num_threads(count);
        }

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
            Epochs = epochs ?? (generated ? 4 : 30),
            MaxTrainingTime = minutes is { } m ? TimeSpan.FromMinutes(m) : null,
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
