using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.Tagging;
using Samples.Common;

namespace Samples.Tag;

/// <summary>
/// <c>tag</c> (alias <c>ner</c>): trains a BiLSTM-CRF sequence tagger on CoNLL or CoNLL-U sentences (or generated
/// news-like sentences with people, places and organisations), evaluates what fits the tag set — entity-level
/// precision, recall and F1 for chunk schemes (IOB1, IOB2, BIOES), token accuracy and per-tag scores otherwise —,
/// saves the model, reloads it in a fresh MLContext and tags a sentence.
/// </summary>
public static class TagCommand
{
    private sealed record Arguments(string Verb, string? Data, string? Valid, string? Test, string? Format, string TagColumn, string? Model, string? Onnx,
        int? Epochs, int Hidden, int? Threads, double? Minutes, bool Json, string? Code);

    private static readonly string[] NerExample = ["Olga", "Nakamura", "told", "reporters", "in", "Lima", "that", "Zenith", "Bank", "would", "appeal", "."];

    /// <summary>The verb with its options.</summary>
    public static Command Create()
    {
        var data = VerbOptions.ExistingFile("--data", "Training sentences: CoNLL (one token per line, whitespace-separated columns, a blank line between sentences; e.g. CoNLL-2003) or CoNLL-U (Universal Dependencies). Without it: generated news-like sentences with PER, LOC and ORG entities.");
        var valid = VerbOptions.ExistingFile("--valid", "Validation sentences (early stopping, best epoch) in the same format.");
        var test = VerbOptions.ExistingFile("--test", "Test sentences in the same format. Default: --valid, else the training sentences.");
        var format = VerbOptions.Choice("--format", "File format (default: conllu for .conllu files, else conll).", "auto", "auto", "conll", "conllu");
        var tagColumn = VerbOptions.Text("--tag-column", "The tags to learn: for CoNLL, 'last' or a 0-based column (CoNLL-2003: 1 part of speech, 2 chunks, 3 entities); for CoNLL-U, 'upos' or 'xpos'.", "auto", "COLUMN");
        var epochs = VerbOptions.OptionalInteger("--epochs", "Passes over the training sentences (default: 4 on generated data, 30 with --data).");
        var hidden = VerbOptions.Integer("--hidden", "LSTM units per direction.", 100);
        var minutes = VerbOptions.OptionalNumber("--minutes", "Stop training after the epoch during which this many minutes have passed (default: no limit).");
        var threads = VerbOptions.OptionalInteger("--threads", SampleVerbs.ThreadsDescription("default: LibTorch's, one per core"));
        var model = VerbOptions.OutputPath("--model", "Where to save the trained model .zip (default: tagger-model.zip in the temporary folder).", helpName: "PATH.zip");
        var onnx = VerbOptions.OutputPath("--onnx", "Also write the ONNX model and its deployment pipeline (PATH.zip, with PATH.onnx beside it; given PATH.onnx, the pipeline goes to PATH.zip).", helpName: "PATH.zip");
        var json = VerbOptions.Flag("--json", "Print one JSON object as the last line: task, scheme, tokenAccuracy, trainSeconds, epochs and, for chunk schemes, f1, precision, recall; otherwise macroF1 and perTag.");
        var code = GeneratedProject.CodeOption();
        var command = new Command("tag", "Train a BiLSTM-CRF sequence tagger (entities, chunks, part of speech), score it as the tag set asks, save, reload and tag a sentence.")
        {
            data, valid, test, format, tagColumn, epochs, hidden, minutes, threads, model, onnx, json, code,
        };
        command.Aliases.Add("ner");
        command.SetAction(result => Run(new Arguments(result.CommandResult.IdentifierToken.Value, result.GetValue(data)?.FullName, result.GetValue(valid)?.FullName,
            result.GetValue(test)?.FullName, result.GetValue(format), result.GetValue(tagColumn)!, result.GetValue(model), result.GetValue(onnx),
            result.GetValue(epochs), result.GetValue(hidden), result.GetValue(threads), result.GetValue(minutes), result.GetValue(json), result.GetValue(code))));
        return command;
    }

    private static int Run(Arguments arguments)
    {
        SampleVerbs.SetTorchThreads(arguments.Threads);
        var ml = new MLContext(seed: 1);
        var tagging = ml.SequenceTagging();
        bool generated = arguments.Data is null;
        var (load, loadCall) = generated ? (null, "LoadConll(path)") : Loader(tagging, arguments);
        IDataView Generate(int count, int seed)
            // Validation and test sentences (seeds 2, 3) include names the training sentences never have.
            => ml.Data.LoadFromEnumerable(NerCorpus.Generate(count, seed, novelNames: seed != 1).Select(s => new Row { Tokens = s.Tokens, Tags = s.Tags }));
        var train = load?.Invoke(arguments.Data!) ?? Generate(2000, seed: 1);
        var valid = arguments.Valid is { } v ? load!(v) : generated ? Generate(300, seed: 2) : null;
        var test = arguments.Test is { } t ? load!(t) : generated ? Generate(600, seed: 3) : valid ?? train;
        var trainTags = train.GetColumn<string[]>("Tags").ToList();
        var scheme = TagSchemes.Detect(trainTags);
        var tagSet = trainTags.SelectMany(s => s).Distinct().Order(StringComparer.Ordinal).ToList();
        Console.WriteLine(scheme is { } chunks
            ? $"Tag set: {chunks.ToString().ToUpperInvariant()} chunks of {string.Join(", ", tagSet.Where(TagSchemes.IsEntityTag).Select(tag => tag[2..]).Distinct())}: entity-level scores."
            : $"Tag set: {tagSet.Count} tags without chunk prefixes ({string.Join(", ", tagSet.Take(12))}{(tagSet.Count > 12 ? ", …" : "")}): token accuracy and per-tag scores.");

        // The generated corpus is easy, so a few epochs show the whole path within a couple of minutes; a user's corpus
        // gets the epochs measured on CoNLL-2003 (docs/benchmarks.md), with early stopping when --valid is given.
        var report = new SettingsReport();
        var options = new SequenceTaggingTrainerOptions
        {
            Epochs = report.Choose("epochs", arguments.Epochs, generated ? 4 : 30),
            HiddenSize = arguments.Hidden,
            MaxTrainingTime = arguments.Minutes is { } m ? TimeSpan.FromMinutes(m) : null,
            Seed = 1,
        };
        report.Note("hidden", options.HiddenSize);
        report.Note("validation", valid is null ? "none" : "best epoch by " + (scheme is null ? "token accuracy" : "entity F1"));
        Console.WriteLine(report.Line($"{trainTags.Count:N0} training sentences ({(generated ? "generated" : "a file")})"));
        string validationMetric = scheme is null ? "token accuracy" : "F1";
        if (!arguments.Json)
            options.Progress = new Progress<Microsoft.ML.Recurrent.Training.TrainingProgress>(p =>
            {
                if (p.CompletedEpoch is { } e)
                    Console.WriteLine($"epoch {e.Epoch}: loss {F(e.TrainingLoss)}" + (e.ValidationMetric is { } value ? $", validation {validationMetric} {F(value)}" : "") + $" ({e.Seconds:F0} s)");
            });

        var clock = Stopwatch.StartNew();
        var trainer = tagging.Trainers.BiLstm(options);
        var model = trainer.Fit(train, valid);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        var metrics = tagging.Evaluate(model.Transform(test));
        Console.WriteLine($"Trained in {trainSeconds:F0} s.");
        Report(metrics, scheme);

        string path = arguments.Model ?? Path.Combine(Path.GetTempPath(), "tagger-model.zip");
        ml.Model.Save(model, train.Schema, path);
        var reloaded = new MLContext(seed: 1).Model.Load(path, out _);
        string[] example = generated ? NerExample : test.GetColumn<string[]>("Tokens").First();
        var exampleData = ml.Data.LoadFromEnumerable(new[] { new Row { Tokens = example, Tags = example.Select(_ => tagSet[0]).ToArray() } });
        var predicted = reloaded.Transform(exampleData).GetColumn<string[]>("PredictedTags").First();
        Console.WriteLine($"Saved to {path}; reloaded: " + string.Join(' ', example.Zip(predicted, (w, tag) => tag == "O" ? w : $"{w}/{tag}")));
        if (arguments.Onnx is { } onnxZip)
            Console.WriteLine(Onnx.OnnxOutputs.Write(ml, model, train.Schema, Onnx.OnnxOutputs.OnnxPathFor(onnxZip), Onnx.OnnxOutputs.DeploymentPathFor(onnxZip)));
        if (arguments.Code is { } codeFolder)
            Console.WriteLine(TagCode.Create(options, loadCall).Write(codeFolder, path));

        if (arguments.Json)
            Console.WriteLine(JsonSerializer.Serialize(Summary(arguments.Verb, metrics, scheme, trainSeconds, trainer.LastTrainingHistory?.Epochs.Count ?? 0),
                new JsonSerializerOptions { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull }));
        return 0;
    }

    /// <summary>Reads a file of the chosen format and tag column; also the same call as C#, for --code.</summary>
    private static (Func<string, IDataView> Load, string Call) Loader(SequenceTaggingCatalog tagging, Arguments arguments)
    {
        string format = arguments.Format is null or "auto"
            ? (Path.GetExtension(arguments.Data!).Equals(".conllu", StringComparison.OrdinalIgnoreCase) ? "conllu" : "conll")
            : arguments.Format;
        string column = arguments.TagColumn.ToLowerInvariant();
        if (format == "conllu")
        {
            var field = column switch
            {
                "auto" or "upos" => ConllUTagField.Upos,
                "xpos" => ConllUTagField.Xpos,
                _ => throw new ArgumentException(VerbOptions.Invalid("--tag-column", "upos or xpos for a CoNLL-U file", arguments.TagColumn)),
            };
            return (path => tagging.LoadConllU(path, field), $"LoadConllU(path, ConllUTagField.{field})");
        }
        int index = column is "auto" or "last" ? -1
            : int.TryParse(column, NumberStyles.None, CultureInfo.InvariantCulture, out int position) && position >= 1 ? position
            : throw new ArgumentException(VerbOptions.Invalid("--tag-column", "'last' or a column position from 1 (0 holds the tokens) for a CoNLL file", arguments.TagColumn));
        return (path => tagging.LoadConll(path, tagColumnIndex: index), $"LoadConll(path, tagColumnIndex: {index})");
    }

    private static void Report(TaggingMetrics metrics, TagScheme? scheme)
    {
        if (scheme is not null)
        {
            Console.WriteLine($"Test: F1 {F(metrics.F1)}, precision {F(metrics.Precision)}, recall {F(metrics.Recall)}, token accuracy {F(metrics.TokenAccuracy)}");
            foreach (var (type, entity) in metrics.PerType)
                Console.WriteLine($"  {type,-6} F1 {F(entity.F1)}  precision {F(entity.Precision)}  recall {F(entity.Recall)}  ({entity.GoldCount} entities)");
            return;
        }
        Console.WriteLine($"Test: token accuracy {F(metrics.TokenAccuracy)}, macro F1 {F(metrics.MacroF1)} over {metrics.PerTag.Values.Count(t => t.GoldCount > 0)} tags ({metrics.TokenCount} tokens)");
        Console.WriteLine($"  {"tag",-10}{"precision",10}{"recall",10}{"F1",10}{"tokens",9}");
        foreach (var (tag, score) in metrics.PerTag.OrderByDescending(p => p.Value.GoldCount).ThenBy(p => p.Key, StringComparer.Ordinal))
            Console.WriteLine($"  {tag,-10}{F(score.Precision),10}{F(score.Recall),10}{F(score.F1),10}{score.GoldCount,9}");
    }

    /// <summary>
    /// The --json object. Entity scores only for a chunk scheme: for other tag sets they would be 0 without meaning,
    /// so the object carries the macro F1 and the per-tag scores instead.
    /// </summary>
    private static Dictionary<string, object?> Summary(string verb, TaggingMetrics metrics, TagScheme? scheme, double trainSeconds, int epochs)
    {
        var summary = new Dictionary<string, object?>
        {
            ["task"] = verb,
            ["scheme"] = scheme?.ToString().ToUpperInvariant() ?? "none",
        };
        if (scheme is not null)
        {
            summary["f1"] = metrics.F1;
            summary["precision"] = metrics.Precision;
            summary["recall"] = metrics.Recall;
        }
        summary["tokenAccuracy"] = metrics.TokenAccuracy;
        if (scheme is null)
        {
            summary["macroF1"] = metrics.MacroF1;
            summary["perTag"] = metrics.PerTag.ToDictionary(p => p.Key, p => new { precision = p.Value.Precision, recall = p.Value.Recall, f1 = p.Value.F1, support = p.Value.GoldCount });
        }
        summary["trainSeconds"] = trainSeconds;
        summary["epochs"] = epochs;
        return summary;
    }

    private static string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);

    private sealed class Row
    {
        [VectorType] public string[] Tokens { get; set; } = [];
        [VectorType] public string[] Tags { get; set; } = [];
    }
}
