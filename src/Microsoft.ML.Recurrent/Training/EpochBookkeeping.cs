using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// What every training loop keeps from epoch to epoch, written once for <see cref="TrainingLoop"/> and the language
/// model's loop: the history, the best monitored value and (optionally) its weights, the early-stopping counter, the
/// decision to stop, and the round trip of all of it (plus weights, optimizer and dropout generator) through a
/// <see cref="TrainingCheckpoint"/>. Owns the best-weight snapshot.
/// </summary>
internal sealed class EpochBookkeeping(TrainingHistory history, LearningRateScheduler scheduler, bool keepBest) : IDisposable
{
    private Dictionary<string, Tensor>? _best;
    private double _bestValue = double.NaN;
    private int _epochsWithoutImprovement;

    public TrainingHistory History => history;

    /// <summary>
    /// Records an epoch's monitored value (lower is better): a new best resets the early-stopping counter and, when
    /// best weights are kept, snapshots the model; the scheduler sees the value either way.
    /// </summary>
    public void Record(EpochSummary summary, double monitored, nn.Module model)
    {
        history.Add(summary);
        if (!double.IsNaN(monitored) && (double.IsNaN(_bestValue) || monitored < _bestValue))
        {
            _bestValue = monitored;
            history.BestEpoch = summary.Epoch;
            _epochsWithoutImprovement = 0;
            if (keepBest)
                _best = Snapshot(model, _best);
        }
        else
        {
            _epochsWithoutImprovement++;
        }
        scheduler.ReportEpoch(monitored);
    }

    /// <summary>
    /// Records the untrained model's monitored value as "epoch 0": a candidate for the best weights that later epochs
    /// must beat (no history entry, no schedule step). For a model that starts from something worth keeping.
    /// </summary>
    public void RecordStart(EpochSummary start, double monitored, nn.Module model)
    {
        if (double.IsNaN(monitored))
            return;
        history.Start = start;
        _bestValue = monitored;
        history.BestEpoch = 0;
        if (keepBest)
            _best = Snapshot(model, _best);
    }

    /// <summary>
    /// Why training stops after <paramref name="epoch"/>: null to go on, "" at the last epoch, otherwise the line to
    /// log (early stopping or the time limit, which are also marked in the history).
    /// </summary>
    public string? StopReason(int epoch, TrainingOptions options, bool outOfTime, TimeSpan elapsed)
    {
        if (epoch == options.Epochs)
            return "";
        if (options.EarlyStoppingPatience > 0 && _epochsWithoutImprovement >= options.EarlyStoppingPatience)
        {
            history.StoppedEarly = true;
            return $"Early stopping after epoch {epoch}: {history.MonitoredValue} has not improved for {_epochsWithoutImprovement} epochs (best at epoch {history.BestEpoch}).";
        }
        if (outOfTime)
        {
            history.StoppedByTimeLimit = true;
            return $"Stopping after epoch {epoch}: the time limit of {options.MaxTrainingTime} was reached ({elapsed:g} elapsed).";
        }
        return null;
    }

    /// <summary>The checkpoint of the state after <paramref name="epoch"/>, with a loop's own state in <paramref name="taskState"/>.</summary>
    public TrainingCheckpoint Capture(int epoch, string dataFingerprint, string optionsFingerprint, nn.Module model, optim.Optimizer optimizer,
        TrainingRandom.Run random, byte[]? taskState = null) => new()
        {
            DataFingerprint = dataFingerprint,
            OptionsFingerprint = optionsFingerprint,
            Epoch = epoch,
            BestValue = _bestValue,
            BestEpoch = history.BestEpoch,
            EpochsWithoutImprovement = _epochsWithoutImprovement,
            StoppedEarly = history.StoppedEarly,
            Scheduler = scheduler.State,
            History = history.Epochs,
            Weights = TrainingCheckpoint.SerializeWeights(model),
            OptimizerState = TrainingCheckpoint.SerializeOptimizer(optimizer),
            RandomState = TrainingCheckpoint.SerializeRandomState(random),
            BestWeights = _best is null ? null : TrainingCheckpoint.SerializeTensors(_best.Select(p => (p.Key, p.Value))),
            TaskState = taskState,
        };

    /// <summary>
    /// Continues from <paramref name="checkpoint"/>: weights, optimizer, dropout generator, schedule, history, best
    /// value and weights, counter. Returns the first epoch to run: early stopping is final, while a run that reached
    /// Epochs or the time limit may be extended.
    /// </summary>
    public int Resume(TrainingCheckpoint checkpoint, string path, nn.Module model, optim.Optimizer optimizer, TrainingRandom.Run random)
    {
        ModuleWeights.Load(model, checkpoint.Weights, path);
        checkpoint.RestoreOptimizer(optimizer);
        checkpoint.RestoreRandomState(random);
        scheduler.State = checkpoint.Scheduler;
        foreach (var summary in checkpoint.History)
            history.Add(summary);
        history.BestEpoch = checkpoint.BestEpoch;
        history.StoppedEarly = checkpoint.StoppedEarly;
        _bestValue = checkpoint.BestValue;
        _epochsWithoutImprovement = checkpoint.EpochsWithoutImprovement;
        if (keepBest && checkpoint.BestWeights is not null)
            _best = TrainingCheckpoint.DeserializeTensors(checkpoint.BestWeights);
        return checkpoint.StoppedEarly ? int.MaxValue : checkpoint.Epoch + 1;
    }

    /// <summary>Puts the best epoch's weights back into <paramref name="model"/> when they were kept; logs when that changes the model.</summary>
    public void RestoreBest(nn.Module model, Action<string>? log)
    {
        if (_best is null)
            return;
        Restore(model, _best);
        history.RestoredBestWeights = true;
        if (history.BestEpoch == 0)
            log?.Invoke($"Restored the starting weights: no epoch improved on them by {history.MonitoredValue}.");
        else if (history.BestEpoch != history.Epochs.Count)
            log?.Invoke($"Restored the weights of epoch {history.BestEpoch}, the best by {history.MonitoredValue}.");
    }

    /// <summary>A copy of every weight of <paramref name="model"/>, replacing (and disposing) <paramref name="previous"/>.</summary>
    internal static Dictionary<string, Tensor> Snapshot(nn.Module model, Dictionary<string, Tensor>? previous)
    {
        if (previous is not null)
        {
            foreach (var tensor in previous.Values)
                tensor.Dispose();
        }
        var snapshot = new Dictionary<string, Tensor>();
        using (no_grad())
        {
            foreach (var (name, tensor) in model.state_dict())
                snapshot[name] = tensor.clone().DetachFromDisposeScope();
        }
        return snapshot;
    }

    /// <summary>Copies a <see cref="Snapshot"/> back into <paramref name="model"/>.</summary>
    internal static void Restore(nn.Module model, Dictionary<string, Tensor> snapshot)
    {
        // The scope only collects wrappers that copy_ may return; the model's own tensors were created outside it.
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            foreach (var (name, tensor) in model.state_dict())
                tensor.copy_(snapshot[name]);
        }
    }

    public void Dispose()
    {
        if (_best is null)
            return;
        foreach (var tensor in _best.Values)
            tensor.Dispose();
        _best = null;
    }
}
