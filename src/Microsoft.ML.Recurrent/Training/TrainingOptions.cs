namespace Microsoft.ML.Recurrent.Training;

/// <summary>Optimization algorithm used to update the network's weights.</summary>
public enum OptimizerKind
{
    /// <summary>Adam; weight decay, when set, is added to the gradient (L2 regularization).</summary>
    Adam,

    /// <summary>AdamW: Adam with decoupled weight decay.</summary>
    AdamW,

    /// <summary>Stochastic gradient descent with <see cref="TrainingOptions.Momentum"/>.</summary>
    Sgd,

    /// <summary>RMSprop with <see cref="TrainingOptions.Momentum"/>.</summary>
    RmsProp,
}

/// <summary>How the learning rate changes over training: from epoch to epoch, or (slanted triangular) from batch to batch.</summary>
public enum LearningRateScheduleKind
{
    /// <summary>The learning rate stays at <see cref="TrainingOptions.LearningRate"/>.</summary>
    Constant,

    /// <summary>
    /// Epoch <c>e</c> (1-based) uses <c>LearningRate * DecayFactor^floor(max(0, e - 1 - StartDecayAfterEpoch) / StepSize)</c>:
    /// once <see cref="TrainingOptions.StartDecayAfterEpoch"/> epochs are done, the rate is multiplied by
    /// <see cref="TrainingOptions.DecayFactor"/> every <see cref="TrainingOptions.StepSize"/> epochs.
    /// </summary>
    StepDecay,

    /// <summary>
    /// The rate is multiplied by <see cref="TrainingOptions.DecayFactor"/> when the monitored value (the validation
    /// metric, else the validation loss, else the training loss) has not improved for more than
    /// <see cref="TrainingOptions.PlateauPatience"/> epochs.
    /// </summary>
    ReduceOnPlateau,

    /// <summary>
    /// Slanted triangular learning rates, the fine-tuning schedule of ULMFiT (Howard and Ruder 2018): the rate changes
    /// after every batch, over the <c>Epochs × batches per epoch</c> optimizer steps of the whole run. It starts at
    /// <c>LearningRate / SlantedTriangularRatio</c>, climbs linearly to <see cref="TrainingOptions.LearningRate"/> over the
    /// first <see cref="TrainingOptions.WarmupFraction"/> of the steps, then comes down linearly to
    /// <c>LearningRate / SlantedTriangularRatio</c> at the very last step (see <see cref="TrainingOptions.SlantedTriangularRatio"/>).
    /// The short climb moves the weights quickly towards a region that suits the task; the long descent then refines
    /// them, which is what fine-tuning a pre-trained encoder (<c>PretrainedLanguageModel</c>) needs. The rate depends only
    /// on the step's position in the run, so a run resumed from a checkpoint uses the same rates, as long as
    /// <see cref="TrainingOptions.Epochs"/> is unchanged (it sets the length of the schedule). Early stopping and the time
    /// limit end the run wherever the schedule is. An epoch's reported learning rate is that of its first batch.
    /// </summary>
    SlantedTriangular,
}

/// <summary>
/// Settings of the training loop shared by every recurrent trainer: optimizer, schedule, batching, validation,
/// early stopping, limits and progress reporting.
/// </summary>
public class TrainingOptions
{
    /// <summary>Number of passes over the training data. Default 10; at least 1.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Examples per mini-batch. Default 32; at least 1.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Optimization algorithm. Default <see cref="OptimizerKind.Adam"/>.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Initial learning rate. Default 1e-3; finite and greater than 0.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Weight decay (L2 penalty; decoupled for AdamW). Default 0; finite and at least 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Momentum for <see cref="OptimizerKind.Sgd"/> and <see cref="OptimizerKind.RmsProp"/> (ignored otherwise). Default 0.9; in [0, 1).</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>Learning-rate schedule. Default <see cref="LearningRateScheduleKind.Constant"/>.</summary>
    public LearningRateScheduleKind LearningRateSchedule { get; set; } = LearningRateScheduleKind.Constant;

    /// <summary>Epochs between decays for <see cref="LearningRateScheduleKind.StepDecay"/>. Default 1; at least 1.</summary>
    public int StepSize { get; set; } = 1;

    /// <summary>Factor applied at each decay (step or plateau). Default 0.5; in (0, 1].</summary>
    public double DecayFactor { get; set; } = 0.5;

    /// <summary>Epochs completed before <see cref="LearningRateScheduleKind.StepDecay"/> starts decaying. Default 0; at least 0.</summary>
    public int StartDecayAfterEpoch { get; set; }

    /// <summary>Epochs without improvement tolerated before <see cref="LearningRateScheduleKind.ReduceOnPlateau"/> decays. Default 1; at least 0.</summary>
    public int PlateauPatience { get; set; } = 1;

    /// <summary>
    /// Fraction of all the run's optimizer steps over which <see cref="LearningRateScheduleKind.SlantedTriangular"/> climbs to
    /// <see cref="LearningRate"/> (ULMFiT's <c>cut_frac</c>); the rest of the run descends. Ignored by the other schedules.
    /// Default 0.1; in (0, 1).
    /// </summary>
    public double WarmupFraction { get; set; } = 0.1;

    /// <summary>
    /// How many times smaller than <see cref="LearningRate"/> the lowest rate of <see cref="LearningRateScheduleKind.SlantedTriangular"/>
    /// is, at the first and the last step (ULMFiT's <c>ratio</c>); 1 keeps the rate constant. Ignored by the other schedules.
    /// Default 32; finite and at least 1.
    /// </summary>
    public double SlantedTriangularRatio { get; set; } = 32;

    /// <summary>Maximum global L2 norm of the gradients; larger gradients are scaled down. Default 5; 0 disables clipping; finite and at least 0.</summary>
    public double GradientClipNorm { get; set; } = 5;

    /// <summary>
    /// Fraction of the training rows held out (at random, from the seed) for validation when no validation set is
    /// given. Default 0 (no validation); in [0, 0.5].
    /// </summary>
    public double ValidationFraction { get; set; }

    /// <summary>
    /// Stop after this many consecutive epochs without improvement of the monitored value (the validation metric, else
    /// the validation loss, else the training loss). Default 0 (never stop early); at least 0.
    /// </summary>
    public int EarlyStoppingPatience { get; set; }

    /// <summary>
    /// When there is validation data, end training with the weights of the epoch that scored best on it.
    /// Default true.
    /// </summary>
    public bool RestoreBestWeights { get; set; } = true;

    /// <summary>Group sequences of similar length into the same batch to reduce padding. Default true.</summary>
    public bool LengthBucketing { get; set; } = true;

    /// <summary>Seed for shuffling and the validation split. Default null: taken from the MLContext.</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// Time allowed for the whole <c>Fit</c>, every ensemble member included: each member gets an equal share of the time
    /// left when it starts, and training stops after the batch that uses up its share (the epoch is then validated and
    /// recorded as usual). Every member trains at least one batch. Default null (no limit); greater than zero when set.
    /// </summary>
    public TimeSpan? MaxTrainingTime { get; set; }

    /// <summary>The clock the time limit and the progress reports read; tests replace it.</summary>
    internal TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Receives progress reports on the training thread (a thread of the library's own, which the Fit waits for). Default null.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Batches between progress reports (a report also follows every epoch). Default 10; at least 1.</summary>
    public int ProgressInterval { get; set; } = 10;

    /// <summary>Checked before every batch; cancellation throws <see cref="OperationCanceledException"/>. Default none.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// File in which the loop keeps a checkpoint of the run, rewritten atomically after every epoch: weights, optimizer
    /// state, learning-rate schedule, best weights so far, early-stopping counters, history and the random-number
    /// generator (which dropout and the sequence-to-sequence trainer's scheduled sampling draw from). When the file exists at the start of training, training resumes after its last epoch and ends with
    /// the same model an uninterrupted run would have produced. A checkpoint written for other training data, options,
    /// seed or network is refused with an <see cref="InvalidOperationException"/> naming the file. The file is kept
    /// after training; delete it to train from the beginning. <see cref="Epochs"/>, <see cref="MaxTrainingTime"/> and
    /// the progress settings may differ between the runs. Default null (no checkpoint). Trainers that build several
    /// networks (<c>EnsembleSize</c> &gt; 1) add <c>.member2</c>, <c>.member3</c>... to the name for the later members.
    /// The language-model trainer also saves its window cursor and the recurrent state it carries into the next window.
    /// A damaged file is reported with an <see cref="System.IO.InvalidDataException"/> naming it, and never loaded.
    /// </summary>
    public string? CheckpointPath { get; set; }

    /// <summary>
    /// The device that trains the network and, after training, scores with it: "cpu", "cuda" or "cuda:N". Default null:
    /// ML.NET's own settings decide, as for Microsoft.ML.TorchSharp: <c>MLContext.GpuDeviceId</c> (null means the CPU)
    /// and <c>MLContext.FallbackToCpu</c> when CUDA cannot be used. See docs/platform.md for the CUDA packages.
    /// </summary>
    public string? Device { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/>, naming the property, for a value outside its documented range.</summary>
    public void Validate()
    {
        Require(Epochs >= 1, Epochs, nameof(Epochs), "at least 1");
        Require(BatchSize >= 1, BatchSize, nameof(BatchSize), "at least 1");
        Require(Enum.IsDefined(Optimizer), Optimizer, nameof(Optimizer), "a defined OptimizerKind");
        Require(double.IsFinite(LearningRate) && LearningRate > 0, LearningRate, nameof(LearningRate), "finite and greater than 0");
        Require(double.IsFinite(WeightDecay) && WeightDecay >= 0, WeightDecay, nameof(WeightDecay), "finite and at least 0");
        Require(Momentum is >= 0 and < 1, Momentum, nameof(Momentum), "in [0, 1)");
        Require(Enum.IsDefined(LearningRateSchedule), LearningRateSchedule, nameof(LearningRateSchedule), "a defined LearningRateScheduleKind");
        Require(StepSize >= 1, StepSize, nameof(StepSize), "at least 1");
        Require(DecayFactor is > 0 and <= 1, DecayFactor, nameof(DecayFactor), "in (0, 1]");
        Require(StartDecayAfterEpoch >= 0, StartDecayAfterEpoch, nameof(StartDecayAfterEpoch), "at least 0");
        Require(PlateauPatience >= 0, PlateauPatience, nameof(PlateauPatience), "at least 0");
        Require(WarmupFraction is > 0 and < 1, WarmupFraction, nameof(WarmupFraction), "in (0, 1)");
        Require(double.IsFinite(SlantedTriangularRatio) && SlantedTriangularRatio >= 1, SlantedTriangularRatio, nameof(SlantedTriangularRatio), "finite and at least 1");
        Require(double.IsFinite(GradientClipNorm) && GradientClipNorm >= 0, GradientClipNorm, nameof(GradientClipNorm), "finite and at least 0 (0 disables clipping)");
        Require(ValidationFraction is >= 0 and <= 0.5, ValidationFraction, nameof(ValidationFraction), "in [0, 0.5]");
        Require(EarlyStoppingPatience >= 0, EarlyStoppingPatience, nameof(EarlyStoppingPatience), "at least 0 (0 disables early stopping)");
        Require(MaxTrainingTime is null || MaxTrainingTime > TimeSpan.Zero, MaxTrainingTime, nameof(MaxTrainingTime), "greater than zero, or null for no limit");
        Require(ProgressInterval >= 1, ProgressInterval, nameof(ProgressInterval), "at least 1");
        Require(CheckpointPath is null || !string.IsNullOrWhiteSpace(CheckpointPath), CheckpointPath, nameof(CheckpointPath), "null or a file path");
    }

    private static void Require(bool valid, object? value, string property, string range)
    {
        if (!valid)
            throw new ArgumentOutOfRangeException(property, value, $"TrainingOptions.{property} must be {range}; it is {value}.");
    }
}
