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
    private readonly System.Diagnostics.Stopwatch _clock = new();
    private readonly System.Diagnostics.Stopwatch _sinceRefresh = System.Diagnostics.Stopwatch.StartNew();
    private LiveDisplayContext? _live;
    private TrainingProgress? _last;

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
        _clock.Restart();
        return AnsiConsole.Live(Render(null)).AutoClear(false).Start(context =>
        {
            _live = context;
            try
            {
                var result = train();
                context.UpdateTarget(Render(_last, finished: true));
                context.Refresh();
                return result;
            }
            finally
            {
                _live = null;
            }
        });
    }

    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        // Epoch numbers restart at 1 for each network of an ensemble: a report for an epoch that has already
        // completed starts the next network.
        if (_history.Count == 0 || _history[^1].Count > 0 && value.Epoch <= _history[^1][^1].Epoch)
        {
            _history.Add([]);
            if (!Interactive && _networks > 1)
                Console.WriteLine($"  network {_history.Count} of {_networks}");
        }
        if (value.CompletedEpoch is { } epoch)
            _history[^1].Add(epoch);

        _last = value;
        if (_live is { } live)
        {
            // Reports can come every few milliseconds; redrawing ten times a second is plenty.
            if (_sinceRefresh.ElapsedMilliseconds < 100 && value.CompletedEpoch is null)
                return;
            _sinceRefresh.Restart();
            live.UpdateTarget(Render(value));
            live.Refresh();
        }
        else if (value.CompletedEpoch is { } completed && (completed.Epoch % _plainEvery == 0 || completed.Epoch == _epochs))
        {
            Console.WriteLine($"  epoch {completed.Epoch}/{_epochs}: {Summarize(completed)} ({completed.Seconds.ToString("F1", CultureInfo.InvariantCulture)} s)");
        }
    }

    /// <summary>Two lines, so that it fits an 80-column terminal: the bar with times, then the figures.</summary>
    private Rows Render(TrainingProgress? value, bool finished = false)
    {
        const int BarWidth = 24;
        double fraction = finished ? 1 : value is null ? 0
            : Math.Clamp((((double)(_history.Count - 1) * _epochs + value.Epoch - 1) + (double)value.Batch / Math.Max(value.BatchCount, 1)) / (_networks * _epochs), 0, 1);
        int done = (int)Math.Round(fraction * BarWidth);
        var elapsed = _clock.Elapsed;
        // Assumes the remaining epochs run as fast as the finished ones; early stopping can only make it shorter.
        string left = finished ? "done" : fraction > 0 ? "~" + Time(TimeSpan.FromSeconds(elapsed.TotalSeconds * (1 - fraction) / fraction)) + " left" : "";
        string bar = $"[green]{new string('━', done)}[/][grey]{new string('━', BarWidth - done)}[/]";
        string head = $"[bold]{Markup.Escape(_title)}[/] {bar} {fraction.ToString("P0", CultureInfo.InvariantCulture),4} {Time(elapsed)} {left}";
        if (value is null)
            return new Rows(new Markup(head), new Markup("  starting"));
        string network = _networks > 1 ? $"network {_history.Count}/{_networks}  " : "";
        var lastEpoch = _history[^1].LastOrDefault();
        string validation = lastEpoch is { ValidationMetric: { } metric } ? $"  last validation {_metricName} {F(metric)}"
            : lastEpoch is { ValidationLoss: { } loss } ? $"  last validation loss {F(loss)}" : "";
        string figures = $"  {network}epoch {value.Epoch}/{_epochs}  batch {value.Batch}/{value.BatchCount}  loss {F(value.Loss)}{validation}";
        return new Rows(new Markup(head), new Markup(Markup.Escape(figures)));
    }

    private static string Time(TimeSpan time) => time.TotalHours >= 1 ? time.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : time.ToString(@"mm\:ss", CultureInfo.InvariantCulture);

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
