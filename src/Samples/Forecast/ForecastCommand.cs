using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Samples.Common;

namespace Samples.Forecast;

/// <summary>
/// <c>forecast</c>: trains a recurrent forecaster on a series (a CSV column, or a generated monthly series), backtests
/// it with a rolling origin over the held-out end against the seasonal-naive forecast, and forecasts past the data.
/// </summary>
public static class ForecastCommand
{
    /// <summary>The options, for the verb's --help.</summary>
    public const string Usage =
        "Trains a recurrent forecaster (a generated monthly series without --data), backtests it against seasonal naive and forecasts ahead.\n" +
        "usage: forecast [--data PATH.csv] [--value-column NAME] [--date-column NAME] [--horizon H] [--season S] [--holdout N]\n" +
        "                [--model PATH.zip] [--onnx PATH.zip] [--plot PATH.png] [--json] [--lookback L] [--hidden N] [--ensemble N] [--seed N] [--epochs N] [--threads N] [--verbose]";

    /// <summary>Runs the command; returns the process exit code (0 success, 2 bad arguments).</summary>
    /// <param name="args">Command-line arguments after the command name.</param>
    public static int Run(string[] args)
    {
        Dictionary<string, string?> options;
        int horizon, season, holdout, lookback;
        try
        {
            options = Parse(args);
            horizon = Int(options, "horizon", 12);
            season = Int(options, "season", 12);
            holdout = Int(options, "holdout", 24);
            lookback = Int(options, "lookback", Math.Max(2 * season, horizon));
            foreach (string name in new[] { "hidden", "ensemble", "seed", "epochs", "threads" })
                Int(options, name, 1);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage[(Usage.IndexOf('\n') + 1)..]);
            return 2;
        }
        bool json = options.ContainsKey("json");

        var (dates, values) = options.TryGetValue("data", out var data) && data is not null
            ? SeriesCsv.Read(data, options.GetValueOrDefault("value-column") ?? "Value", options.GetValueOrDefault("date-column"))
            : SyntheticSeries.Generate();
        string source = data ?? "generated monthly series (trend × seasonality × noise)";
        if (values.Length < holdout + lookback + horizon)
        {
            Console.Error.WriteLine($"{source} has {values.Length} points; hold-out {holdout} + lookback {lookback} + horizon {horizon} need more.");
            return 2;
        }

        var ml = new MLContext(seed: 1);
        // The networks are tiny, so intra-op parallelism buys nothing; on a busy machine two or more LibTorch
        // threads wait on each other at every small op (measured: 0.1 s instead of 1-6 s per epoch with one thread).
        Microsoft.ML.Recurrent.Runtime.TorchRuntime.EnsureInitialized();
        TorchSharp.torch.set_num_threads(Int(options, "threads", 1));
        if (options.ContainsKey("verbose"))
            ml.Log += (_, e) => { if (e.Kind <= Microsoft.ML.Runtime.ChannelMessageKind.Info && e.Message.Contains("Epoch", StringComparison.Ordinal)) Console.Error.WriteLine(e.Message); };
        var all = ForecastModel.LoadSeries(ml, values, season);
        var settings = new ForecastModel.Settings(lookback, horizon, season, Int(options, "hidden", 32), Int(options, "ensemble", 3),
            Int(options, "seed", 1), Int(options, "epochs", 150), Progress: null);
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
        Console.WriteLine($"{"recurrent",-16}{m.Mae,10:F2}{m.Rmse,10:F2}{m.Smape,10:F2}{m.Mase,8:F3}{m.Coverage,10:P1}");
        Console.WriteLine($"{"seasonal naive",-16}{m.NaiveMae,10:F2}{m.NaiveRmse,10:F2}{m.NaiveSmape,10:F2}{m.NaiveMase,8:F3}{"-",10}");
        Console.WriteLine($"MASE {(1 - m.Mase / m.NaiveMase):P1} below seasonal naive; {m.ConfidenceLevel:P0} interval coverage {m.Coverage:P1}.");

        // Forecast past the end of the data with the engine: it holds the last lookback steps of the whole series.
        var engine = model.CreateForecastingEngine(all);
        var future = Enumerable.Range(values.Length, horizon).SelectMany(t => ForecastModel.KnownFuture(t, season)).ToArray();
        var ahead = engine.Predict(future);
        Console.WriteLine($"Next {horizon}: {string.Join(", ", ahead.Forecast.Select(v => v.ToString("F1", CultureInfo.InvariantCulture)))}");

        if (options.GetValueOrDefault("model") is { } modelPath)
        {
            ForecastModel.ModelPath = Path.GetFullPath(modelPath);
            ForecastModel.Save(ml, model, all);
            Console.WriteLine($"Saved the model to {modelPath} (input: the series, one row per step).");
        }
        if (options.GetValueOrDefault("onnx") is { } onnxZip)
            Console.WriteLine(Onnx.OnnxOutputs.Write(ml, model, all.Schema, Onnx.OnnxOutputs.OnnxPathFor(onnxZip), onnxZip));
        if (options.GetValueOrDefault("plot") is { } plotPath)
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
                task = "forecast", mae = m.Mae, rmse = m.Rmse, smape = m.Smape, mase = m.Mase, naiveMase = m.NaiveMase,
                coverage = m.Coverage, trainSeconds,
            }));
        }
        return 0;
    }

    private static Dictionary<string, string?> Parse(string[] args)
    {
        string[] valued = ["data", "value-column", "date-column", "horizon", "season", "holdout", "model", "onnx", "plot", "lookback", "hidden", "ensemble", "seed", "epochs", "threads"];
        var result = new Dictionary<string, string?>();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            if (name is "json" or "verbose")
                result[name] = null;
            else if (valued.Contains(name))
                result[name] = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"--{name} needs a value.");
            else
                throw new ArgumentException($"Unknown option --{name}.");
        }
        return result;
    }

    private static int Int(Dictionary<string, string?> options, string name, int fallback)
    {
        if (!options.TryGetValue(name, out var text) || text is null)
            return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= 1
            ? value : throw new ArgumentException($"--{name} must be a positive integer; got '{text}'.");
    }
}
