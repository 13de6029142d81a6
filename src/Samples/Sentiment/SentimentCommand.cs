using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Inspection;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Sequences;
using Samples.Common;

namespace Samples.Sentiment;

/// <summary>
/// <c>sentiment</c>: trains the recurrent classifier and ML.NET's bag-of-words baseline on the same split, evaluates
/// both, saves the model, reloads it in a fresh MLContext and predicts three examples. Progress goes through
/// <see cref="TrainingProgressView"/>; --plot draws the training curves from the model's story.
/// </summary>
public static class SentimentCommand
{
    private static readonly string[] Examples =
    [
        "the acting was not good at all",
        "the plot was boring , but the ending was wonderful",
        "although the cast was charming , the story felt tedious",
    ];

    /// <summary>The verb with its options.</summary>
    public static Command Create()
    {
        var data = VerbOptions.ExistingFileOrFolder("--data", "Training data: delimited text (CSV, TSV; quoted fields allowed) with a text column and a label column (1/0, true/false, yes/no), by default SST-2's layout (tab-separated, a header line, text first, label second); or a folder with one subfolder per class holding one .txt document per file (pos/, neg/: the class whose name sorts last is positive). Without it: generated order-sensitive sentences.");
        var valid = VerbOptions.ExistingFileOrFolder("--valid", "Test data in the same layout. Without it: 20% of --data is held out.");
        var validation = VerbOptions.ExistingFileOrFolder("--validation", "Validation data in the same layout, for early stopping and the --wide choice (default: a share of --data, see --validation-fraction).");
        var wide = VerbOptions.Choice("--wide", "Give the network NB-SVM's features (word unigrams and bigrams weighted by their naive Bayes log-count ratios) as wide features beside the tokens, starting from logistic regression on them: on, off, or auto (for long documents, a mean above 200 words: train both and keep the one with the better accuracy on the validation split; off for short texts and generated data).", "auto", "auto", "on", "off");
        var maxTokens = VerbOptions.OptionalInteger("--max-tokens", "Tokens the network reads per text, the same at training and prediction (default: all when the training texts average at most 200 words, else 400); the wide features still read the whole text.");
        var truncation = VerbOptions.Choice("--truncation", "Which part of a longer text the network reads: its head, its tail, or both (half each).", "both", "both", "head", "tail");
        var pretrain = VerbOptions.Flag("--pretrain", "ULMFiT: first train a language model on the training texts, then start the classifier's embedding and (unidirectional) LSTM from it and fine-tune with layer-wise rates, gradual unfreezing and slanted triangular rates.");
        var folds = VerbOptions.OptionalInteger("--folds", "Cross-validate instead: K folds over --data, --valid and --validation together (both models on each fold's same split, validation split from each fold's training part), reporting the mean accuracy.", minimum: 2);
        var epochs = VerbOptions.OptionalInteger("--epochs", "Passes over the training data (default: 6 on generated data; with --data 15 below 5,000 training rows, else 8; early stopping usually ends sooner).");
        var pooling = VerbOptions.Choice("--pooling", "How the network's outputs over time become the classifier's input: the final states, or max, mean or attention pooling over every step (long documents).", "last", "last", "max", "mean", "attention");
        var patience = VerbOptions.OptionalInteger("--patience", "Epochs without a better validation accuracy before stopping (default with --data: 4 below 5,000 training rows, else 2).");
        var model = VerbOptions.OutputPath("--model", "Where to save the trained model .zip.", helpName: "PATH.zip");
        var onnx = VerbOptions.OutputPath("--onnx", "Also write the ONNX model and its deployment pipeline (PATH.zip, with PATH.onnx beside it; given PATH.onnx, the pipeline goes to PATH.zip).", helpName: "PATH.zip");
        var plot = VerbOptions.OutputPath("--plot", "Draw the training curves to this PNG.", helpName: "PATH.png");
        var json = VerbOptions.Flag("--json", "Print one JSON object as the last line: task, accuracy, auc, f1, baselineAccuracy, trainSeconds, model.");
        // Fewer generated rows make a quick smoke run (the tests use a few hundred); 6000 is what the figures in the docs use.
        var rows = VerbOptions.Integer("--rows", "Generated sentences when there is no --data.", 6000, minimum: 10);
        var ensemble = VerbOptions.OptionalInteger("--ensemble", "Networks trained with different seeds whose probabilities are averaged (default 1; 3 adds about a point on SST-2 at three times the cost).");
        var hidden = VerbOptions.OptionalInteger("--hidden", "LSTM units per direction (default: 64 on generated data, 128 with --data).");
        var embedding = VerbOptions.OptionalInteger("--embedding", "Word embedding size (default: 32 on generated data, 100 with --data).");
        var batch = VerbOptions.Integer("--batch", "Sentences per mini-batch.", 32);
        var learningRate = VerbOptions.Number("--learning-rate", "Adam's learning rate.", 1e-3);
        var validationFraction = VerbOptions.OptionalNumber("--validation-fraction", "Share of the training rows held out for early stopping (default: 0 on generated data; with --data 500 rows, within 5% to 20%).", minimum: 0, exclusive: false, below: 1);
        var maxVocabulary = VerbOptions.Integer("--max-vocabulary", "Most frequent words kept in the vocabulary.", 30000);
        var minutes = VerbOptions.OptionalNumber("--minutes", "Stop training after the epoch during which this many minutes have passed (default: no limit).");
        var seed = VerbOptions.Integer("--seed", "Seed of the MLContext (split, initialisation, shuffling).", 1, minimum: 0);
        var threads = VerbOptions.OptionalInteger("--threads", SampleVerbs.ThreadsDescription("default: LibTorch's, one per core"));
        var layout = new TextFileOptions(fallbackSeparator: '\t');
        var textColumn = VerbOptions.Text("--text-column", "Header name or 0-based position of the text column.", "0", "NAME");
        var labelColumn = VerbOptions.Text("--label-column", "Header name or 0-based position of the label column.", "1", "NAME");
        var code = GeneratedProject.CodeOption();
        var command = new Command("sentiment", "Train a recurrent sentiment classifier and a bag-of-words baseline, save, reload and predict.")
        {
            data, valid, validation, wide, maxTokens, pretrain, truncation, folds, epochs, pooling, patience, model, onnx, plot, json, rows, ensemble, hidden, embedding, batch, learningRate, validationFraction,
            maxVocabulary, minutes, seed, threads, textColumn, labelColumn, code,
        };
        layout.AddTo(command);
        command.SetAction(result => Run(new Arguments(result.GetValue(data), result.GetValue(valid), result.GetValue(model),
            result.GetValue(onnx), result.GetValue(plot), result.GetValue(json), result.GetValue(rows), result.GetValue(seed), result.GetValue(threads),
            new Columns(result.GetValue(textColumn)!, result.GetValue(labelColumn)!, layout.Read(result)), result.GetValue(epochs), result.GetValue(hidden),
            result.GetValue(embedding), result.GetValue(ensemble), result.GetValue(batch), result.GetValue(learningRate),
            result.GetValue(validationFraction), result.GetValue(maxVocabulary), result.GetValue(minutes),
            Enum.Parse<SequencePooling>(result.GetValue(pooling)!, ignoreCase: true), result.GetValue(patience), result.GetValue(code),
            result.GetValue(wide)!, result.GetValue(maxTokens), result.GetValue(truncation) switch { "head" => SequenceEnd.End, "tail" => SequenceEnd.Start, _ => SequenceEnd.Middle },
            result.GetValue(folds), result.GetValue(validation), result.GetValue(pretrain))));
        return command;
    }

    private sealed record Arguments(string? Data, string? Valid, string? Model, string? Onnx, string? Plot, bool Json, int Rows, int Seed, int? Threads,
        Columns Columns, int? Epochs, int? Hidden, int? Embedding, int? Ensemble, int Batch, double LearningRate,
        double? ValidationFraction, int MaxVocabulary, double? Minutes, SequencePooling Pooling, int? Patience, string? Code,
        string Wide, int? MaxTokens, SequenceEnd Truncation, int? Folds, string? Validation, bool Pretrain);

    /// <summary>Where the text and the label are in the user's files, and how the files are delimited.</summary>
    private sealed record Columns(string Text, string Label, TextFileFormat Format);

    private static int Run(Arguments arguments)
    {
        string? dataPath = arguments.Data, validPath = arguments.Valid, plotPath = arguments.Plot, onnxZip = arguments.Onnx;
        int seed = arguments.Seed;
        bool json = arguments.Json, generated = dataPath is null;
        var mlContext = new MLContext(seed: seed);
        IDataView train, test;
        var layout = SentimentCode.Layout.Default;
        if (generated)
        {
            var rows = SentimentCorpus.Generate(arguments.Rows, seed);
            var all = mlContext.Data.LoadFromEnumerable(rows.Select(r => new SentimentModel.ModelInput { Text = r.Text, Label = r.Label }));
            if (arguments.Folds is { } generatedFolds)
                return CrossValidate(mlContext, all, arguments, generatedFolds, generated);
            var split = mlContext.Data.TrainTestSplit(all, testFraction: 0.2, seed: seed);
            (train, test) = (split.TrainSet, split.TestSet);
            Console.WriteLine($"Generated {rows.Count} order-sensitive sentences (80% train, 20% test).");
        }
        else
        {
            var (trainData, readRows, trainLayout) = Load(mlContext, dataPath!, arguments.Columns);
            layout = trainLayout;
            if (arguments.Folds is { } folds)
            {
                var all = new[] { validPath, arguments.Validation }.OfType<string>()
                    .Aggregate(trainData, (rows, path) => Concatenate(mlContext, rows, Load(mlContext, path, arguments.Columns).Data));
                return CrossValidate(mlContext, all, arguments with { Validation = null }, folds, generated);
            }
            if (validPath is not null)
            {
                (train, test) = (trainData, Load(mlContext, validPath, arguments.Columns).Data);
            }
            else
            {
                var split = mlContext.Data.TrainTestSplit(trainData, testFraction: 0.2, seed: seed);
                (train, test) = (split.TrainSet, split.TestSet);
            }
            Console.WriteLine($"Read {readRows} training rows from {dataPath}{(validPath is null ? " (20% held out for testing)" : $"; testing on {validPath}")}.");
        }

        IDataView? validation = arguments.Validation is { } validationPath ? Load(mlContext, validationPath, arguments.Columns).Data : null;
        var settings = ChooseSettings(arguments, train, generated, out string basis, out string wide, validation is not null);
        // On a machine shared with other busy processes one LibTorch thread can beat two (see docs/platform.md).
        SampleVerbs.SetTorchThreads(arguments.Threads);
        SentimentModel.ModelPath = Path.GetFullPath(arguments.Model ?? "sentiment-model.zip");
        Console.WriteLine(basis);

        var baselineClock = Stopwatch.StartNew();
        var baseline = SentimentModel.Train(SentimentModel.BuildBaselinePipeline(mlContext), train);
        var baselineMetrics = SentimentModel.Evaluate(mlContext, baseline, test);
        Console.WriteLine($"Baseline FeaturizeText + SdcaLogisticRegression: accuracy {baselineMetrics.Accuracy:F4}, AUC {baselineMetrics.AreaUnderRocCurve:F4} ({baselineClock.Elapsed.TotalSeconds:F1} s)");

        var clock = Stopwatch.StartNew();
        settings = WithPretraining(mlContext, settings, arguments.Pretrain, train);
        (var model, settings) = TrainChoosingWide(mlContext, settings, wide, train, validation, Console.WriteLine);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        var metrics = SentimentModel.Evaluate(mlContext, model, test);
        Console.WriteLine($"Recurrent ({Describe(settings)}): accuracy {metrics.Accuracy:F4}, AUC {metrics.AreaUnderRocCurve:F4}, F1 {metrics.F1Score:F4} ({trainSeconds:F1} s)");

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
            Console.WriteLine(Onnx.OnnxOutputs.Write(mlContext, model, train.Schema, Onnx.OnnxOutputs.OnnxPathFor(onnxZip), Onnx.OnnxOutputs.DeploymentPathFor(onnxZip),
                sequenceLength: settings.MaxTokens > 0 ? settings.MaxTokens : 256));

        if (arguments.Code is { } codeFolder)
            Console.WriteLine(SentimentCode.Create(settings, layout).Write(codeFolder, SentimentModel.ModelPath));

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

    /// <summary>
    /// The settings for this data: generated sentences are short and their vocabulary tiny, so a small network learns
    /// them in seconds; real data gets the larger network measured on SST-2 (docs/benchmarks.md), a validation split,
    /// patience and epochs that follow the size of the training set, and, for long texts, a cut to the head and tail
    /// (docs/sentiment.md).
    /// </summary>
    private static SentimentModel.Settings ChooseSettings(Arguments arguments, IDataView train, bool generated, out string basis, out string wide, bool validationData = false)
    {
        var texts = train.GetColumn<string>("Text").ToList();
        int trainRows = texts.Count;
        double meanWords = texts.Average(t => (double)t.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length);
        var report = new SettingsReport();
        int epochs = report.Choose("epochs", arguments.Epochs, generated ? 6 : trainRows < 5_000 ? 15 : 8);
        int ensemble = report.Choose("ensemble", arguments.Ensemble, 1);
        var settings = new SentimentModel.Settings(
            Epochs: epochs,
            HiddenSize: report.Choose("hidden", arguments.Hidden, generated ? 64 : 128),
            EmbeddingSize: report.Choose("embedding", arguments.Embedding, generated ? 32 : 100),
            EnsembleSize: ensemble,
            BatchSize: arguments.Batch,
            LearningRate: arguments.LearningRate,
            ValidationFraction: validationData ? 0 : report.Choose("validation fraction", arguments.ValidationFraction, generated ? 0 : SentimentModel.ValidationFractionFor(trainRows)),
            MaximumVocabularySize: arguments.MaxVocabulary,
            MaxTrainingTime: arguments.Minutes is { } minutes ? TimeSpan.FromMinutes(minutes) : null,
            Progress: null,
            Pooling: arguments.Pooling,
            EarlyStoppingPatience: report.Choose("patience", arguments.Patience, SentimentModel.PatienceFor(trainRows)),
            MaxTokens: report.Choose("max tokens", arguments.MaxTokens, SentimentModel.MaxTokensFor(meanWords)),
            Truncation: arguments.Truncation);
        if (validationData)
            report.Note("validation", arguments.Validation!);
        report.Note("pooling", settings.Pooling);
        if (settings.MaxTokens > 0)
            report.Note("truncation", settings.Truncation switch { SequenceEnd.End => "keeps the head", SequenceEnd.Start => "keeps the tail", _ => "keeps head and tail" });
        wide = SentimentModel.WideModeFor(arguments.Wide, generated, meanWords);
        report.Note("wide", arguments.Wide != "auto" ? wide : wide == "choose" ? "chosen on validation (long texts)" : generated ? "off (generated data)" : "off (short texts)");
        basis = report.Line(generated ? "generated sentences (a small network)" : $"{trainRows} training rows of {meanWords:F0} words on average");
        return settings;
    }

    /// <summary>
    /// Trains the recurrent pipeline with the weighted n-grams as wide features ("on"), without ("off"), or both ("choose"),
    /// keeping the one whose best epoch scored higher on the validation data (<paramref name="validation"/>, else the
    /// validation split: the same rows for both, same seed).
    /// </summary>
    private static (ITransformer Model, SentimentModel.Settings Settings) TrainChoosingWide(MLContext mlContext, SentimentModel.Settings settings,
        string wide, IDataView train, IDataView? validation, Action<string> log)
    {
        (ITransformer, SentimentModel.Settings, double) Fit(bool withWide)
        {
            var progress = new TrainingProgressView(withWide ? "sentiment, wide and deep" : "sentiment", settings.Epochs, settings.EnsembleSize, "accuracy");
            var chosen = settings with { Wide = withWide, Progress = progress };
            var model = progress.Run(() => SentimentModel.Train(mlContext, chosen, train, validation));
            return (model, chosen, BestValidationAccuracy(model));
        }

        bool both = wide == "choose" && (settings.ValidationFraction > 0 || validation is not null);
        if (!both)
        {
            var (model, chosen, _) = Fit(wide == "on");
            return (model, chosen);
        }
        // Both variants validate on the same rows, held out before the wide features are fitted (SplitValidation).
        if (validation is null)
            (train, validation) = SentimentModel.SplitValidation(mlContext, train, settings.ValidationFraction);
        var (deep, deepSettings, deepAccuracy) = Fit(false);
        var (wideAndDeep, wideSettings, wideAccuracy) = Fit(true);
        bool useWide = wideAccuracy > deepAccuracy;
        log($"Wide features chosen on validation: accuracy {wideAccuracy:F4} with them, {deepAccuracy:F4} without; keeping the model {(useWide ? "with" : "without")} them.");
        return useWide ? (wideAndDeep, wideSettings) : (deep, deepSettings);
    }

    /// <summary>With <paramref name="pretrain"/>, the settings with a language model trained on the training texts (ULMFiT's first step).</summary>
    private static SentimentModel.Settings WithPretraining(MLContext mlContext, SentimentModel.Settings settings, bool pretrain, IDataView train)
    {
        if (!pretrain)
            return settings;
        var clock = Stopwatch.StartNew();
        var progress = new TrainingProgressView("language model on the training texts", SentimentModel.PretrainEpochs, 1, "perplexity");
        var languageModel = progress.Run(() => SentimentModel.Pretrain(mlContext, settings, train, progress));
        var story = ModelInspector.Stories(languageModel).Single();
        string perplexity = story.Metrics.TryGetValue("validation perplexity", out double value) ? $", validation perplexity {value:F1}" : "";
        Console.WriteLine($"Pretrained the language model ({settings.HiddenSize} units{perplexity}; {clock.Elapsed.TotalSeconds:F1} s).");
        return settings with { Pretrained = languageModel };
    }

    /// <summary>The validation accuracy of the weights kept (the best epoch, or the start), averaged over the networks of an ensemble.</summary>
    private static double BestValidationAccuracy(ITransformer model)
    {
        // NaN when nothing was validated (too few rows to hold any out): the comparison then keeps the model without.
        var accuracies = ModelInspector.Stories(model).Single().Metrics.Where(m => m.Key.StartsWith("validation accuracy", StringComparison.Ordinal)).ToList();
        return accuracies.Count == 0 ? double.NaN : accuracies.Average(m => m.Value);
    }

    private static string Describe(SentimentModel.Settings settings)
        => $"{(settings.Pretrained is null ? "bidirectional" : "pretrained")} LSTM {settings.HiddenSize}, {settings.Pooling} pooling{(settings.Wide ? ", naive Bayes-weighted n-grams as wide features" : "")}" +
           $"{(settings.MaxTokens > 0 ? $", {settings.MaxTokens} tokens" : "")}, ensemble of {settings.EnsembleSize}";

    /// <summary>
    /// K-fold cross-validation of both models over <paramref name="data"/>: each fold trains the bag-of-words baseline
    /// and the recurrent model (settings chosen as for a single run, on the fold's training part) on the same rows and
    /// tests them on the same held-out fold.
    /// </summary>
    private static int CrossValidate(MLContext mlContext, IDataView data, Arguments arguments, int folds, bool generated)
    {
        SampleVerbs.SetTorchThreads(arguments.Threads);
        var splits = mlContext.Data.CrossValidationSplit(data, folds, seed: arguments.Seed);
        var recurrent = new List<double>();
        var baseline = new List<double>();
        var clock = Stopwatch.StartNew();
        for (int fold = 0; fold < splits.Count; fold++)
        {
            var (train, test) = (splits[fold].TrainSet, splits[fold].TestSet);
            var settings = ChooseSettings(arguments, train, generated, out string basis, out string wide);
            Console.WriteLine($"Fold {fold + 1}/{folds}. {basis}");
            baseline.Add(SentimentModel.Evaluate(mlContext, SentimentModel.Train(SentimentModel.BuildBaselinePipeline(mlContext), train), test).Accuracy);
            settings = WithPretraining(mlContext, settings, arguments.Pretrain, train);
            (var model, settings) = TrainChoosingWide(mlContext, settings, wide, train, null, Console.WriteLine);
            recurrent.Add(SentimentModel.Evaluate(mlContext, model, test).Accuracy);
            Console.WriteLine($"Fold {fold + 1}: recurrent ({Describe(settings)}) accuracy {recurrent[^1]:F4}, bag of words {baseline[^1]:F4}.");
        }
        double Std(List<double> values) => Math.Sqrt(values.Sum(v => (v - values.Average()) * (v - values.Average())) / Math.Max(values.Count - 1, 1));
        Console.WriteLine($"{folds}-fold cross-validation: recurrent {recurrent.Average():F4} (sd {Std(recurrent):F4}), bag of words {baseline.Average():F4} (sd {Std(baseline):F4}); {clock.Elapsed.TotalSeconds:F0} s.");
        if (arguments.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["task"] = "sentiment",
                ["folds"] = folds,
                ["accuracy"] = Math.Round(recurrent.Average(), 4),
                ["baselineAccuracy"] = Math.Round(baseline.Average(), 4),
                ["foldAccuracies"] = recurrent.Select(a => Math.Round(a, 4)).ToArray(),
                ["foldBaselineAccuracies"] = baseline.Select(a => Math.Round(a, 4)).ToArray(),
                ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
            }));
        }
        return 0;
    }

    /// <summary>The rows of <paramref name="first"/> then <paramref name="second"/> (same Text and Label columns).</summary>
    private static IDataView Concatenate(MLContext mlContext, IDataView first, IDataView second)
        => mlContext.Data.LoadFromEnumerable(mlContext.Data.CreateEnumerable<SentimentModel.ModelInput>(first, reuseRowObject: false)
            .Concat(mlContext.Data.CreateEnumerable<SentimentModel.ModelInput>(second, reuseRowObject: false)).ToList());

    /// <summary>
    /// The file through ML.NET's TextLoader with the Text and Label columns the pipeline reads, every row checked
    /// (a label TextLoader cannot read as a Boolean fails here with the file, line and column).
    /// </summary>
    private static (IDataView Data, int Rows, SentimentCode.Layout Layout) Load(MLContext mlContext, string path, Columns columns)
    {
        if (Directory.Exists(path))
        {
            // As Keras numbers a folder's classes: in ordinal order of their names, so the last one (pos after neg) is 1.
            string positive = Directory.GetDirectories(path).Select(Path.GetFileName).Order(StringComparer.Ordinal).LastOrDefault()
                ?? throw new InvalidDataException($"The text folder '{path}' has no class subfolder.");
            var documents = mlContext.Data.LoadFromTextFolder(path, positiveClass: positive!);
            var texts = mlContext.Transforms.DropColumns("Source").Fit(documents).Transform(documents);
            return (texts, (int)(texts.GetRowCount() ?? texts.GetColumn<bool>("Label").LongCount()), SentimentCode.Layout.Folder(positive!));
        }
        var file = DelimitedFile.Open(mlContext, path, columns.Format, fallbackSeparator: '\t');
        var layout = new SentimentCode.Layout(file.Separator, file.HasHeader, file.Multiline, file.IndexOf(columns.Text, "--text-column"),
            file.IndexOf(columns.Label, "--label-column"));
        var data = file.Load(mlContext,
            new TextLoader.Column(nameof(SentimentModel.ModelInput.Text), DataKind.String, layout.TextColumn),
            new TextLoader.Column(nameof(SentimentModel.ModelInput.Label), DataKind.Boolean, layout.LabelColumn));
        int rows = file.Read<SentimentModel.ModelInput>(mlContext, data).Count;
        if (rows == 0)
            throw new InvalidDataException($"{path} holds no labelled rows.");
        return (data, rows, layout);
    }
}
