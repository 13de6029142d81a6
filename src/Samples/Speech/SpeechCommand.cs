using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Audio;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Training;
using Samples.Common;

namespace Samples.Speech;

/// <summary>
/// <c>speech</c>: spoken-digit recognition. Recordings named <c>digit_speaker_take.wav</c> (the Free Spoken Digit
/// Dataset's layout; generated tone "digits" without <c>--data</c>) become MFCC frames (ExtractMfcc) read by a
/// unidirectional recurrent multiclass classifier; the verb reports test accuracy and the confusion matrix, how early
/// in a recording the streaming prediction settles on its final answer, and with <c>--speaker-holdout</c> the accuracy
/// on each speaker when that speaker is left out of training.
/// </summary>
public static class SpeechCommand
{
    private sealed record Arguments(string? Data, string? Test, int? Epochs, int? Ensemble, int Hidden, bool SpeakerHoldout, string? Model, int? Threads, double? Minutes, bool Json);

    /// <summary>One recording: its audio (a path, or samples for generated data), digit and speaker.</summary>
    private sealed class Recording
    {
        public string Path { get; set; } = "";

        [VectorType]
        public float[] Samples { get; set; } = [];

        public string Digit { get; set; } = "";

        public string Speaker { get; set; } = "";
    }

    private const string Features = "Features";
    private const int Coefficients = 13;

    /// <summary>The verb with its options.</summary>
    public static Command Create()
    {
        var data = VerbOptions.ExistingFileOrFolder("--data", "Training recordings: a folder of digit_speaker_take.wav files (the Free Spoken Digit Dataset's train/), or a folder holding train/ and test/. Without it: generated tone digits.");
        var test = VerbOptions.ExistingFileOrFolder("--test", "Test recordings in the same layout. Default: test/ beside --data's train/, else the generated test set.");
        var epochs = VerbOptions.OptionalInteger("--epochs", "Passes over the training recordings (default: 8 on generated data, 40 with --data; early stopping on a 10% validation split).");
        var ensemble = VerbOptions.OptionalInteger("--ensemble", "Networks trained from different seeds whose predictions are averaged (default: 3 with --data, 1 on generated data).");
        var hidden = VerbOptions.Integer("--hidden", "GRU units per layer (two layers).", 128);
        var holdout = VerbOptions.Flag("--speaker-holdout", "Also train once per speaker without that speaker's recordings and report the accuracy on them (speaker-independent), averaged over the speakers.");
        var model = VerbOptions.OutputPath("--model", "Where to save the trained model .zip (default: speech-model.zip in the temporary folder).", helpName: "PATH.zip");
        var threads = VerbOptions.OptionalInteger("--threads", SampleVerbs.ThreadsDescription("default: LibTorch's, one per core"));
        var minutes = VerbOptions.OptionalNumber("--minutes", "Stop training after the epoch during which this many minutes have passed (default: no limit).");
        var json = VerbOptions.Flag("--json", "Print one JSON object as the last line: task, accuracy, macroF1, confusion, framesToFinalAnswer, speakerHeldOutAccuracy (with --speaker-holdout), trainSeconds, model.");
        var command = new Command("speech", "Recognize spoken digits: MFCC frames, a recurrent classifier, test accuracy, confusion matrix and how early the streaming answer settles.")
        {
            data, test, epochs, ensemble, hidden, holdout, model, threads, minutes, json,
        };
        command.SetAction(result => Run(new Arguments(result.GetValue(data), result.GetValue(test), result.GetValue(epochs), result.GetValue(ensemble), result.GetValue(hidden),
            result.GetValue(holdout), result.GetValue(model), result.GetValue(threads), result.GetValue(minutes), result.GetValue(json))));
        return command;
    }

    private static int Run(Arguments arguments)
    {
        SampleVerbs.SetTorchThreads(arguments.Threads);
        var ml = new MLContext(seed: 1);
        bool generated = arguments.Data is null;
        var (train, test) = generated ? Generated() : (Read(TrainFolder(arguments.Data!)), Read(TestFolder(arguments)));
        Console.WriteLine($"{train.Count:N0} training and {test.Count:N0} test recordings ({(generated ? "generated tone digits" : "WAV files")}), " +
            $"{train.Select(r => r.Speaker).Distinct().Count()} speakers.");

        var report = new SettingsReport();
        int epochs = report.Choose("epochs", arguments.Epochs, generated ? 8 : 40);
        int members = report.Choose("ensemble", arguments.Ensemble, generated ? 1 : 3);
        report.Note("hidden", arguments.Hidden);
        report.Note("features", $"{Coefficients} MFCC + deltas + delta-deltas, mean/variance-normalized per recording");
        Console.WriteLine(report.Line($"{train.Count:N0} training recordings"));

        var progress = new TrainingProgressView("speech", epochs, members, "accuracy");
        var clock = Stopwatch.StartNew();
        var model = progress.Run(() => Fit(ml, train, generated, epochs, members, arguments, progress));
        double trainSeconds = clock.Elapsed.TotalSeconds;
        var testData = View(ml, test);
        var scored = model.Transform(testData);
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Console.WriteLine($"Trained in {trainSeconds:F0} s. Test accuracy {F(metrics.MicroAccuracy)}, macro accuracy {F(metrics.MacroAccuracy)} ({test.Count} recordings).");
        var labels = LabelNames(scored);
        var confusion = Confusion(metrics.ConfusionMatrix);
        PrintConfusion(labels, confusion);

        var (framesToAnswer, fraction) = FramesToFinalAnswer(model, testData);
        Console.WriteLine($"Streaming: the answer frame by frame settles on its final value after {framesToAnswer:F1} frames on average " +
            $"({fraction:P0} of a recording).");

        double? heldOut = arguments.SpeakerHoldout ? SpeakerHoldout(ml, train.Concat(test).ToList(), generated, epochs, members, arguments) : null;

        string path = arguments.Model ?? Path.Combine(Path.GetTempPath(), "speech-model.zip");
        ml.Model.Save(model, testData.Schema, path);
        Console.WriteLine($"Saved to {path}.");

        if (arguments.Json)
        {
            var summary = new Dictionary<string, object?>
            {
                ["task"] = "speech",
                ["accuracy"] = metrics.MicroAccuracy,
                ["macroF1"] = MacroF1(confusion),
                ["labels"] = labels,
                ["confusion"] = confusion,
                ["framesToFinalAnswer"] = framesToAnswer,
                ["speakerHeldOutAccuracy"] = heldOut,
                ["trainSeconds"] = trainSeconds,
                ["model"] = path,
            };
            Console.WriteLine(JsonSerializer.Serialize(summary));
        }
        return 0;
    }

    /// <summary>Digit -> key, MFCC frames of the recording, the recurrent classifier, key -> digit.</summary>
    private static TransformerChain<Microsoft.ML.Transforms.KeyToValueMappingTransformer> Fit(MLContext ml, IReadOnlyList<Recording> train, bool generated, int epochs, int members, Arguments arguments,
        IProgress<TrainingProgress>? progress)
    {
        var options = new RecurrentSequenceTrainerOptions
        {
            FeatureColumnName = Features,
            FeatureSize = 3 * Coefficients,
            CellType = RecurrentCellType.Gru,
            HiddenSize = arguments.Hidden,
            Layers = 2,
            // One direction, so that the answer can follow the audio as it arrives (Streaming): the mean of the top
            // layer's outputs over the frames is read by the output layer.
            Bidirectional = false,
            Pooling = SequencePooling.Mean,
            // Ten speakers' worth of data is little: dropout between the layers and before the output layer.
            LayerDropout = 0.3,
            OutputDropout = 0.3,
            Epochs = epochs,
            EnsembleSize = members,
            BatchSize = 32,
            LearningRate = 2e-3,
            // Halve the rate when validation stops improving, and stop after 10 epochs without a gain.
            LearningRateSchedule = LearningRateScheduleKind.ReduceOnPlateau,
            PlateauPatience = 3,
            DecayFactor = 0.5,
            ValidationFraction = 0.1,
            EarlyStoppingPatience = 10,
            Seed = 1,
            MaxTrainingTime = arguments.Minutes is { } m ? TimeSpan.FromMinutes(m) : null,
            Progress = progress,
        };
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", nameof(Recording.Digit))
            .Append(ml.Transforms.ExtractMfcc(new MfccEstimator.Options
            {
                OutputColumnName = Features,
                InputColumnName = generated ? nameof(Recording.Samples) : nameof(Recording.Path),
                SampleRate = generated ? SyntheticDigits.SampleRate : 0,
                CoefficientCount = Coefficients,
                Deltas = MfccDeltas.DeltaDelta,
                Normalization = UtteranceNormalization.MeanVariance,
            }))
            .Append(ml.MulticlassClassification.Trainers.Recurrent(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedDigit", "PredictedLabel"));
        return pipeline.Fit(View(ml, train));
    }

    private static IDataView View(MLContext ml, IEnumerable<Recording> recordings) => ml.Data.LoadFromEnumerable(recordings);

    /// <summary>
    /// Streams every test recording frame by frame through the classifier and counts the frames after which the
    /// predicted digit no longer changes: the mean count, and the mean share of the recording's frames.
    /// </summary>
    private static (double Frames, double Fraction) FramesToFinalAnswer(TransformerChain<Microsoft.ML.Transforms.KeyToValueMappingTransformer> model, IDataView test)
    {
        var transformers = model.ToList();
        var classifier = transformers.OfType<RecurrentSequenceTransformer>().Single();
        // The features as the classifier reads them: the steps before it in the pipeline.
        var featuresView = transformers.TakeWhile(t => t is not RecurrentSequenceTransformer).Aggregate(test, (view, t) => t.Transform(view));
        int width = classifier.ModelSettings.FeatureSize;
        double frames = 0, fraction = 0;
        int count = 0;
        using var engine = classifier.CreateStreamingEngine();
        foreach (var features in featuresView.GetColumn<float[]>(Features))
        {
            engine.Reset();
            int steps = features.Length / width;
            var answers = new int[steps];
            for (int t = 0; t < steps; t++)
                answers[t] = engine.Step(features.AsSpan(t * width, width)).PredictedClass;
            int settled = steps;
            while (settled > 1 && answers[settled - 2] == answers[^1])
                settled--;
            frames += settled;
            fraction += steps == 0 ? 1 : (double)settled / steps;
            count++;
        }
        return count == 0 ? (0, 0) : (frames / count, fraction / count);
    }

    /// <summary>Leave-one-speaker-out: the accuracy on each speaker's recordings when trained without them.</summary>
    private static double SpeakerHoldout(MLContext ml, List<Recording> all, bool generated, int epochs, int members, Arguments arguments)
    {
        var accuracies = new List<double>();
        foreach (string speaker in all.Select(r => r.Speaker).Distinct().Order(StringComparer.Ordinal))
        {
            var model = Fit(ml, all.Where(r => r.Speaker != speaker).ToList(), generated, epochs, members, arguments, progress: null);
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(View(ml, all.Where(r => r.Speaker == speaker))));
            accuracies.Add(metrics.MicroAccuracy);
            Console.WriteLine($"Speaker {speaker} held out: accuracy {F(metrics.MicroAccuracy)}");
        }
        double mean = accuracies.Average();
        Console.WriteLine($"Speaker-independent accuracy (mean over {accuracies.Count} speakers): {F(mean)}");
        return mean;
    }

    private static (List<Recording> Train, List<Recording> Test) Generated()
    {
        static List<Recording> Convert(IEnumerable<SyntheticDigits.Recording> recordings) => recordings
            .Select(r => new Recording { Path = r.FileName, Samples = r.Samples, Digit = r.Digit.ToString(CultureInfo.InvariantCulture), Speaker = r.Speaker })
            .ToList();
        return (Convert(SyntheticDigits.Generate(takes: 6, seed: 1)), Convert(SyntheticDigits.Generate(takes: 2, seed: 2)));
    }

    private static string TrainFolder(string data)
        => Directory.Exists(Path.Combine(data, "train")) ? Path.Combine(data, "train") : data;

    private static string TestFolder(Arguments arguments)
    {
        if (arguments.Test is { } test)
            return test;
        string beside = Path.Combine(arguments.Data!, "test");
        return Directory.Exists(beside) ? beside
            : throw new ArgumentException($"--test is needed: '{arguments.Data}' holds no test/ folder beside its recordings.");
    }

    /// <summary>The recordings of a folder; each name must read digit_speaker_take.wav.</summary>
    private static List<Recording> Read(string folder)
    {
        if (!Directory.Exists(folder))
            throw new ArgumentException($"'{folder}' is not a folder of recordings.");
        var recordings = new List<Recording>();
        foreach (string path in Directory.EnumerateFiles(folder, "*.wav").Order(StringComparer.Ordinal))
        {
            string[] parts = Path.GetFileNameWithoutExtension(path).Split('_');
            if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new InvalidDataException($"'{path}': expected a name digit_speaker_take.wav (the Free Spoken Digit Dataset's layout).");
            recordings.Add(new Recording { Path = path, Digit = parts[0], Speaker = parts[1] });
        }
        if (recordings.Count == 0)
            throw new ArgumentException($"'{folder}' holds no .wav recordings.");
        if (recordings.Select(r => r.Digit).Distinct().Count() < 2)
            throw new InvalidDataException($"'{folder}': all recordings have the same label; at least two are needed to train.");
        return recordings;
    }

    private static string[] LabelNames(IDataView scored)
    {
        VBuffer<ReadOnlyMemory<char>> names = default;
        scored.Schema["Score"].GetSlotNames(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    private static int[][] Confusion(ConfusionMatrix matrix)
        => matrix.Counts.Select(row => row.Select(c => (int)c).ToArray()).ToArray();

    private static double MacroF1(int[][] confusion)
    {
        int n = confusion.Length;
        double sum = 0;
        for (int k = 0; k < n; k++)
        {
            double truePositives = confusion[k][k];
            double predicted = Enumerable.Range(0, n).Sum(i => confusion[i][k]);
            double actual = confusion[k].Sum();
            sum += predicted + actual == 0 ? 0 : 2 * truePositives / (predicted + actual);
        }
        return sum / n;
    }

    private static void PrintConfusion(string[] labels, int[][] confusion)
    {
        Console.WriteLine("Confusion (rows: true digit, columns: predicted):");
        Console.WriteLine("      " + string.Concat(labels.Select(l => $"{l,5}")));
        for (int i = 0; i < confusion.Length; i++)
            Console.WriteLine($"  {labels[i],3} " + string.Concat(confusion[i].Select(c => $"{c,5}")));
    }

    private static string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
