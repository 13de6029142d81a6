using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.Music;
using Microsoft.ML.Recurrent.Text;
using Microsoft.ML.Recurrent.Training;
using Samples.Common;

namespace Samples.Music;

/// <summary>
/// <c>music</c>: melody generation. Tunes read from MIDI (the Nottingham folk tunes by default layout:
/// <c>midi/train|valid|test</c>; generated tunes without <c>--data</c>) become event tokens (key, metre, bar, chord,
/// note, rest), a recurrent language model learns them, and the verb reports the negative log-likelihood per event on
/// the test tunes beside the best of order-1 to order-3 Markov chains, writes generated tunes as MIDI files, compares
/// their musical statistics with the training tunes', continues the first bars of a test tune, and follows a test tune
/// event by event through the streaming engine.
/// </summary>
public static class MusicCommand
{
    private sealed record Arguments(string? Data, string? Valid, string? Test, int? Epochs, double? Minutes, int Generate, string? Out, string? Model,
        string? Plot, int Hidden, int PromptBars, int? Threads, bool Json);

    private sealed class Tune
    {
        public string Text { get; set; } = "";
    }

    /// <summary>The verb with its options.</summary>
    public static Command Create()
    {
        var data = VerbOptions.ExistingFileOrFolder("--data", "Training tunes: a folder of .mid files, or a folder holding midi/train, midi/valid and midi/test (the Nottingham layout) or train, valid and test. Without it: generated tunes.");
        var valid = VerbOptions.ExistingFileOrFolder("--valid", "Validation tunes (early stopping). Default: valid/ beside --data's train/.");
        var test = VerbOptions.ExistingFileOrFolder("--test", "Test tunes (the reported figures). Default: test/ beside --data's train/.");
        var epochs = VerbOptions.OptionalInteger("--epochs", "Passes over the training tunes (default: 6 on generated tunes, 30 with --data; early stopping on the validation tunes).");
        var minutes = VerbOptions.OptionalNumber("--minutes", "Stop training after the epoch during which this many minutes have passed (default: no limit).");
        var generate = VerbOptions.Integer("--generate", "Tunes to generate and write as .mid files.", 5, minimum: 0);
        var outFolder = VerbOptions.OutputPath("--out", "Folder for the generated .mid files (default: music-generated in the temporary folder).", helpName: "DIR");
        var model = VerbOptions.OutputPath("--model", "Where to save the trained model .zip (default: music-model.zip in the temporary folder).", helpName: "PATH.zip");
        var plot = VerbOptions.OutputPath("--plot", "Draw the first generated tune as a piano roll to this PNG.", helpName: "PATH.png");
        var hidden = VerbOptions.Integer("--hidden", "LSTM units per layer (two layers).", 256);
        var promptBars = VerbOptions.Integer("--prompt-bars", "Bars of the first test tune that the model continues (written as continuation.mid).", 4);
        var threads = VerbOptions.OptionalInteger("--threads", SampleVerbs.ThreadsDescription("default: LibTorch's, one per core"));
        var json = VerbOptions.Flag("--json", "Print one JSON object as the last line: task, nllPerEvent, perplexity, markovNllPerEvent, markovOrder, generated, readableMidi, inKeyShare, trainingInKeyShare, nextEventAccuracy, trainSeconds, model.");
        var command = new Command("music", "Learn melodies as event tokens with a recurrent language model: NLL per event beside Markov chains, generated tunes as MIDI, their musical statistics, a continued prompt.")
        {
            data, valid, test, epochs, minutes, generate, outFolder, model, plot, hidden, promptBars, threads, json,
        };
        command.SetAction(result => Run(new Arguments(result.GetValue(data), result.GetValue(valid), result.GetValue(test), result.GetValue(epochs),
            result.GetValue(minutes), result.GetValue(generate), result.GetValue(outFolder), result.GetValue(model), result.GetValue(plot),
            result.GetValue(hidden), result.GetValue(promptBars), result.GetValue(threads), result.GetValue(json))));
        return command;
    }

    private static int Run(Arguments arguments)
    {
        SampleVerbs.SetTorchThreads(arguments.Threads);
        bool generated = arguments.Data is null;
        var (train, valid, test) = generated
            ? (SyntheticTunes.Generate(240, seed: 1), SyntheticTunes.Generate(30, seed: 2), SyntheticTunes.Generate(30, seed: 3))
            : Load(arguments);
        Console.WriteLine($"{train.Count} training, {valid.Count} validation and {test.Count} test tunes ({(generated ? "generated" : "MIDI files")}), " +
            $"{train.Sum(t => t.Events.Count):N0} training events.");

        var ml = new MLContext(seed: 1);
        var trainData = View(ml, train);
        var tokenizer = ml.Transforms.Text.TokenizeToSequence(new TokenizeToSequenceEstimator.Options
        {
            OutputColumnName = "Tokens",
            InputColumnName = nameof(Tune.Text),
            // Event tokens are written exactly (K:D, A5:1/8, ch:G, |): no lower-casing, no punctuation splitting.
            Lowercase = false,
            Punctuation = PunctuationHandling.Keep,
            MaximumVocabularySize = 0,
            AddBeginEnd = true,
        }).Fit(trainData);

        var report = new SettingsReport();
        var options = new LanguageModelTrainerOptions
        {
            Tokenizer = tokenizer,
            HiddenSize = arguments.Hidden,
            EmbeddingSize = Math.Min(arguments.Hidden, 128),
            Layers = 2,
            Dropout = 0.3,
            SequenceLength = 64,
            BatchSize = 32,
            Epochs = report.Choose("epochs", arguments.Epochs, generated ? 6 : 30),
            LearningRate = 2e-3,
            EarlyStoppingPatience = 3,
            Seed = 1,
            MaxTrainingTime = arguments.Minutes is { } m ? TimeSpan.FromMinutes(m) : null,
        };
        report.Note("network", $"2 x {options.HiddenSize} LSTM, embedding {options.EmbeddingSize}, dropout {options.Dropout}");
        report.Note("vocabulary", tokenizer.Vocabulary.Count);
        Console.WriteLine(report.Line($"{train.Count} training tunes"));
        var progress = new TrainingProgressView("melody model", options.Epochs, metricName: "perplexity");
        options.Progress = progress;

        var clock = Stopwatch.StartNew();
        var model = progress.Run(() => ml.LanguageModeling().Trainers.Recurrent(options).Fit(tokenizer.Transform(trainData), tokenizer.Transform(View(ml, valid))));
        double trainSeconds = clock.Elapsed.TotalSeconds;

        // Both models predict every event of a test tune and its end, from the tune's start: the same count.
        double nll = NegativeLogLikelihood(ml, tokenizer, model, test, out long predicted);
        var (markovNll, markovOrder) = BestMarkov(tokenizer, train, valid, test);
        Console.WriteLine($"Trained in {trainSeconds:F0} s. Test: {F(nll)} nats per event (perplexity {F(Math.Exp(nll))}, {predicted:N0} events and tune ends); " +
            $"best Markov chain (order {markovOrder}, chosen on the validation tunes): {F(markovNll)} nats per event; " +
            $"the network is {Math.Abs(1 - nll / markovNll):P1} {(nll <= markovNll ? "lower" : "higher")}.");

        string folder = arguments.Out ?? Path.Combine(Path.GetTempPath(), "music-generated");
        Directory.CreateDirectory(folder);
        var (paths, melodies, readable) = GenerateTunes(model, arguments.Generate, folder);
        var trainingStatistics = MelodyStatistics.Of(train);
        MelodyStatistics? generatedStatistics = melodies.Count > 0 ? MelodyStatistics.Of(melodies) : null;
        Console.WriteLine($"Generated {melodies.Count} tunes into {folder}; {readable} of {paths.Count} .mid files read back with NAudio.");
        if (generatedStatistics is not null)
        {
            Console.WriteLine($"  {"",-10}{"in key",10}{"range",10}{"lowest",8}{"highest",8}  most common note lengths");
            Console.WriteLine(Row("training", trainingStatistics));
            Console.WriteLine(Row("generated", generatedStatistics));
            Console.WriteLine($"  note-length distribution distance (total variation): {F(generatedStatistics.DurationDistance(trainingStatistics))}");
        }
        if (arguments.Plot is { } plot && melodies.Count > 0)
        {
            PianoRoll.Save(plot, "generated tune 1", melodies[0]);
            Console.WriteLine($"Plotted the first generated tune to {plot}.");
        }

        var prompt = Continue(model, test[0], arguments.PromptBars, Path.Combine(folder, "continuation.mid"));
        Console.WriteLine(prompt);
        double nextEvent = FollowEventByEvent(model, tokenizer, test[0]);
        Console.WriteLine($"Streaming: as the first test tune is played event by event, the model's most likely next event was the one played {nextEvent:P1} of the time.");

        string modelPath = arguments.Model ?? Path.Combine(Path.GetTempPath(), "music-model.zip");
        ml.Model.Save(tokenizer.Append(model), trainData.Schema, modelPath);
        Console.WriteLine($"Saved to {modelPath}.");

        if (arguments.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["task"] = "music",
                ["nllPerEvent"] = nll,
                ["perplexity"] = Math.Exp(nll),
                ["markovNllPerEvent"] = markovNll,
                ["markovOrder"] = markovOrder,
                ["generated"] = paths,
                ["readableMidi"] = readable,
                ["inKeyShare"] = generatedStatistics?.InKeyShare,
                ["trainingInKeyShare"] = trainingStatistics.InKeyShare,
                ["nextEventAccuracy"] = nextEvent,
                ["trainSeconds"] = trainSeconds,
                ["model"] = modelPath,
            }));
        }
        return 0;
    }

    private static IDataView View(MLContext ml, IEnumerable<Melody> tunes) => ml.Data.LoadFromEnumerable(tunes.Select(t => new Tune { Text = t.ToText() }));

    /// <summary>Mean negative log-probability per predicted token: every event of each tune and its end.</summary>
    private static double NegativeLogLikelihood(MLContext ml, TokenizeToSequenceTransformer tokenizer, LanguageModelTransformer model, List<Melody> tunes, out long predicted)
    {
        var scored = model.Transform(tokenizer.Transform(View(ml, tunes)));
        double sum = -scored.GetColumn<float>("LogProbability").Sum(v => (double)v);
        // The model reads each row as <s> events </s> and predicts the events and </s> from the end-of-tune context.
        predicted = tunes.Sum(t => (long)t.Events.Count + 1);
        return sum / predicted;
    }

    /// <summary>Order 1 to 3 chains on the training tunes' event ids; the order best on the validation tunes, scored on the test tunes.</summary>
    private static (double Nll, int Order) BestMarkov(TokenizeToSequenceTransformer tokenizer, List<Melody> train, List<Melody> valid, List<Melody> test)
    {
        List<IReadOnlyList<int>> Ids(List<Melody> tunes) => tunes.Select(t => (IReadOnlyList<int>)Events(tokenizer, t)).ToList();
        var (trainIds, validIds, testIds) = (Ids(train), Ids(valid), Ids(test));
        var best = Enumerable.Range(1, 3)
            .Select(order => MarkovChainModel.Fit(trainIds, order, tokenizer.Vocabulary.Count, TokenizeToSequenceTransformer.EndId))
            .MinBy(chain => chain.CrossEntropy(validIds))!;
        return (best.CrossEntropy(testIds), best.Order);
    }

    /// <summary>A tune's event ids, without the begin and end tokens (the chain predicts the end as its boundary).</summary>
    private static int[] Events(TokenizeToSequenceTransformer tokenizer, Melody tune)
    {
        var ids = tokenizer.Encode(tune.ToText());
        return ids.Where(id => id != TokenizeToSequenceTransformer.BeginId && id != TokenizeToSequenceTransformer.EndId).ToArray();
    }

    private static (List<string> Paths, List<Melody> Melodies, int Readable) GenerateTunes(LanguageModelTransformer model, int count, string folder)
    {
        var paths = new List<string>();
        var melodies = new List<Melody>();
        int readable = 0;
        for (int i = 0; i < count; i++)
        {
            string text = model.Generate("", new GenerationOptions { MaximumTokens = 600, Temperature = 1.0, Seed = 100 + i });
            Melody melody;
            try
            {
                melody = Melody.Parse(text);
            }
            catch (FormatException e)
            {
                Console.WriteLine($"  generated tune {i + 1} is not a melody ({e.Message}); skipped.");
                continue;
            }
            if (melody.Notes.Count == 0)
            {
                Console.WriteLine($"  generated tune {i + 1} has no notes; skipped.");
                continue;
            }
            string path = Path.Combine(folder, $"generated-{i + 1}.mid");
            MelodyMidi.Write(melody, path);
            paths.Add(path);
            melodies.Add(melody);
            if (ReadsBack(path))
                readable++;
        }
        return (paths, melodies, readable);
    }

    /// <summary>Whether NAudio's reader opens the file and finds note events in it.</summary>
    private static bool ReadsBack(string path)
    {
        try
        {
            var file = new NAudio.Midi.MidiFile(path, strictChecking: true);
            return file.Events.SelectMany(track => track).Any(e => e is NAudio.Midi.NoteOnEvent);
        }
        catch (Exception e) when (e is FormatException or IOException or InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>Continues the first <paramref name="bars"/> bars of <paramref name="tune"/> and writes prompt and continuation as one MIDI file.</summary>
    private static string Continue(LanguageModelTransformer model, Melody tune, int bars, string path)
    {
        var promptEvents = new List<MelodyEvent>();
        int seen = 0;
        foreach (var e in tune.Events)
        {
            promptEvents.Add(e);
            if (e.Kind == MelodyEventKind.Bar && ++seen == bars)
                break;
        }
        string promptText = new Melody(promptEvents).ToText();
        string continuation = model.Generate(promptText, new GenerationOptions { MaximumTokens = 300, Temperature = 0.8, Seed = 7 });
        try
        {
            var melody = Melody.Parse(promptText + " " + continuation);
            MelodyMidi.Write(melody, path);
            return $"Continued the first {seen} bars of the first test tune ({promptEvents.Count} events) with {melody.Events.Count - promptEvents.Count} events: {path}.";
        }
        catch (FormatException e)
        {
            return $"The continuation of the first test tune is not a melody ({e.Message}).";
        }
    }

    /// <summary>Plays <paramref name="tune"/> into the streaming engine event by event; the share of events the model ranked first before they came.</summary>
    private static double FollowEventByEvent(LanguageModelTransformer model, TokenizeToSequenceTransformer tokenizer, Melody tune)
    {
        using var engine = model.CreateStreamingEngine();
        int right = 0, total = 0;
        foreach (int id in Events(tokenizer, tune))
        {
            if (engine.NextTokenLogProbabilities is { } next)
            {
                int guess = 0;
                for (int i = 1; i < next.Count; i++)
                {
                    if (next[i] > next[guess])
                        guess = i;
                }
                right += guess == id ? 1 : 0;
                total++;
            }
            engine.Step(id);
        }
        return total == 0 ? 0 : (double)right / total;
    }

    private static (List<Melody> Train, List<Melody> Valid, List<Melody> Test) Load(Arguments arguments)
    {
        string data = arguments.Data!;
        string root = Directory.Exists(Path.Combine(data, "midi")) ? Path.Combine(data, "midi") : data;
        string trainFolder = Directory.Exists(Path.Combine(root, "train")) ? Path.Combine(root, "train") : root;
        string Beside(string? given, string name) => given
            ?? (Directory.Exists(Path.Combine(root, name)) ? Path.Combine(root, name)
                : throw new ArgumentException($"--{name} is needed: '{data}' holds no {name}/ folder beside its training tunes."));
        return (Read(trainFolder), Read(Beside(arguments.Valid, "valid")), Read(Beside(arguments.Test, "test")));
    }

    private static List<Melody> Read(string folder)
    {
        if (!Directory.Exists(folder))
            throw new ArgumentException($"'{folder}' is not a folder of MIDI files.");
        var tunes = Directory.EnumerateFiles(folder, "*.mid").Order(StringComparer.Ordinal).Select(path => MelodyMidi.Read(path)).ToList();
        return tunes.Count > 0 ? tunes : throw new ArgumentException($"'{folder}' holds no .mid files.");
    }

    private static string Row(string name, MelodyStatistics statistics)
        => $"  {name,-10}{statistics.InKeyShare,10:P1}{statistics.MeanPitchRange,10:F1}{statistics.LowestPitch,8}{statistics.HighestPitch,8}  " +
           string.Join(", ", statistics.DurationShares.Take(4).Select(d => $"{d.Key} {d.Value:P0}"));

    private static string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
