namespace Microsoft.ML.Recurrent.Training;

/// <summary>Outcome of one training epoch.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainingLoss">Mean training loss over the epoch's examples (weights change during the epoch).</param>
/// <param name="ValidationLoss">Mean validation loss after the epoch, or null without validation data.</param>
/// <param name="ValidationMetric">The task's validation metric after the epoch (e.g. accuracy), or null when there is none.</param>
/// <param name="LearningRate">Learning rate used during the epoch.</param>
/// <param name="Seconds">Wall-clock duration of the epoch including validation.</param>
public sealed record EpochSummary(int Epoch, double TrainingLoss, double? ValidationLoss, double? ValidationMetric, double LearningRate, double Seconds);

/// <summary>A progress report, sent every few batches and after each epoch.</summary>
/// <param name="Epoch">1-based epoch number (of the network being trained: each ensemble member counts from 1).</param>
/// <param name="Batch">Batches completed in this epoch (fewer than <paramref name="BatchCount"/> at the end of an epoch cut short by the time limit).</param>
/// <param name="BatchCount">Batches per epoch.</param>
/// <param name="Loss">Mean training loss of this epoch so far.</param>
/// <param name="Elapsed">Time since the <c>Fit</c> started: one clock for every ensemble member.</param>
/// <param name="CompletedEpoch">The epoch's summary when the report marks its end; null for reports within an epoch.</param>
public sealed record TrainingProgress(int Epoch, int Batch, int BatchCount, double Loss, TimeSpan Elapsed, EpochSummary? CompletedEpoch)
{
    /// <summary>0-based index of the network being trained among the <see cref="MemberCount"/> of an ensemble; 0 without one.</summary>
    public int MemberIndex { get; init; }

    /// <summary>Networks the <c>Fit</c> trains one after another (<c>EnsembleSize</c>); 1 without an ensemble.</summary>
    public int MemberCount { get; init; } = 1;
}

/// <summary>Per-epoch record of a training run.</summary>
public sealed class TrainingHistory
{
    private readonly List<EpochSummary> _epochs = [];

    /// <summary>One summary per completed epoch, in order.</summary>
    public IReadOnlyList<EpochSummary> Epochs => _epochs;

    /// <summary>
    /// The validation of the model before training, when that model was itself a candidate (a model that starts from
    /// a fitted linear model on wide features): epoch 0, whose training loss is not measured (0). Null otherwise.
    /// </summary>
    public EpochSummary? Start { get; internal set; }

    /// <summary>
    /// 1-based epoch whose monitored value (validation metric, else validation loss, else training loss) was best;
    /// 0 when no epoch beat the <see cref="Start"/>; null before the first epoch ends.
    /// </summary>
    public int? BestEpoch { get; internal set; }

    /// <summary>Name of the monitored value: the task's validation metric name, "validation loss" or "training loss".</summary>
    public string MonitoredValue { get; internal set; } = "training loss";

    /// <summary>True when early stopping ended training before <see cref="TrainingOptions.Epochs"/> epochs.</summary>
    public bool StoppedEarly { get; internal set; }

    /// <summary>True when <see cref="TrainingOptions.MaxTrainingTime"/> ended training before <see cref="TrainingOptions.Epochs"/> epochs (possibly within an epoch).</summary>
    public bool StoppedByTimeLimit { get; internal set; }

    /// <summary>True when the weights of <see cref="BestEpoch"/> were restored at the end.</summary>
    public bool RestoredBestWeights { get; internal set; }

    internal void Add(EpochSummary summary) => _epochs.Add(summary);
}

/// <summary>Thrown when the training loss becomes NaN or infinite.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for a non-finite loss at a 1-based epoch and batch.</summary>
    public TrainingDivergedException(int epoch, int batch, double loss)
        : base($"Training diverged: the loss became {loss} at epoch {epoch}, batch {batch}. " +
               "Try a lower learning rate, enable or tighten gradient clipping (GradientClipNorm), or check the data for extreme values.")
    {
        Epoch = epoch;
        Batch = batch;
        Loss = loss;
    }

    /// <summary>Creates the exception with a custom message.</summary>
    public TrainingDivergedException(string message) : base(message) { }

    /// <summary>Creates the exception with a custom message and inner exception.</summary>
    public TrainingDivergedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with a default message.</summary>
    public TrainingDivergedException() : base("Training diverged: the loss became NaN or infinite.") { }

    /// <summary>1-based epoch of the non-finite loss (0 when unknown).</summary>
    public int Epoch { get; }

    /// <summary>1-based batch within the epoch (0 when unknown).</summary>
    public int Batch { get; }

    /// <summary>The non-finite loss value.</summary>
    public double Loss { get; } = double.NaN;
}
