using System.Globalization;
using Microsoft.ML.Recurrent.Inspection;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Recurrent.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.LanguageModeling;

/// <summary>
/// Trains a <see cref="LanguageModelNetwork"/> on one token stream with truncated back-propagation through time:
/// the stream is cut into <see cref="TrainingOptions.BatchSize"/> parallel segments, read in consecutive windows of
/// <see cref="LanguageModelTrainerOptions.SequenceLength"/> steps, and the recurrent state of one window starts the
/// next (detached, so gradients stop at the boundary).
/// </summary>
/// <remarks>
/// The shared <see cref="TrainingLoop"/> shuffles independent sequences, which would break the state carry, so this
/// loop is separate but keeps its semantics and parts: <see cref="OptimizerFactory"/>, <see cref="LearningRateScheduler"/>,
/// gradient clipping, <see cref="TrainingDivergedException"/>, early stopping with best-weight restore (validation
/// perplexity), the Fit's <see cref="TrainingSession"/> (clock, time limit, cancellation before every batch, progress,
/// log), and checkpoints
/// (<see cref="TrainingOptions.CheckpointPath"/>) in <see cref="TrainingCheckpoint"/>'s format with the window cursor
/// and the carried recurrent state added (<see cref="LanguageModelCheckpointState"/>), so a resumed run continues
/// bit for bit. The time limit is checked after every batch, as in <see cref="TrainingLoop"/>.
/// </remarks>
internal sealed class LanguageModelTrainingLoop(LanguageModelTrainerOptions options)
{
    public TrainingHistory Train(LanguageModelNetwork model, int[] training, int[]? validation, TrainingMember member)
    {
        TorchRuntime.EnsureInitialized();
        int seed = options.Seed ?? member.Seed;
        // Dropout draws from this run's own generator, so concurrent runs in the process cannot change each other.
        using var random = TrainingRandom.Begin(TrainingLoop.DropoutSeed(seed));
        using var layerDropout = FusedDropoutRandom.IsNeeded(model, options.Dropout) ? new FusedDropoutRandom(TrainingLoop.DropoutSeed(seed) + 1) : null;
        var parameters = model.parameters().Where(p => p.requires_grad).ToArray();
        var scheduler = new LearningRateScheduler(options);
        var history = new TrainingHistory { MonitoredValue = validation is null ? "training loss" : "perplexity" };
        using var epochs = new EpochBookkeeping(history, scheduler, keepBest: options.RestoreBestWeights && validation is not null);
        int cursor = 0;
        RecurrentState? state = null;
        // The whole stream moves to the model's device once; every window is a view of it there.
        using var data = TokenStream.Batchify(training, options.BatchSize, "training").MoveTo(TensorDevices.DeviceOf(model));
        int windows = TokenStream.WindowCount(data.shape[1], options.SequenceLength);
        int perEpoch = options.BatchesPerEpoch > 0 ? options.BatchesPerEpoch : windows;
        member.Log($"Training on {training.Length} tokens in {options.BatchSize} parallel streams of {data.shape[1]}, windows of {options.SequenceLength} " +
            $"({windows} per pass, {perEpoch} per epoch), validating on {validation?.Length ?? 0} tokens; {options.Optimizer} at learning rate {Format(options.LearningRate)}.");

        using var optimizer = OptimizerFactory.Create(options, parameters);
        string? checkpointPath = member.CheckpointPath;
        string dataFingerprint = "", optionsFingerprint = "";
        int firstEpoch = 1;
        try
        {
            if (checkpointPath is not null)
            {
                dataFingerprint = ModelStoryBuilder.Fingerprint<int>(training) + "|" + (validation is null ? "-" : ModelStoryBuilder.Fingerprint<int>(validation));
                optionsFingerprint = TrainingCheckpoint.FingerprintOptions(options, seed, model);
                if (TrainingCheckpoint.TryLoad(checkpointPath, dataFingerprint, optionsFingerprint) is { } checkpoint)
                {
                    var shape = model.Settings;
                    // Checked before anything is restored, so a checkpoint that does not fit leaves the model untouched.
                    (cursor, state, var layerDropoutState) = LanguageModelCheckpointState.Deserialize(checkpoint.TaskState, checkpointPath, windows,
                        [shape.Layers, options.BatchSize, shape.HiddenSize], shape.CellType == RecurrentCellType.Lstm, layerDropout is not null);
                    if (layerDropoutState is not null)
                        layerDropout!.Restore(layerDropoutState);
                    firstEpoch = epochs.Resume(checkpoint, checkpointPath, model, optimizer, random);
                    member.Log($"Resuming from the checkpoint '{checkpointPath}' written after epoch {checkpoint.Epoch}, at window {cursor} of {windows}.");
                }
            }

            for (int epoch = firstEpoch; epoch <= options.Epochs; epoch++)
            {
                var epochStart = member.Session.Elapsed;
                // The epoch's first batch's rate: the slanted triangular schedule then moves it batch by batch below.
                double learningRate = scheduler.RateForBatch(epoch, 0, perEpoch);
                OptimizerFactory.SetLearningRate(optimizer, learningRate);
                model.train();
                double lossSum = 0;
                long tokens = 0;
                bool outOfTime = false;
                int b = 0;
                while (b < perEpoch && !outOfTime)
                {
                    member.ThrowIfCancellationRequested();
                    if (scheduler.IsPerBatch)
                        OptimizerFactory.SetLearningRate(optimizer, scheduler.RateForBatch(epoch, b, perEpoch));
                    if (cursor == 0)
                    {
                        // A new pass starts the segments from their beginnings: the old state belongs to their ends.
                        state?.Dispose();
                        state = null;
                    }
                    var (loss, count) = Step(model, optimizer, parameters, data, cursor, ref state, layerDropout, epoch, b + 1);
                    lossSum += loss * count;
                    tokens += count;
                    cursor = (cursor + 1) % windows;
                    b++;
                    outOfTime = member.OutOfTime;
                    if (!outOfTime && b % options.ProgressInterval == 0 && b < perEpoch)
                        member.Report(epoch, b, perEpoch, lossSum / tokens, null);
                }

                double trainingLoss = lossSum / tokens;
                LanguageModelMetrics? metrics = validation is null ? null
                    : LanguageModelScorer.Score(model, validation, options.EvaluationBatchSize, options.SequenceLength, options.CancellationToken).ToMetrics();
                var summary = new EpochSummary(epoch, trainingLoss, metrics?.CrossEntropy, metrics?.Perplexity, learningRate, (member.Session.Elapsed - epochStart).TotalSeconds);
                epochs.Record(summary, metrics?.CrossEntropy ?? trainingLoss, model);
                member.Log(Describe(summary, metrics, options.Epochs));
                string? stop = epochs.StopReason(epoch, options, outOfTime, member.Session.Elapsed);
                // Written before the progress report, so whoever sees an epoch reported can rely on its checkpoint being on disk.
                if (checkpointPath is not null)
                {
                    var taskState = LanguageModelCheckpointState.Serialize(cursor, windows, state, layerDropout?.State);
                    epochs.Capture(epoch, dataFingerprint, optionsFingerprint, model, optimizer, random, taskState).Save(checkpointPath);
                }
                member.Report(epoch, b, perEpoch, trainingLoss, summary);
                if (stop is not null)
                {
                    if (stop.Length > 0)
                        member.Log(stop);
                    break;
                }
            }
            epochs.RestoreBest(model, member.Log);
        }
        finally
        {
            state?.Dispose();
            model.eval();
        }
        return history;
    }

    /// <summary>
    /// One optimizer step on window <paramref name="window"/> (its loss reduced as <see cref="LanguageModelTrainerOptions.LossReduction"/>
    /// says); returns the mean loss per token and the number of predicted tokens.
    /// </summary>
    private (double Loss, long Count) Step(LanguageModelNetwork model, optim.Optimizer optimizer, Parameter[] parameters, Tensor data, int window,
        ref RecurrentState? state, FusedDropoutRandom? layerDropout, int epoch, int batch)
    {
        using var scope = NewDisposeScope();
        var (input, target) = TokenStream.Window(data, window, options.SequenceLength);
        optimizer.zero_grad();
        var carried = state;
        var (logits, next) = layerDropout is null ? model.Forward(input, carried) : layerDropout.Run(() => model.Forward(input, carried));
        var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), target.reshape(-1));
        double value = loss.ToDouble();
        if (!double.IsFinite(value))
            throw new TrainingDivergedException(epoch, batch, value);
        // Every stream has the same number of steps, so the batch mean summed over steps is the token mean times the steps.
        var objective = options.LossReduction == LanguageModelLossReduction.SumOverTimeSteps ? loss * target.shape[1] : loss;
        objective.backward();
        if (options.GradientClipNorm > 0)
            nn.utils.clip_grad_norm_(parameters, options.GradientClipNorm);
        optimizer.step();
        state?.Dispose();
        state = next.Keep();
        return (value, target.numel());
    }

    private static string Describe(EpochSummary summary, LanguageModelMetrics? metrics, int epochs)
    {
        var text = $"Epoch {summary.Epoch}/{epochs}: training cross-entropy {Format(summary.TrainingLoss)}";
        if (metrics is not null)
            text += $", validation cross-entropy {Format(metrics.CrossEntropy)} (perplexity {Format(metrics.Perplexity)}, top-1 {Format(metrics.TopOneAccuracy)})";
        return text + $", learning rate {Format(summary.LearningRate)} ({summary.Seconds.ToString("F1", CultureInfo.InvariantCulture)} s).";
    }

    private static string Format(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}
