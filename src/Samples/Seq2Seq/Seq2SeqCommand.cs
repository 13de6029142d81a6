using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Recurrent.Seq2Seq;
using Microsoft.ML.Recurrent.Text;
using Microsoft.ML.Recurrent.Training;
using Samples.Common;

namespace Samples.Seq2Seq;

/// <summary>
/// <c>seq2seq [--data PATH.tsv] [--epochs N] [--beam K] [--model PATH] [--json]</c>: trains a character-level
/// encoder-decoder with attention (by default on generated dates -> ISO yyyy-MM-dd), evaluates exact match and BLEU on
/// held-out rows with greedy decoding and beam search, saves the model, reloads it and rewrites a few examples.
/// </summary>
/// <remarks>
/// A data file is tab-separated with a header line: source text in the first column, target text in the second;
/// 10% of its rows (at random) are held out for testing.
/// </remarks>
public static class Seq2SeqCommand
{
    private static readonly string[] Examples = ["3 March 2021", "03/03/21", "March 3rd, 2021", "Wed, 3 Mar 2021", "2021.03.03"];

    private sealed class Row
    {
        public string SourceText { get; set; } = "";
        public string TargetText { get; set; } = "";
    }

    private sealed class Output
    {
        public string PredictedText { get; set; } = "";
    }

    private sealed record Arguments(string? Data, string SourceColumn, string TargetColumn, TextFileFormat Format, bool Json, int Epochs, int Beam, int Seed, int TrainCount, int TestCount, int Hidden, double Minutes, int? Threads, string Model, string? Code);

    /// <summary>The verb with its options.</summary>
    public static Command Create()
    {
        var data = VerbOptions.ExistingFile("--data", "Delimited text pairs (tab-separated by default; quoted fields allowed) with a header line; 10% of the rows are held out for testing. Without it: generated dates -> yyyy-MM-dd.");
        var sourceColumn = VerbOptions.Text("--source-column", "Header name or 0-based position of the source text.", "0", "NAME");
        var targetColumn = VerbOptions.Text("--target-column", "Header name or 0-based position of the target text.", "1", "NAME");
        var layout = new TextFileOptions(fallbackSeparator: '\t');
        var epochs = VerbOptions.Integer("--epochs", "Passes over the training pairs.", 10);
        var beam = VerbOptions.Integer("--beam", "Beam width of the decoder (1: greedy).", 4);
        var model = VerbOptions.OutputPath("--model", "Where to save the trained model .zip.", helpName: "PATH.zip");
        var json = VerbOptions.Flag("--json", "Print one JSON object as the last line: task, exactMatch, bleu, tokenAccuracy, greedyExactMatch, beamWidth, beamWorseRows, trainSeconds, model.");
        var train = VerbOptions.Integer("--train", "Generated training pairs when there is no --data.", 10000, minimum: 10);
        var test = VerbOptions.Integer("--test", "Generated held-out pairs when there is no --data.", 1000);
        var hidden = VerbOptions.Integer("--hidden", "Encoder LSTM units per direction.", 64);
        var minutes = VerbOptions.Number("--minutes", "Stop training after the epoch during which this many minutes have passed.", 5);
        // The decoder runs one small step per target position: a second LibTorch intra-op thread only adds
        // synchronisation (an epoch took 15 times longer with 2 threads than with 1 on a busy 2-core machine).
        var threads = VerbOptions.OptionalInteger("--threads", SampleVerbs.ThreadsDescription("default 1: the decoder's steps are too small to share"));
        threads.DefaultValueFactory = _ => 1;
        var seed = VerbOptions.Integer("--seed", "Seed of the data generation, the split and the MLContext.", 1, minimum: 0);
        var code = GeneratedProject.CodeOption();
        var command = new Command("seq2seq", "Train a character-level encoder-decoder with attention, evaluate exact match and BLEU, save, reload and rewrite examples.")
        {
            data, sourceColumn, targetColumn, epochs, beam, model, json, train, test, hidden, minutes, threads, seed, code,
        };
        layout.AddTo(command);
        command.SetAction(result => Run(new Arguments(result.GetValue(data)?.FullName, result.GetValue(sourceColumn)!, result.GetValue(targetColumn)!,
            layout.Read(result), result.GetValue(json), result.GetValue(epochs), result.GetValue(beam),
            result.GetValue(seed), result.GetValue(train), result.GetValue(test), result.GetValue(hidden), result.GetValue(minutes), result.GetValue(threads),
            Path.GetFullPath(result.GetValue(model) ?? "seq2seq-model.zip"), result.GetValue(code))));
        return command;
    }

    private static int Run(Arguments arguments)
    {
        var (dataPath, _, _, _, json, epochs, beam, seed, trainCount, testCount, hidden, minutes, threads, modelPath, codeFolder) = arguments;
        SampleVerbs.SetTorchThreads(threads);

        var (trainRows, testRows, layout) = dataPath is null ? Generated(trainCount, testCount, seed) : FromFile(dataPath, arguments, seed);
        Console.WriteLine(dataPath is null
            ? $"Generated {trainRows.Count} training and {testRows.Count} held-out dates in {DateCorpus.FormatNames.Count} formats (-> yyyy-MM-dd)."
            : $"Read {trainRows.Count + testRows.Count} rows from {dataPath}; {testRows.Count} held out for testing.");

        var ml = new MLContext(seed: seed);
        var train = ml.Data.LoadFromEnumerable(trainRows);
        var test = ml.Data.LoadFromEnumerable(testRows);
        var source = ml.Transforms.Text.TokenizeToSequence("Source", "SourceText", TokenGranularity.Character, maximumVocabularySize: 0).Fit(train);
        var target = ml.Transforms.Text.TokenizeToSequence("Target", "TargetText", TokenGranularity.Character, maximumVocabularySize: 0, addBeginEnd: true).Fit(train);
        var options = new Seq2SeqTrainerOptions
        {
            HiddenSize = hidden,
            EmbeddingSize = 32,
            Attention = AttentionKind.LuongGeneral,
            Epochs = epochs,
            BatchSize = 64,
            LearningRate = 3e-3,
            BeamWidth = beam,
            TargetTokenizer = target,
            MaxTrainingTime = TimeSpan.FromMinutes(minutes),
            Progress = new Progress<TrainingProgress>(p =>
            {
                if (p.CompletedEpoch is { } e)
                    Console.WriteLine($"  epoch {e.Epoch}: loss {e.TrainingLoss:F4} ({e.Seconds:F1} s)");
            }),
        };

        var clock = Stopwatch.StartNew();
        var seq2seq = ml.SequenceToSequence().Trainers.Recurrent(options).Fit(target.Transform(source.Transform(train)));
        double trainSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"Trained a bidirectional LSTM encoder ({hidden} per direction) and attention decoder in {trainSeconds:F1} s.");

        var scored = seq2seq.Transform(target.Transform(source.Transform(test)));
        var metrics = ml.SequenceToSequence().Evaluate(scored);
        var (greedyExact, beamExact, beamWorse) = CompareDecoders(seq2seq, source, target, testRows, beam);
        Console.WriteLine($"Held-out ({testRows.Count}), beam {beam}: exact match {metrics.ExactMatch:F4}, token accuracy {metrics.TokenAccuracy:F4}, BLEU {metrics.Bleu:F4}");
        Console.WriteLine($"Greedy exact match {greedyExact:F4}; beam {beam} exact match {beamExact:F4}; rows where beam is wrong but greedy right: {beamWorse}");

        var model = source.Append(seq2seq);
        ml.Model.Save(model, ml.Data.LoadFromEnumerable(Array.Empty<Row>()).Schema, modelPath);
        Console.WriteLine($"Saved the model to {modelPath}; reloading it:");
        var loaded = new MLContext(seed: seed).Model.Load(modelPath, out _);
        var engine = ml.Model.CreatePredictionEngine<Row, Output>(loaded);
        foreach (string text in dataPath is null ? Examples : testRows.Take(5).Select(r => r.SourceText))
            Console.WriteLine($"  {text,-28} -> {engine.Predict(new Row { SourceText = text }).PredictedText}");
        if (codeFolder is not null)
            Console.WriteLine(Seq2SeqCode.Create(options, layout, testRows[0].SourceText).Write(codeFolder, modelPath));

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["task"] = "seq2seq",
                ["exactMatch"] = Math.Round(metrics.ExactMatch, 4),
                ["bleu"] = Math.Round(metrics.Bleu, 4),
                ["tokenAccuracy"] = Math.Round(metrics.TokenAccuracy, 4),
                ["greedyExactMatch"] = Math.Round(greedyExact, 4),
                ["beamWidth"] = beam,
                ["beamWorseRows"] = beamWorse,
                ["trainSeconds"] = Math.Round(trainSeconds, 1),
                ["model"] = modelPath,
            }));
        }
        return 0;
    }

    // Exact match of greedy decoding and of beam search on the same rows, and how often beam loses a row greedy gets.
    private static (double Greedy, double Beam, int BeamWorse) CompareDecoders(Seq2SeqTransformer model, TokenizeToSequenceTransformer source,
        TokenizeToSequenceTransformer target, List<Row> rows, int beam)
    {
        int greedyRight = 0, beamRight = 0, beamWorse = 0;
        double alpha = model.ModelSettings.LengthPenalty;
        foreach (var row in rows)
        {
            var ids = source.Encode(row.SourceText);
            // The reference as the target tokenizer sees it (lower-cased, unknown characters as <unk>).
            string expected = target.Decode(target.Encode(row.TargetText));
            bool greedy = model.Predict(ids, 1, alpha).Text == expected;
            bool wide = beam == 1 ? greedy : model.Predict(ids, beam, alpha).Text == expected;
            greedyRight += greedy ? 1 : 0;
            beamRight += wide ? 1 : 0;
            beamWorse += greedy && !wide ? 1 : 0;
        }
        return ((double)greedyRight / rows.Count, (double)beamRight / rows.Count, beamWorse);
    }

    private static (List<Row> Train, List<Row> Test, Seq2SeqCode.Layout Layout) Generated(int trainCount, int testCount, int seed)
    {
        var train = DateCorpus.Generate(trainCount, seed);
        var test = DateCorpus.Generate(testCount, seed + 1000, train.Select(p => p.Source).ToHashSet(StringComparer.Ordinal));
        static List<Row> Rows(List<DateCorpus.Pair> pairs) => pairs.Select(p => new Row { SourceText = p.Source, TargetText = p.Target }).ToList();
        return (Rows(train), Rows(test), Seq2SeqCode.Layout.Default);
    }

    private static (List<Row> Train, List<Row> Test, Seq2SeqCode.Layout Layout) FromFile(string path, Arguments arguments, int seed)
    {
        var ml = new MLContext(seed: seed);
        var file = DelimitedFile.Open(ml, path, arguments.Format, fallbackSeparator: '\t');
        var layout = new Seq2SeqCode.Layout(file.Separator, file.HasHeader, file.Multiline, file.IndexOf(arguments.SourceColumn, "--source-column"),
            file.IndexOf(arguments.TargetColumn, "--target-column"));
        var rows = file.Read<Row>(ml, file.Load(ml,
            new TextLoader.Column(nameof(Row.SourceText), DataKind.String, layout.SourceColumn),
            new TextLoader.Column(nameof(Row.TargetText), DataKind.String, layout.TargetColumn)));
        int empty = rows.FindIndex(r => r.SourceText.Length == 0 || r.TargetText.Length == 0);
        if (empty >= 0)
            throw new InvalidDataException($"{path}: data row {empty + 1} has an empty source or target text.");
        if (rows.Count < 10)
            throw new InvalidDataException($"{path}: {rows.Count} rows; at least 10 are needed to hold some out for testing.");
        var shuffled = rows.ToArray();
        new Random(seed).Shuffle(shuffled);
        int held = Math.Max(1, rows.Count / 10);
        return (shuffled[held..].ToList(), shuffled[..held].ToList(), layout);
    }
}
