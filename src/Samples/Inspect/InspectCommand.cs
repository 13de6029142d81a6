using System.CommandLine;
using System.Globalization;
using Microsoft.ML.Recurrent.Inspection;
using Samples.Common;
using Microsoft.ML.Recurrent.Training;
using Spectre.Console;

namespace Samples.Inspect;

/// <summary>
/// <c>inspect --model PATH [--json]</c>: prints the story of every recurrent component saved in a model .zip (task,
/// settings, per-epoch history, metrics, training-data fingerprint, versions). Reads the .zip without loading any
/// network, so it is quick and works for models of every task.
/// </summary>
public static class InspectCommand
{
    /// <summary>Histories longer than this show their first and last epochs only: the middle adds little to a terminal.</summary>
    private const int MaxHistoryRows = 40;

    public static Command Create()
    {
        var model = VerbOptions.ExistingFile("--model", "The model .zip to inspect.", required: true);
        var json = new Option<bool>("--json") { Description = "Print the stories as a JSON array of ModelStory objects." };
        var command = new Command("inspect", "Print how a saved model was trained: settings, history, metrics, data fingerprint, versions.") { model, json };
        command.SetAction(result => Run(result.GetRequiredValue(model)!.FullName, result.GetValue(json)));
        return command;
    }

    public static int Run(string modelPath, bool json)
    {
        var stories = ModelInspector.ReadStories(modelPath);
        if (json)
        {
            // Always an array, so that a reader need not care how many recurrent components the pipeline has.
            Console.WriteLine(stories.Count == 0 ? "[]" : "[\n" + string.Join(",\n", stories.Select(s => s.ToJson())) + "\n]");
            return stories.Count == 0 ? 1 : 0;
        }
        if (stories.Count == 0)
        {
            Console.Error.WriteLine($"{modelPath} holds no recurrent component with a saved story (trained before stories existed, or not a model of this library).");
            return 1;
        }
        for (int i = 0; i < stories.Count; i++)
            Print(stories[i], i + 1, stories.Count, modelPath);
        return 0;
    }

    private static void Print(ModelStory story, int index, int count, string modelPath)
    {
        var console = AnsiConsole.Console;
        string position = count > 1 ? $" (component {index} of {count})" : "";
        console.Write(new Rule(Markup.Escape($"{Path.GetFileName(modelPath)}: {story.Task}, {story.Component}{position}")) { Justification = Justify.Left });
        Console.WriteLine($"Task: {story.Task}");
        Console.WriteLine($"Trained on {story.TrainingRows.ToString(CultureInfo.InvariantCulture)} rows, seed {story.Seed}, finished {story.CreatedUtc:yyyy-MM-dd HH:mm:ss} UTC");
        Console.WriteLine($"Training data fingerprint (SHA-256): {story.TrainingDataFingerprint}");
        Console.WriteLine($"Versions: Microsoft.ML.Recurrent {story.LibraryVersion}, TorchSharp {story.TorchSharpVersion}, LibTorch {story.LibTorchVersion}");

        var settings = new Table { Title = new TableTitle("Settings") }.AddColumns("setting", "value");
        foreach (var (name, value) in story.Hyperparameters.OrderBy(p => p.Key, StringComparer.Ordinal))
            settings.AddRow(Markup.Escape(name), Markup.Escape(value));
        console.Write(settings);

        console.Write(HistoryTable(story));

        var metrics = new Table { Title = new TableTitle("Metrics") }.AddColumns("metric", "value");
        foreach (var (name, value) in story.Metrics)
            metrics.AddRow(Markup.Escape(name), F(value));
        console.Write(metrics);
    }

    private static Table HistoryTable(ModelStory story)
    {
        string metric = story.MonitoredValue is "" or "validation loss" or "training loss" ? "metric" : story.MonitoredValue;
        var table = new Table { Title = new TableTitle($"History (monitored: {Markup.Escape(story.MonitoredValue)})") };
        bool ensemble = story.History.Count > 1;
        if (ensemble)
            table.AddColumn("network");
        table.AddColumns("epoch", "training loss", "validation loss", Markup.Escape($"validation {metric}"), "learning rate", "seconds");
        for (int n = 0; n < story.History.Count; n++)
        {
            var epochs = story.History[n];
            for (int i = 0; i < epochs.Count; i++)
            {
                if (epochs.Count > MaxHistoryRows && i == MaxHistoryRows / 2)
                    AddRow(table, ensemble, n, null);
                if (epochs.Count > MaxHistoryRows && i >= MaxHistoryRows / 2 && i < epochs.Count - MaxHistoryRows / 2)
                    continue;
                AddRow(table, ensemble, n, epochs[i]);
            }
        }
        return table;
    }

    private static void AddRow(Table table, bool ensemble, int network, EpochSummary? epoch)
    {
        var cells = new List<string>();
        if (ensemble)
            cells.Add((network + 1).ToString(CultureInfo.InvariantCulture));
        if (epoch is null)
        {
            cells.AddRange(["…", "…", "…", "…", "…", "…"]);
        }
        else
        {
            cells.AddRange([epoch.Epoch.ToString(CultureInfo.InvariantCulture), F(epoch.TrainingLoss), Optional(epoch.ValidationLoss),
                Optional(epoch.ValidationMetric), epoch.LearningRate.ToString("G4", CultureInfo.InvariantCulture), epoch.Seconds.ToString("F1", CultureInfo.InvariantCulture)]);
        }
        table.AddRow(cells.ToArray());
    }

    private static string Optional(double? value) => value is { } v ? F(v) : "-";

    private static string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
