using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>Creates the TorchSharp optimizer that <see cref="TrainingOptions.Optimizer"/> names.</summary>
internal static class OptimizerFactory
{
    /// <summary>Creates the optimizer over <paramref name="parameters"/> with the options' learning rate, weight decay and momentum.</summary>
    public static optim.Optimizer Create(TrainingOptions options, IEnumerable<Parameter> parameters) => options.Optimizer switch
    {
        OptimizerKind.Adam => optim.Adam(parameters, lr: options.LearningRate, weight_decay: options.WeightDecay),
        // AdamW's weight decay comes from the options too (default 0), not PyTorch's 0.01, so that the options mean the same for every optimizer.
        OptimizerKind.AdamW => optim.AdamW(parameters, lr: options.LearningRate, weight_decay: options.WeightDecay),
        OptimizerKind.Sgd => optim.SGD(parameters, options.LearningRate, momentum: options.Momentum, weight_decay: options.WeightDecay),
        OptimizerKind.RmsProp => optim.RMSProp(parameters, lr: options.LearningRate, momentum: options.Momentum, weight_decay: options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Optimizer, "Unknown optimizer."),
    };

    /// <summary>Sets the learning rate of every parameter group.</summary>
    public static void SetLearningRate(optim.Optimizer optimizer, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups)
            group.LearningRate = learningRate;
    }
}

/// <summary>
/// Computes the learning rate of each epoch (see <see cref="LearningRateScheduleKind"/>) and tracks the best value of
/// the monitored quantity for plateau decay.
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

    /// <summary>Learning rate for 1-based <paramref name="epoch"/>, given the reports of earlier epochs.</summary>
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
