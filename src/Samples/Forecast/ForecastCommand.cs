using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Samples.Common;

namespace Samples.Forecast;

/// <summary>
/// <c>forecast</c>: trains a recurrent forecaster on a series (a CSV column, or a generated monthly series), backtests
/// it with a rolling origin over the held-out end against the seasonal-naive and last-value naive forecasts, and forecasts past the data.
/// </summary>
public static class ForecastCommand
{
    private sealed record Arguments(string? Data, string ValueColumn, string? DateColumn, TextFileFormat Format, int Horizon, int Season, int Holdout, int? Lookback,
        string? Model, string? Onnx, string? Plot, bool Json, int Hidden, int Ensemble, int Seed, int Epochs, int? Threads, bool Verbose, string? Code);

    /// <summary>The verb with its options.</summary>
    public static Command Create()
    {
        var data = VerbOptions.ExistingFile("--data", "Delimited text (CSV by default; quoted fields allowed) with a header line, one time step per row, in time order. Without it: a generated monthly series (trend × seasonality × noise).");
        var valueColumn = VerbOptions.Text("--value-column", "Header name or 0-based position of the column to forecast.", "Value", "NAME");
        var dateColumn = VerbOptions.Text("--date-column", "Header name or 0-based position of a date column (only printed). Default: the row numbers.", helpName: "NAME");
        var layout = new TextFileOptions(fallbackSeparator: ',');
        var horizon = VerbOptions.Integer("--horizon", "Steps forecast at once.", 12);
        var season = VerbOptions.Integer("--season", "Season length in steps (12 for monthly data); 1 for none.", 12);
        var holdout = VerbOptions.Integer("--holdout", "Steps at the end held out for the rolling-origin backtest.", 24);
        var lookback = VerbOptions.OptionalInteger("--lookback", "Steps the network reads (default: the larger of 2 × season and horizon).");
        var model = VerbOptions.OutputPath("--model", "Where to save the trained model .zip (input: the Window column).", helpName: "PATH.zip");
        var onnx = VerbOptions.OutputPath("--onnx", "Also write the ONNX model and its deployment pipeline (PATH.zip, with PATH.onnx beside it; given PATH.onnx, the pipeline goes to PATH.zip).", helpName: "PATH.zip");
        var plot = VerbOptions.OutputPath("--plot", "Draw the series, the last backtest forecast and the forecast ahead to this PNG.", helpName: "PATH.png");
        var json = VerbOptions.Flag("--json", "Print one JSON object as the last line: task, mae, rmse, smape, mase, naiveMase (seasonal naive), lastValueNaiveMase, bestNaive, bestNaiveMae, bestNaiveMase, coverage, trainSeconds.");
        var hidden = VerbOptions.Integer("--hidden", "LSTM units.", 32);
        var ensemble = VerbOptions.Integer("--ensemble", "Networks trained with different seeds whose forecasts are combined.", 3);
        var seed = VerbOptions.Integer("--seed", "Seed of the first network.", 1, minimum: 0);
        var epochs = VerbOptions.Integer("--epochs", "Passes over the training windows (early stopping usually ends sooner).", 150);
        // The networks are tiny, so intra-op parallelism buys nothing; on a busy machine two or more LibTorch
        // threads wait on each other at every small op (measured: 0.1 s instead of 1-6 s per epoch with one thread).
        var threads = VerbOptions.OptionalInteger("--threads", SampleVerbs.ThreadsDescription("default 1, which suits the small networks"));
        threads.DefaultValueFactory = _ => 1;
        var verbose = VerbOptions.Flag("--verbose", "Print the trainer's per-epoch log lines to standard error.");
        var code = GeneratedProject.CodeOption();
        var command = new Command("forecast", "Train a recurrent forecaster, backtest it against seasonal naive and forecast ahead.")
        {
            data, valueColumn, dateColumn, horizon, season, holdout, lookback, model, onnx, plot, json, hidden, ensemble, seed, epochs, threads, verbose, code,
        };
        layout.AddTo(command);
        command.SetAction(result => Run(new Arguments(result.GetValue(data)?.FullName, result.GetValue(valueColumn)!, result.GetValue(dateColumn),
            layout.Read(result),
            result.GetValue(horizon), result.GetValue(season), result.GetValue(holdout), result.GetValue(lookback), result.GetValue(model),
            result.GetValue(onnx), result.GetValue(plot), result.GetValue(json), result.GetValue(hidden), result.GetValue(ensemble),
            result.GetValue(seed), result.GetValue(epochs), result.GetValue(threads), result.GetValue(verbose), result.GetValue(code))));
        return command;
    }

    private static int Run(Arguments arguments)
    {
        int horizon = arguments.Horizon, season = arguments.Season, holdout = arguments.Holdout;
        // The rule: the network reads two seasons (or the horizon, if longer), enough to see the seasonal shape twice.
        var report = new SettingsReport();
        int lookback = report.Choose("lookback", arguments.Lookback, Math.Max(2 * season, horizon));
        report.Note("horizon", horizon);
        report.Note("season", season);
        report.Note("hidden", arguments.Hidden);
        report.Note("ensemble", arguments.Ensemble);
        bool json = arguments.Json;
        string? data = arguments.Data;
        var ml = new MLContext(seed: 1);
        var (dates, values, layout) = data is not null ? ReadSeries(ml, data, arguments) : Generated();
        string source = data ?? "generated monthly series (trend × seasonality × noise)";
        if (values.Length < holdout + lookback + horizon)
            throw new ArgumentException($"{source} has {values.Length} points; hold-out {holdout} + lookback {lookback} + horizon {horizon} need more.");
        Console.WriteLine(report.Line($"{values.Length} points, season {season}"));

        SampleVerbs.SetTorchThreads(arguments.Threads);
        if (arguments.Verbose)
            ml.Log += (_, e) => { if (e.Kind <= Microsoft.ML.Runtime.ChannelMessageKind.Info && e.Message.Contains("Epoch", StringComparison.Ordinal)) Console.Error.WriteLine(e.Message); };
        var all = ForecastModel.LoadSeries(ml, values, season);
        var settings = new ForecastModel.Settings(lookback, horizon, season, arguments.Hidden, arguments.Ensemble,
            arguments.Seed, arguments.Epochs, Progress: null);
        var progress = new TrainingProgressView("forecaster", settings.Epochs, settings.EnsembleSize, "loss");
        var trainer = ForecastModel.BuildTrainer(ml, settings with { Progress = progress }, positiveSeries: values.All(v => v > 0));

        var clock = Stopwatch.StartNew();
        var model = progress.Run(() => ForecastModel.Train(ml, trainer, all, values.Length - holdout));
        double trainSeconds = clock.Elapsed.TotalSeconds;
        var backtest = ForecastModel.Evaluate(model, all, holdout, season);
        var m = backtest.Metrics;

        Console.WriteLine($"Data: {source}, {values.Length} points ({dates[0]} .. {dates[^1]}); trained on the first {values.Length - holdout} " +
            $"in {trainSeconds:F1} s ({model.EnsembleSize} networks, lookback {lookback}, horizon {horizon}).");
        Console.WriteLine($"Rolling-origin backtest over the last {holdout} points: {m.Origins} origins × {m.Horizon} steps, season {season}.");
        Console.WriteLine($"{"",-16}{"MAE",10}{"RMSE",10}{"sMAPE %",10}{"MASE",8}{"coverage",10}");
        Console.WriteLine($"{"recurrent",-16}{m.Mae,10:F2}{m.Rmse,10:F2}{m.Smape,10:F2}{Mase(m.Mase),8}{m.Coverage,10:P1}");
        foreach (var naive in new[] { m.SeasonalNaive, m.LastValueNaive })
            Console.WriteLine($"{naive.Name,-16}{naive.Mae,10:F2}{naive.Rmse,10:F2}{naive.Smape,10:F2}{Mase(naive.Mase),8}{"-",10}");
        // The ratio of MAEs equals the ratio of MASEs (same scale) and stays defined when MASE is not.
        Console.WriteLine($"MASE {(1 - m.Mae / m.BestNaive.Mae):P1} below the better naive forecast ({m.BestNaive.Name}); " +
            $"{m.ConfidenceLevel:P0} interval coverage {m.Coverage:P1}.");

        // Forecast past the end of the data with the engine: it holds the last lookback steps of the whole series.
        var engine = model.CreateForecastingEngine(all);
        var future = Enumerable.Range(values.Length, horizon).SelectMany(t => ForecastModel.KnownFuture(t, season)).ToArray();
        var ahead = engine.Predict(future);
        Console.WriteLine($"Next {horizon}: {string.Join(", ", ahead.Forecast.Select(v => v.ToString("F1", CultureInfo.InvariantCulture)))}");

        var project = arguments.Code is null ? null : ForecastCode.Create(settings, values.All(v => v > 0), layout, values);
        if ((arguments.Model ?? project?.ModelPathIn(arguments.Code!)) is { } modelPath)
        {
            ForecastModel.ModelPath = Path.GetFullPath(modelPath);
            ForecastModel.Save(ml, model, all);
            Console.WriteLine($"Saved the model to {modelPath} (input: the series, one row per step).");
            if (project is not null)
                Console.WriteLine(project.Write(arguments.Code!, ForecastModel.ModelPath));
        }
        if (arguments.Onnx is { } onnxZip)
            Console.WriteLine(Onnx.OnnxOutputs.Write(ml, model, all.Schema, Onnx.OnnxOutputs.OnnxPathFor(onnxZip), Onnx.OnnxOutputs.DeploymentPathFor(onnxZip)));
        if (arguments.Plot is { } plotPath)
        {
            var last = backtest.Forecasts[^1];
            ForecastPlot.Save(plotPath, $"{Path.GetFileName(source)}: recurrent forecast, {m.ConfidenceLevel:P0} interval", values,
            [
                new(backtest.Origins[^1], last.Forecast, last.LowerBound, last.UpperBound, "backtest"),
                new(values.Length, ahead.Forecast, ahead.LowerBound, ahead.UpperBound, "forecast"),
            ]);
            Console.WriteLine($"Plotted to {plotPath}.");
        }
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                // naiveMase keeps its meaning (seasonal naive) for existing scripts; the better naive forecast is beside it.
                task = "forecast", mae = m.Mae, rmse = m.Rmse, smape = m.Smape, mase = m.Mase, naiveMase = m.SeasonalNaive.Mase,
                lastValueNaiveMase = m.LastValueNaive.Mase, bestNaive = m.BestNaive.Name, bestNaiveMae = m.BestNaive.Mae, bestNaiveMase = m.BestNaive.Mase,
                coverage = m.Coverage, trainSeconds,
            }));
        }
        return 0;
    }

    // Undefined (null) when the training part has no naive error: a constant series.
    private static string Mase(double? value) => value?.ToString("F3", CultureInfo.InvariantCulture) ?? "n/a";

    /// <summary>The value column (and the date column, if named) through ML.NET's TextLoader; every value must be a finite number.</summary>
    private static (string[] Dates, float[] Values, ForecastCode.Layout Layout) ReadSeries(MLContext ml, string path, Arguments arguments)
    {
        var file = DelimitedFile.Open(ml, path, arguments.Format, fallbackSeparator: ',');
        var layout = new ForecastCode.Layout(file.Separator, file.HasHeader, file.IndexOf(arguments.ValueColumn, "--value-column"));
        var columns = new List<TextLoader.Column> { new("Value", DataKind.Single, layout.ValueColumn) };
        if (arguments.DateColumn is { } dateColumn)
            columns.Add(new TextLoader.Column("Date", DataKind.String, file.IndexOf(dateColumn, "--date-column")));
        var series = file.Load(ml, [.. columns]);
        float[] values = series.GetColumn<float>("Value").ToArray();
        // TextLoader reads an empty or non-numeric field as NaN (MissingRealsAsNaNs).
        int bad = Array.FindIndex(values, v => !float.IsFinite(v));
        if (bad >= 0)
            throw new InvalidDataException($"{path}: data row {bad + 1}, column '{arguments.ValueColumn}': not a finite number (empty or not numeric).");
        string[] dates = arguments.DateColumn is null
            ? Enumerable.Range(0, values.Length).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray()
            : series.GetColumn<string>("Date").ToArray();
        return (dates, values, layout);
    }

    private static (string[] Dates, float[] Values, ForecastCode.Layout Layout) Generated()
    {
        var (dates, values) = SyntheticSeries.Generate();
        return (dates, values, ForecastCode.Layout.Default);
    }
}
