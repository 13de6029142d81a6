using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>Creates the TorchSharp optimizer that <see cref="TrainingOptions.Optimizer"/> names.</summary>
internal static class OptimizerFactory
{
    /// <summary>Creates the optimizer over <paramref name="parameters"/> (one parameter group) with the options' learning rate, weight decay and momentum.</summary>
    public static optim.Optimizer Create(TrainingOptions options, IEnumerable<Parameter> parameters) => Create(options, [parameters.ToArray()]);

    /// <summary>
    /// Creates the optimizer with one parameter group per entry of <paramref name="groups"/>, in that order, each starting
    /// at the options' learning rate (set each group's own rate with <see cref="SetLearningRate"/>), weight decay and momentum.
    /// </summary>
    public static optim.Optimizer Create(TrainingOptions options, IReadOnlyList<Parameter[]> groups) => options.Optimizer switch
    {
        OptimizerKind.Adam => optim.Adam(groups.Select(g => new Adam.ParamGroup { Parameters = g }), lr: options.LearningRate, weight_decay: options.WeightDecay),
        // AdamW's weight decay comes from the options too (default 0), not PyTorch's 0.01, so that the options mean the same for every optimizer.
        OptimizerKind.AdamW => optim.AdamW(groups.Select(g => new AdamW.ParamGroup { Parameters = g }), lr: options.LearningRate, weight_decay: options.WeightDecay),
        OptimizerKind.Sgd => optim.SGD(groups.Select(g => new SGD.ParamGroup { Parameters = g }), options.LearningRate, momentum: options.Momentum, weight_decay: options.WeightDecay),
        OptimizerKind.RmsProp => optim.RMSProp(groups.Select(g => new RMSProp.ParamGroup { Parameters = g }), lr: options.LearningRate, momentum: options.Momentum, weight_decay: options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Optimizer, "Unknown optimizer."),
    };

    /// <summary>
    /// Sets the learning rate of every parameter group: <paramref name="learningRate"/> times the group's entry of
    /// <paramref name="factors"/> (one per group, in the optimizer's order), or <paramref name="learningRate"/> itself
    /// when no factors are given.
    /// </summary>
    public static void SetLearningRate(optim.Optimizer optimizer, double learningRate, IReadOnlyList<double>? factors = null)
    {
        int index = 0;
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = factors is null ? learningRate : learningRate * factors[index];
            index++;
        }
        if (factors is not null && index != factors.Count)
            throw new ArgumentException($"The optimizer has {index} parameter groups but {factors.Count} learning-rate factors were given.", nameof(factors));
    }
}

/// <summary>
/// Computes the learning rate of each epoch, or of each batch for <see cref="LearningRateScheduleKind.SlantedTriangular"/>
/// (see <see cref="LearningRateScheduleKind"/>), and tracks the best value of the monitored quantity for plateau decay.
/// </summary>
internal sealed class LearningRateScheduler
{
    private readonly TrainingOptions _options;
    private double _plateauRate;
    private double _plateauBest = double.NaN;
    private int _epochsWithoutImprovement;

    /// <summary>Starts at <see cref="TrainingOptions.LearningRate"/>.</summary>
    public LearningRateScheduler(TrainingOptions options)
    {
        _options = options;
        _plateauRate = options.LearningRate;
    }

    /// <summary>The plateau state (current rate, best value, epochs without improvement), saved in training checkpoints.</summary>
    public (double Rate, double Best, int Wait) State
    {
        get => (_plateauRate, _plateauBest, _epochsWithoutImprovement);
        set => (_plateauRate, _plateauBest, _epochsWithoutImprovement) = value;
    }

    /// <summary>Whether the rate changes from batch to batch (<see cref="LearningRateScheduleKind.SlantedTriangular"/>), not only from epoch to epoch.</summary>
    public bool IsPerBatch => _options.LearningRateSchedule == LearningRateScheduleKind.SlantedTriangular;

    /// <summary>
    /// Learning rate for 0-based <paramref name="batch"/> of 1-based <paramref name="epoch"/>, given the reports of earlier
    /// epochs. Only <see cref="LearningRateScheduleKind.SlantedTriangular"/> depends on the batch: its global step is
    /// <c>(epoch - 1) * batchesPerEpoch + batch</c> out of <c>Epochs * batchesPerEpoch</c>, so the rate needs no state
    /// and a resumed run computes the same one.
    /// </summary>
    public double RateForBatch(int epoch, int batch, int batchesPerEpoch) => IsPerBatch
        ? SlantedTriangularRate(_options, (long)(epoch - 1) * batchesPerEpoch + batch, (long)_options.Epochs * batchesPerEpoch)
        : RateForEpoch(epoch);

    /// <summary>
    /// Learning rate for 1-based <paramref name="epoch"/>, given the reports of earlier epochs; for
    /// <see cref="LearningRateScheduleKind.SlantedTriangular"/>, which changes every batch, use <see cref="RateForBatch"/>.
    /// </summary>
    public double RateForEpoch(int epoch) => _options.LearningRateSchedule switch
    {
        LearningRateScheduleKind.StepDecay => StepDecayRate(_options, epoch),
        LearningRateScheduleKind.ReduceOnPlateau => _plateauRate,
        _ => _options.LearningRate,
    };

    /// <summary>The StepDecay formula: <c>LearningRate * DecayFactor^floor(max(0, epoch - 1 - StartDecayAfterEpoch) / StepSize)</c>.</summary>
    public static double StepDecayRate(TrainingOptions options, int epoch)
    {
        int decays = Math.Max(0, epoch - 1 - options.StartDecayAfterEpoch) / options.StepSize;
        return options.LearningRate * Math.Pow(options.DecayFactor, decays);
    }

    /// <summary>
    /// The slanted triangular rate of 0-based <paramref name="step"/> in a run of <paramref name="totalSteps"/> steps
    /// (<paramref name="step"/> is clamped to <c>0..totalSteps-1</c>). With <c>r = SlantedTriangularRatio</c>, the peak at
    /// step <c>c = min(floor(totalSteps * WarmupFraction), totalSteps - 1)</c> and the last step <c>T = totalSteps - 1</c>:
    /// the position <c>p</c> is <c>step / c</c> before the peak and <c>(T - step) / (T - c)</c> from it on (1 when the peak is
    /// the last step), and the rate is <c>LearningRate * (1 + p * (r - 1)) / r</c>: <c>LearningRate / r</c> at the first and
    /// last steps, <c>LearningRate</c> at the peak.
    /// </summary>
    public static double SlantedTriangularRate(TrainingOptions options, long step, long totalSteps)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        long last = totalSteps - 1;
        step = Math.Clamp(step, 0, last);
        long peak = Math.Min((long)Math.Floor(totalSteps * options.WarmupFraction), last);
        double position = step < peak ? (double)step / peak
            : peak == last ? 1
            : (double)(last - step) / (last - peak);
        double ratio = options.SlantedTriangularRatio;
        return options.LearningRate * (1 + position * (ratio - 1)) / ratio;
    }

    /// <summary>Reports the monitored value after an epoch (lower is better: negate higher-is-better metrics).</summary>
    public void ReportEpoch(double lowerIsBetterValue)
    {
        if (_options.LearningRateSchedule != LearningRateScheduleKind.ReduceOnPlateau || double.IsNaN(lowerIsBetterValue))
            return;
        if (double.IsNaN(_plateauBest) || lowerIsBetterValue < _plateauBest)
        {
            _plateauBest = lowerIsBetterValue;
            _epochsWithoutImprovement = 0;
            return;
        }
        _epochsWithoutImprovement++;
        if (_epochsWithoutImprovement > _options.PlateauPatience)
        {
            _plateauRate *= _options.DecayFactor;
            _epochsWithoutImprovement = 0;
        }
    }
}
