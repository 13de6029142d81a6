using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Inspection;
using Samples.Common;

namespace Samples.Sentiment;

/// <summary>
/// <c>sentiment [--data PATH] [--valid PATH] [--epochs N] [--model PATH] [--plot PATH.png] [--json]</c> and tuning
/// options: trains the recurrent classifier and ML.NET's bag-of-words baseline on the same split, evaluates both,
/// saves the model, reloads it in a fresh MLContext and predicts three examples. Progress goes through
/// <see cref="TrainingProgressView"/>; --plot draws the training curves from the model's story.
/// </summary>
public static class SentimentCommand
{
    /// <summary>The options, for the verb's --help.</summary>
    public const string Usage =
        "Trains the recurrent classifier and a bag-of-words baseline (generated data without --data), saves, reloads and predicts.\n" +
        "usage: sentiment [--data PATH.tsv|DIR] [--valid PATH.tsv|DIR] [--epochs N] [--model PATH] [--onnx PATH.zip] [--plot PATH.png] [--json]\n" +
        "                 [--rows N] [--ensemble K] [--pooling last|max|mean|attention] [--hidden H] [--embedding E] [--minutes M] [--seed S]\n" +
        "                 [--no-header] [--text-column I] [--label-column I]\n" +
        "A DIR holds one subfolder per class with one .txt document per file (e.g. pos/ and neg/); the class whose name sorts last is positive.";

    private static readonly string[] Examples =
    [
        "the acting was not good at all",
        "the plot was boring , but the ending was wonderful",
        "although the cast was charming , the story felt tedious",
    ];

    public static int Run(string[] args)
    {
        var command = new CommandLine(args, ["json", "no-header"]);
        string? dataPath = command.String("data");
        string? validPath = command.String("valid");
        bool json = command.Flag("json");
        int seed = command.Int("seed", 1);
        bool generated = dataPath is null;
        string? plotPath = command.String("plot");
        string? onnxZip = command.String("onnx");
        // Fewer generated rows make a quick smoke run (the tests use a few hundred); 6000 is what the figures in the docs use.
        int generatedRows = command.Int("rows", 6000);
        int ensemble = command.Int("ensemble", generated ? 1 : 3);
        var pooling = ParsePooling(command.String("pooling") ?? "last");
        var mlContext = new MLContext(seed: seed);
        IDataView train, test;
        string dataDescription;
        if (generated)
        {
            var rows = SentimentCorpus.Generate(generatedRows, seed);
            var split = mlContext.Data.TrainTestSplit(mlContext.Data.LoadFromEnumerable(rows.Select(r => new SentimentModel.ModelInput { Text = r.Text, Label = r.Label })), testFraction: 0.2, seed: seed);
            (train, test) = (split.TrainSet, split.TestSet);
            dataDescription = $"Generated {rows.Count} order-sensitive sentences (80% train, 20% test).";
        }
        else
        {
            var trainData = Load(mlContext, dataPath!, textColumn: command.Int("text-column", 0), labelColumn: command.Int("label-column", 1), hasHeader: !command.Flag("no-header"));
            if (validPath is not null)
            {
                (train, test) = (trainData, Load(mlContext, validPath, command.Int("text-column", 0), command.Int("label-column", 1), !command.Flag("no-header")));
            }
            else
            {
                var split = mlContext.Data.TrainTestSplit(trainData, testFraction: 0.2, seed: seed);
                (train, test) = (split.TrainSet, split.TestSet);
            }
            dataDescription = $"Read {RowCount(trainData)} training rows from {dataPath}{(validPath is null ? " (20% held out for testing)" : $"; testing on {validPath}")}.";
        }
        int trainRows = RowCount(train);
        // Real data: the validation split, patience and epochs follow the size of the training set (docs/sentiment.md).
        int epochs = command.Int("epochs", generated ? 6 : trainRows < 5_000 ? 15 : 8);
        var progress = new TrainingProgressView("sentiment", epochs, ensemble, "accuracy");
        // Generated sentences are short and the vocabulary tiny: a smaller network learns them in seconds.
        var settings = new SentimentModel.Settings(
            Epochs: epochs,
            HiddenSize: command.Int("hidden", generated ? 64 : 128),
            EmbeddingSize: command.Int("embedding", generated ? 32 : 100),
            EnsembleSize: ensemble,
            BatchSize: command.Int("batch", 32),
            LearningRate: command.Double("learning-rate", 1e-3),
            ValidationFraction: command.Double("validation-fraction", generated ? 0 : SentimentModel.ValidationFractionFor(trainRows)),
            MaximumVocabularySize: command.Int("max-vocabulary", 30000),
            MaxTrainingTime: command.Int("minutes", 0) is > 0 and var minutes ? TimeSpan.FromMinutes(minutes) : null,
            Progress: progress,
            Pooling: pooling,
            EarlyStoppingPatience: command.Int("patience", SentimentModel.PatienceFor(trainRows)));
        SentimentModel.ModelPath = Path.GetFullPath(command.String("model") ?? "sentiment-model.zip");
        int threads = command.Int("threads", 0);
        command.RejectUnknown();

        if (threads > 0)
        {
            // On a machine shared with other busy processes one LibTorch thread can beat two (see docs/platform.md).
            Microsoft.ML.Recurrent.Runtime.TorchRuntime.EnsureInitialized();
            TorchSharp.torch.set_num_threads(threads);
        }
        Console.WriteLine(dataDescription);
        Console.WriteLine($"Settings: {settings.EnsembleSize} network(s), {settings.Pooling} pooling, {settings.Epochs} epochs, validation {settings.ValidationFraction * 100:F0}%, patience {settings.EarlyStoppingPatience}.");

        var baselineClock = Stopwatch.StartNew();
        var baseline = SentimentModel.Train(SentimentModel.BuildBaselinePipeline(mlContext), train);
        var baselineMetrics = SentimentModel.Evaluate(mlContext, baseline, test);
        Console.WriteLine($"Baseline FeaturizeText + SdcaLogisticRegression: accuracy {baselineMetrics.Accuracy:F4}, AUC {baselineMetrics.AreaUnderRocCurve:F4} ({baselineClock.Elapsed.TotalSeconds:F1} s)");

        var clock = Stopwatch.StartNew();
        var model = progress.Run(() => SentimentModel.Train(SentimentModel.BuildPipeline(mlContext, settings), train));
        double trainSeconds = clock.Elapsed.TotalSeconds;
        var metrics = SentimentModel.Evaluate(mlContext, model, test);
        Console.WriteLine($"Recurrent (bidirectional LSTM {settings.HiddenSize}, {settings.Pooling} pooling, ensemble of {settings.EnsembleSize}): accuracy {metrics.Accuracy:F4}, AUC {metrics.AreaUnderRocCurve:F4}, F1 {metrics.F1Score:F4} ({trainSeconds:F1} s)");

        if (plotPath is not null)
        {
            // The story holds the same per-epoch figures the progress view saw, and is what inspect shows later.
            var story = ModelInspector.Stories(model).Single();
            TrainingCurvePlot.Save(plotPath, "sentiment: bidirectional LSTM training curves", story.History, "accuracy");
            Console.WriteLine($"Plotted the training curves to {plotPath}.");
        }
        mlContext.Model.Save(model, train.Schema, SentimentModel.ModelPath);
        Console.WriteLine($"Saved the model to {SentimentModel.ModelPath}; reloading it in a fresh MLContext:");
        SentimentModel.Reset();
        foreach (string text in Examples)
        {
            var output = SentimentModel.Predict(new SentimentModel.ModelInput { Text = text });
            Console.WriteLine($"  {(output.PredictedLabel ? "positive" : "negative"),-8} p={output.Probability:F3}  \"{text}\"");
        }
        if (onnxZip is not null)
            Console.WriteLine(Onnx.OnnxOutputs.Write(mlContext, model, train.Schema, Onnx.OnnxOutputs.OnnxPathFor(onnxZip), onnxZip));

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["task"] = "sentiment",
                ["accuracy"] = Math.Round(metrics.Accuracy, 4),
                ["auc"] = Math.Round(metrics.AreaUnderRocCurve, 4),
                ["f1"] = Math.Round(metrics.F1Score, 4),
                ["baselineAccuracy"] = Math.Round(baselineMetrics.Accuracy, 4),
                ["trainSeconds"] = Math.Round(trainSeconds, 1),
                ["model"] = SentimentModel.ModelPath,
            }));
        }
        return 0;
    }

    private static Microsoft.ML.Recurrent.Modules.SequencePooling ParsePooling(string value)
        => Enum.TryParse<Microsoft.ML.Recurrent.Modules.SequencePooling>(value, ignoreCase: true, out var pooling) && Enum.IsDefined(pooling)
            ? pooling
            : throw new ArgumentException($"--pooling must be last, max, mean or attention, not '{value}'.");

    /// <summary>A tab-separated file (SST-2's layout by default) or a folder of class subfolders of .txt documents.</summary>
    private static IDataView Load(MLContext mlContext, string path, int textColumn, int labelColumn, bool hasHeader)
    {
        if (!Directory.Exists(path))
            return mlContext.Data.LoadFromEnumerable(LabelledTextFile.Read(path, textColumn, labelColumn, hasHeader));
        // As Keras numbers the classes of a folder: in ordinal order of their names, so the last one (pos after neg) is 1.
        string positive = Directory.GetDirectories(path).Select(Path.GetFileName).Order(StringComparer.Ordinal).LastOrDefault()
            ?? throw new InvalidDataException($"The text folder '{path}' has no class subfolder.");
        var folder = mlContext.Data.LoadFromTextFolder(path, positiveClass: positive!);
        return mlContext.Transforms.DropColumns("Source").Fit(folder).Transform(folder);
    }

    private static int RowCount(IDataView data) => (int)(data.GetRowCount() ?? data.GetColumn<bool>("Label").LongCount());
}
