using System.Globalization;
using Microsoft.ML.Recurrent.Training;
using Spectre.Console;

namespace Samples.Common;

/// <summary>
/// Shows training progress: a live Spectre.Console bar (network, epoch, batch/batch count, loss, last validation
/// figure, elapsed and remaining time) when standard output is a terminal, and plain per-epoch log lines when it is
/// redirected, so that logs and the commands' --json last line stay clean. Reports arrive on the training thread.
/// </summary>
/// <remarks>Pass it as <c>TrainingOptions.Progress</c> and run the training inside <see cref="Run{T}"/>.</remarks>
public sealed class TrainingProgressView : IProgress<TrainingProgress>
{
    private readonly string _title;
    private readonly int _epochs;
    private readonly int _networks;
    private readonly string _metricName;
    private readonly int _plainEvery;
    private readonly List<List<EpochSummary>> _history = [];
    private int _lastEpoch = int.MaxValue;
    private ProgressTask? _task;

    /// <param name="title">What is being trained, e.g. "sentiment".</param>
    /// <param name="epochs">The epoch limit (training may stop earlier).</param>
    /// <param name="networks">Networks trained one after another (ensemble size).</param>
    /// <param name="metricName">Name of <see cref="EpochSummary.ValidationMetric"/>, e.g. "accuracy".</param>
    /// <param name="interactive">Overrides the terminal detection (null: detect).</param>
    public TrainingProgressView(string title, int epochs, int networks = 1, string metricName = "metric", bool? interactive = null)
    {
        _title = title;
        _epochs = Math.Max(epochs, 1);
        _networks = Math.Max(networks, 1);
        _metricName = metricName;
        Interactive = interactive ?? (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive);
        // Long runs (forecasting trains 150 short epochs per network) would flood a log: about 20 lines per network.
        _plainEvery = Math.Max(1, (int)Math.Ceiling(_epochs / 20.0));
    }

    /// <summary>True when progress is drawn live; false when it is written as plain lines.</summary>
    public bool Interactive { get; }

    /// <summary>Per-epoch summaries reported so far, one list per network.</summary>
    public IReadOnlyList<IReadOnlyList<EpochSummary>> History => _history;

    /// <summary>Runs <paramref name="train"/> with the live display around it (or just runs it, when not interactive).</summary>
    public T Run<T>(Func<T> train)
    {
        if (!Interactive)
        {
            Console.WriteLine($"Training {_title}: up to {_epochs} epochs{(_networks > 1 ? $" × {_networks} networks" : "")}.");
            return train();
        }
        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                _task = context.AddTask(Markup.Escape($"{_title}: starting"), maxValue: 1);
                try
                {
                    var result = train();
                    _task.Value = _task.MaxValue;
                    return result;
                }
                finally
                {
                    _task = null;
                }
            });
    }

    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        // Epoch numbers restart at 1 for each network of an ensemble.
        if (value.Epoch < _lastEpoch || _history.Count == 0)
        {
            _history.Add([]);
            if (!Interactive && _networks > 1)
                Console.WriteLine($"  network {_history.Count} of {_networks}");
        }
        _lastEpoch = value.Epoch;
        if (value.CompletedEpoch is { } epoch)
            _history[^1].Add(epoch);

        if (_task is { } task)
        {
            int batches = Math.Max(value.BatchCount, 1);
            task.MaxValue = (double)_networks * _epochs * batches;
            task.Value = ((double)(_history.Count - 1) * _epochs + value.Epoch - 1) * batches + value.Batch;
            task.Description = Markup.Escape(Describe(value));
        }
        else if (value.CompletedEpoch is { } completed && (completed.Epoch % _plainEvery == 0 || completed.Epoch == _epochs))
        {
            Console.WriteLine($"  epoch {completed.Epoch}/{_epochs}: {Summarize(completed)} ({completed.Seconds.ToString("F1", CultureInfo.InvariantCulture)} s)");
        }
    }

    private string Describe(TrainingProgress value)
    {
        string network = _networks > 1 ? $" network {_history.Count}/{_networks}" : "";
        string last = _history[^1].LastOrDefault() is { ValidationMetric: { } metric } ? $", last validation {_metricName} {F(metric)}"
            : _history[^1].LastOrDefault() is { ValidationLoss: { } loss } ? $", last validation loss {F(loss)}" : "";
        return $"{_title}{network} epoch {value.Epoch}/{_epochs} batch {value.Batch}/{value.BatchCount} loss {F(value.Loss)}{last}";
    }

    private string Summarize(EpochSummary epoch)
    {
        string text = $"training loss {F(epoch.TrainingLoss)}";
        if (epoch.ValidationLoss is { } loss)
            text += $", validation loss {F(loss)}";
        if (epoch.ValidationMetric is { } metric)
            text += $", validation {_metricName} {F(metric)}";
        return text;
    }

    private static string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
