using System.Globalization;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// The epoch/batch loop shared by every recurrent trainer but the language model's: shuffled, length-bucketed batches;
/// optimizer and learning-rate schedule (per epoch, or per batch for the slanted triangular one), optionally over
/// parameter groups with their own rates and gradual unfreezing (<see cref="Training.ParameterGrouping"/>); gradient
/// clipping; validation; early stopping with best-weight restore. The clock, time limit, cancellation, log and progress come from the Fit's <see cref="TrainingSession"/>; the
/// task-specific parts from an <see cref="ITrainingTask"/>.
/// </summary>
/// <remarks>
/// Creating the model under its seed is the caller's job (<see cref="TorchSeeding"/>); the loop seeds its own
/// shuffling (one generator per epoch, from the seed and the epoch number) and validation split from
/// <see cref="TrainingOptions.Seed"/> (or the caller's default seed), so equal seeds give equal runs, and a run resumed
/// from a checkpoint (<see cref="TrainingOptions.CheckpointPath"/>) continues exactly as the uninterrupted run would. Each batch runs inside its own dispose scope, so native memory stays flat across batches.
/// On return the model is in eval mode.
/// </remarks>
internal sealed class TrainingLoop
{
    private readonly TrainingOptions _options;
    private readonly Action<string>? _log;

    /// <summary>Validates <paramref name="options"/>; <paramref name="log"/> receives one line per event when the loop runs alone (a trainer's session brings its own).</summary>
    public TrainingLoop(TrainingOptions options, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _log = log;
    }

    /// <summary>
    /// Whether the model before the first epoch is itself a candidate for the best weights (validated as "epoch 0"):
    /// for a model that starts from a fitted model, such as a linear model on wide features, so that training keeps
    /// only what improves on it. Default false.
    /// </summary>
    internal bool StartIsCandidate { get; init; }

    /// <summary>Called after the backward pass and gradient clipping, right before each optimizer step (diagnostics and tests).</summary>
    internal Action<nn.Module, optim.Optimizer>? BeforeOptimizerStep { get; init; }

    /// <summary>
    /// Splits the model into optimizer parameter groups (discriminative learning rates, gradual unfreezing); null (the
    /// default) puts every trainable parameter in one group at the scheduled rate. Called once per <see cref="Train(nn.Module, ITrainingTask, SequenceDataset, SequenceDataset?, TrainingMember)"/>;
    /// the optimizer gets one group per non-empty group, in order. With gradual unfreezing, a group that does not train
    /// in an epoch gets learning rate 0 and its parameters stop requiring gradients for that epoch; every parameter that
    /// required gradients at the start requires them again when training ends, however it ends.
    /// </summary>
    internal Func<nn.Module, ParameterGrouping>? ParameterGrouping { get; init; }

    /// <summary>
    /// Trains <paramref name="model"/> in place. Validation uses <paramref name="validation"/> when given, else a
    /// <see cref="TrainingOptions.ValidationFraction"/> of <paramref name="training"/>, else none.
    /// <paramref name="defaultSeed"/> applies when <see cref="TrainingOptions.Seed"/> is null (pass the MLContext's seed).
    /// </summary>
    /// <exception cref="TrainingDivergedException">The training loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException">The options' token was cancelled; checked before every batch.</exception>
    public TrainingHistory Train(nn.Module model, ITrainingTask task, SequenceDataset training, SequenceDataset? validation = null, int defaultSeed = 0)
        => Train(model, task, training, validation, TrainingMember.Alone(_options, _log, defaultSeed));

    /// <summary>
    /// Trains <paramref name="model"/> in place as <paramref name="member"/> of a Fit: its seed (unless
    /// <see cref="TrainingOptions.Seed"/> is set), its checkpoint file, its share of the time limit, the Fit's clock.
    /// </summary>
    public TrainingHistory Train(nn.Module model, ITrainingTask task, SequenceDataset training, SequenceDataset? validation, TrainingMember member)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(member);
        TorchRuntime.EnsureInitialized();

        int seed = _options.Seed ?? member.Seed;
        // Dropout draws from this run's own generator, so concurrent runs in the process cannot change each other.
        using var dropoutRandom = TrainingRandom.Begin(DropoutSeed(seed));
        var (trainIndices, validationIterator, validationPlan) = PrepareValidation(training, validation, seed, member);
        var parameters = model.parameters().Where(p => p.requires_grad).ToArray();
        if (parameters.Length == 0)
            throw new InvalidOperationException("The model has no trainable parameters.");

        var trainIterator = new BatchIterator(training);
        var scheduler = new LearningRateScheduler(_options);
        var metric = validationPlan is null ? null : task.Metric;
        var history = new TrainingHistory
        {
            MonitoredValue = metric?.Name ?? (validationPlan is null ? "training loss" : "validation loss"),
        };
        using var epochs = new EpochBookkeeping(history, scheduler, keepBest: _options.RestoreBestWeights && validationPlan is not null);
        int batchesPerEpoch = (trainIndices.Length + _options.BatchSize - 1) / _options.BatchSize;
        member.Log($"Training on {trainIndices.Length} examples ({validationPlan?.ExampleCount ?? 0} for validation), {batchesPerEpoch} batches of up to " +
            $"{_options.BatchSize} per epoch, {_options.Optimizer} at learning rate {Format(_options.LearningRate)}, seed {seed}.");

        var grouping = ParameterGrouping?.Invoke(model);
        var groups = grouping is null ? new List<(int Index, Parameter[] Parameters)> { (0, parameters) } : TrainableGroups(grouping, parameters);
        if (grouping is not null)
            member.Log($"{groups.Count} parameter groups from the top of the network down" +
                (grouping.LayerDecay != 1 ? $", each learning {Format(grouping.LayerDecay)} times slower than the one above" : "") +
                (grouping.GradualUnfreezing ? ", unfrozen one more per epoch" : "") + ".");
        using var optimizer = OptimizerFactory.Create(_options, groups.Select(g => g.Parameters).ToArray());
        string? checkpointPath = member.CheckpointPath;
        string dataFingerprint = "", optionsFingerprint = "";
        int firstEpoch = 1;
        try
        {
            if (checkpointPath is not null)
            {
                dataFingerprint = training.Fingerprint() + "|" + (validation?.Fingerprint() ?? "-");
                optionsFingerprint = TrainingCheckpoint.FingerprintOptions(_options, seed, model);
                if (TrainingCheckpoint.TryLoad(checkpointPath, dataFingerprint, optionsFingerprint) is { } checkpoint)
                {
                    firstEpoch = epochs.Resume(checkpoint, checkpointPath, model, optimizer, dropoutRandom);
                    member.Log($"Resuming from the checkpoint '{checkpointPath}' written after epoch {checkpoint.Epoch}.");
                }
            }

            if (StartIsCandidate && firstEpoch == 1 && validationPlan is not null)
            {
                var start = Evaluate(model, task, validationIterator!, validationPlan);
                double startValue = metric is null ? start.Loss : (metric.HigherIsBetter ? -1 : 1) * (start.Metric ?? double.NaN);
                epochs.RecordStart(new EpochSummary(0, 0, start.Loss, start.Metric, scheduler.RateForEpoch(1), 0), startValue, model);
                member.Log($"Before training: validation loss {Format(start.Loss)}{(metric is not null && start.Metric is { } m ? $", {metric.Name} {Format(m)}" : "")}.");
            }

            for (int epoch = firstEpoch; epoch <= _options.Epochs; epoch++)
            {
                var epochStart = member.Session.Elapsed;
                // The epoch's first batch's rate: the slanted triangular schedule then moves it batch by batch in RunEpoch.
                double learningRate = scheduler.RateForBatch(epoch, 0, batchesPerEpoch);
                var (factors, active) = EpochGroups(grouping, groups, epoch);
                OptimizerFactory.SetLearningRate(optimizer, learningRate, factors);
                // One generator per epoch, from the seed and the epoch number, so a resumed run shuffles exactly like an uninterrupted one.
                var random = new Random(unchecked(seed * 1_000_003 + epoch));
                var plan = BatchPlan.Shuffled(training, trainIndices, _options.BatchSize, _options.LengthBucketing, random);
                var (trainingLoss, batchesRun) = RunEpoch(model, task, optimizer, active, trainIterator, plan, epoch, member,
                    scheduler.IsPerBatch ? b => scheduler.RateForBatch(epoch, b, batchesPerEpoch) : null, factors);

                EvaluationResult? evaluation = validationPlan is null ? null : Evaluate(model, task, validationIterator!, validationPlan);
                var summary = new EpochSummary(epoch, trainingLoss, evaluation?.Loss, evaluation?.Metric, learningRate, (member.Session.Elapsed - epochStart).TotalSeconds);
                // Everything is compared in lower-is-better form.
                double monitored = evaluation is { } e ? (metric is null ? e.Loss : (metric.HigherIsBetter ? -1 : 1) * (e.Metric ?? double.NaN)) : trainingLoss;
                epochs.Record(summary, monitored, model);
                member.Log(Describe(summary, metric, _options.Epochs));
                string? stop = epochs.StopReason(epoch, _options, member.OutOfTime, member.Session.Elapsed);
                // Written before the progress report, so whoever sees an epoch reported can rely on its checkpoint being on disk.
                if (checkpointPath is not null)
                    epochs.Capture(epoch, dataFingerprint, optionsFingerprint, model, optimizer, dropoutRandom).Save(checkpointPath);
                member.Report(epoch, batchesRun, plan.BatchCount, trainingLoss, summary);
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
            // Gradual unfreezing switches gradients off group by group; whatever happened, they are back on.
            if (grouping is { GradualUnfreezing: true })
            {
                foreach (var parameter in parameters)
                    parameter.requires_grad = true;
            }
            model.eval();
        }
        return history;
    }

    /// <summary>
    /// The trainable parameters of each of <paramref name="grouping"/>'s groups, with the group's index, leaving out
    /// parameters that need no gradient and groups left empty; checks that the groups hold every trainable parameter once.
    /// </summary>
    private static List<(int Index, Parameter[] Parameters)> TrainableGroups(ParameterGrouping grouping, Parameter[] trainable)
    {
        var result = new List<(int Index, Parameter[] Parameters)>();
        for (int k = 0; k < grouping.Groups.Count; k++)
        {
            var group = grouping.Groups[k].Where(p => p.requires_grad).ToArray();
            if (group.Length > 0)
                result.Add((k, group));
        }
        int grouped = result.Sum(g => g.Parameters.Length);
        if (grouped != trainable.Length || result.SelectMany(g => g.Parameters).Distinct(ReferenceEqualityComparer.Instance).Count() != grouped)
            throw new InvalidOperationException($"The parameter groups hold {grouped} trainable parameters; the model has {trainable.Length}, each of which must be in exactly one group.");
        return result;
    }

    /// <summary>
    /// Each optimizer group's learning-rate factor in <paramref name="epoch"/> (null: one group at the scheduled rate)
    /// and the parameters that train in it. Gradual unfreezing gives a group that waits factor 0 and turns its
    /// gradients off, so the optimizer skips it entirely; the groups that train have their gradients on.
    /// </summary>
    private static (double[]? Factors, Parameter[] Active) EpochGroups(ParameterGrouping? grouping, List<(int Index, Parameter[] Parameters)> groups, int epoch)
    {
        if (grouping is null)
            return (null, groups[0].Parameters);
        var factors = new double[groups.Count];
        var active = new List<Parameter>();
        for (int g = 0; g < groups.Count; g++)
        {
            var (index, parameters) = groups[g];
            bool trains = grouping.Trains(index, epoch);
            factors[g] = trains ? grouping.Factor(index) : 0;
            if (grouping.GradualUnfreezing)
            {
                foreach (var parameter in parameters)
                    parameter.requires_grad = trains;
            }
            if (trains)
                active.AddRange(parameters);
        }
        return (factors, active.ToArray());
    }

    /// <summary>The dropout generator's seed: derived from the run's seed, apart from the shuffling's per-epoch seeds.</summary>
    internal static long DropoutSeed(int seed) => unchecked(seed * 2_654_435_761L + 97);

    /// <summary>
    /// One epoch's batches, or fewer when the member's time runs out; returns the epoch's mean loss and the batches run.
    /// <paramref name="batchRate"/>, when given, is the learning rate of each 0-based batch (a per-batch schedule), which
    /// each optimizer group takes times its entry of <paramref name="factors"/>. <paramref name="parameters"/> are the
    /// ones that train in this epoch (their gradients are clipped together).
    /// </summary>
    private (double Loss, int Batches) RunEpoch(nn.Module model, ITrainingTask task, optim.Optimizer optimizer, Parameter[] parameters,
        BatchIterator iterator, BatchPlan plan, int epoch, TrainingMember member, Func<int, double>? batchRate, double[]? factors)
    {
        model.train();
        // Batches are made on the CPU; the model is where its trainer put it (TorchDevices).
        var device = TensorDevices.DeviceOf(model);
        double lossSum = 0, examples = 0;
        int b = 0;
        while (b < plan.BatchCount)
        {
            member.ThrowIfCancellationRequested();
            if (batchRate is not null)
                OptimizerFactory.SetLearningRate(optimizer, batchRate(b), factors);
            double batchLoss, size;
            using (NewDisposeScope())
            {
                var batch = iterator.Create(plan.GetBatch(b)).To(device);
                size = batch.WeightSum;
                optimizer.zero_grad();
                var loss = task.ComputeLoss(model, batch);
                batchLoss = loss.ToDouble();
                if (!double.IsFinite(batchLoss))
                    throw new TrainingDivergedException(epoch, b + 1, batchLoss);
                loss.backward();
                if (_options.GradientClipNorm > 0)
                    nn.utils.clip_grad_norm_(parameters, _options.GradientClipNorm);
                BeforeOptimizerStep?.Invoke(model, optimizer);
                optimizer.step();
            }
            lossSum += batchLoss * size;
            examples += size;
            b++;
            if (member.OutOfTime)
                break;
            if (b % _options.ProgressInterval == 0 && b < plan.BatchCount)
                member.Report(epoch, b, plan.BatchCount, MeanLoss(), null);
        }
        return (MeanLoss(), b);

        // Weighted by the examples' weights; batches whose examples all weigh 0 learned nothing and count as 0.
        double MeanLoss() => examples > 0 ? lossSum / examples : 0;
    }

    private EvaluationResult Evaluate(nn.Module model, ITrainingTask task, BatchIterator iterator, BatchPlan plan)
    {
        model.eval();
        try
        {
            using (no_grad())
            {
                var device = TensorDevices.DeviceOf(model);
                return task.Evaluate(model, CheckCancellation(iterator.Enumerate(plan)).Select(batch => batch.To(device)));
            }
        }
        finally
        {
            model.train();
        }
    }

    private IEnumerable<SequenceBatch> CheckCancellation(IEnumerable<SequenceBatch> batches)
    {
        foreach (var batch in batches)
        {
            _options.CancellationToken.ThrowIfCancellationRequested();
            yield return batch;
        }
    }

    /// <summary>
    /// The examples of <paramref name="training"/> that <see cref="Train(nn.Module, ITrainingTask, SequenceDataset, SequenceDataset?, TrainingMember)"/>
    /// trains <paramref name="member"/> on (all of them, or those outside its validation split), and the examples it
    /// validates on (of <paramref name="validation"/> when given, else the split of <paramref name="training"/>; none without validation).
    /// </summary>
    internal (int[] Training, int[] Validation) TrainingIndices(SequenceDataset training, SequenceDataset? validation, TrainingMember member)
        => TrainingIndices(training, validation, _options.Seed ?? member.Seed);

    // The one place that decides the validation split, for the loop and for what its callers fit before it.
    private (int[] Training, int[] Validation) TrainingIndices(SequenceDataset training, SequenceDataset? validation, int seed)
    {
        int[] all = Enumerable.Range(0, training.Count).ToArray();
        if (validation is not null)
            return (all, Enumerable.Range(0, validation.Count).ToArray());
        if (_options.ValidationFraction == 0)
            return (all, []);
        var (train, held) = BatchPlan.SplitForValidation(training.Count, _options.ValidationFraction, seed);
        return held.Length == 0 ? (all, []) : (train, held);
    }

    private (int[] Training, BatchIterator? Iterator, BatchPlan? Plan) PrepareValidation(SequenceDataset training, SequenceDataset? validation, int seed, TrainingMember member)
    {
        if (validation is not null && (validation.InputKind != training.InputKind || validation.FeatureSize != training.FeatureSize
            || validation.TargetKind != training.TargetKind || validation.TargetWidth != training.TargetWidth || validation.WideSize != training.WideSize))
            throw new ArgumentException("The validation data must have the same input, wide-feature and target layout as the training data.", nameof(validation));
        var (train, held) = TrainingIndices(training, validation, seed);
        if (validation is not null)
            return (train, new BatchIterator(validation), BatchPlan.Sequential(validation.Count, _options.BatchSize));
        if (held.Length == 0)
        {
            if (_options.ValidationFraction > 0)
                member.Log($"Too few examples ({training.Count}) to hold out {_options.ValidationFraction:P0} for validation; training without validation.");
            return (train, null, null);
        }
        return (train, new BatchIterator(training), BatchPlan.Sequential(held, _options.BatchSize));
    }

    private static string Describe(EpochSummary summary, ValidationMetric? metric, int epochs)
    {
        var text = $"Epoch {summary.Epoch}/{epochs}: training loss {Format(summary.TrainingLoss)}";
        if (summary.ValidationLoss is { } validationLoss)
            text += $", validation loss {Format(validationLoss)}";
        if (metric is not null && summary.ValidationMetric is { } value)
            text += $", {metric.Name} {Format(value)}";
        return text + $", learning rate {Format(summary.LearningRate)} ({summary.Seconds.ToString("F1", CultureInfo.InvariantCulture)} s).";
    }

    private static string Format(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}
