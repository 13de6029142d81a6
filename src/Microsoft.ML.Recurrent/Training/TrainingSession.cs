namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// What one <c>Fit</c> shares among the networks it trains: one clock started with the Fit, the one time limit
/// (<see cref="TrainingOptions.MaxTrainingTime"/>), the one cancellation token, the log and the progress reports, which
/// carry the ensemble member they come from.
/// </summary>
/// <remarks>
/// The time limit covers the whole Fit. Each ensemble member gets an equal share of what is left when it starts, so a
/// member that finishes early leaves more for the ones after it and no member is left untrained; the loops check the
/// member's share after every batch. Every member trains at least one batch, so the Fit may overrun the limit by one
/// batch per member and the validation of the epochs those batches end.
/// </remarks>
internal sealed class TrainingSession
{
    private readonly TimeProvider _time;
    private readonly long _started;

    /// <summary>Starts the clock of a Fit that trains <paramref name="memberCount"/> networks one after another.</summary>
    public TrainingSession(TrainingOptions options, int memberCount, Action<string>? log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(memberCount, 1);
        Options = options;
        MemberCount = memberCount;
        Log = log;
        _time = options.TimeProvider;
        _started = _time.GetTimestamp();
    }

    /// <summary>The options of the Fit.</summary>
    public TrainingOptions Options { get; }

    /// <summary>Networks the Fit trains (the ensemble size).</summary>
    public int MemberCount { get; }

    /// <summary>Receives one line per event, or null.</summary>
    public Action<string>? Log { get; }

    /// <summary>Time since the Fit started.</summary>
    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    /// <summary>
    /// The run of member <paramref name="index"/> (0-based), starting now: its seed, its checkpoint file, and its share
    /// of the time left (see the remarks of <see cref="TrainingSession"/>).
    /// </summary>
    public TrainingMember StartMember(int index, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, MemberCount);
        TimeSpan? deadline = null;
        if (Options.MaxTrainingTime is { } limit)
        {
            var now = Elapsed;
            var left = limit - now;
            deadline = left <= TimeSpan.Zero ? now : now + left / (MemberCount - index);
        }
        return new TrainingMember(this, index, seed, MemberCheckpointPath(Options.CheckpointPath, index), deadline);
    }

    /// <summary>The checkpoint file of member <paramref name="member"/> (0-based): the path itself for the first, <c>.member{n}</c> appended for the others.</summary>
    private static string? MemberCheckpointPath(string? path, int member) => path is null || member == 0 ? path : $"{path}.member{member + 1}";
}

/// <summary>One network's run within a <see cref="TrainingSession"/>: what the training loops need beyond the options.</summary>
internal sealed class TrainingMember
{
    private readonly TimeSpan? _deadline;

    internal TrainingMember(TrainingSession session, int index, int seed, string? checkpointPath, TimeSpan? deadline)
    {
        Session = session;
        Index = index;
        Seed = seed;
        CheckpointPath = checkpointPath;
        _deadline = deadline;
    }

    /// <summary>A session of its own for a loop run outside a trainer (one member, the options' seed or <paramref name="defaultSeed"/>).</summary>
    public static TrainingMember Alone(TrainingOptions options, Action<string>? log, int defaultSeed)
        => new TrainingSession(options, 1, log).StartMember(0, defaultSeed);

    /// <summary>The Fit this run belongs to.</summary>
    public TrainingSession Session { get; }

    /// <summary>0-based ensemble index.</summary>
    public int Index { get; }

    /// <summary>The member's seed (the Fit's seed for the first member); <see cref="TrainingOptions.Seed"/>, when set, takes precedence in the loops.</summary>
    public int Seed { get; }

    /// <summary>This member's checkpoint file, or null.</summary>
    public string? CheckpointPath { get; }

    /// <summary>True once this member's share of the time limit is used up.</summary>
    public bool OutOfTime => _deadline is { } deadline && Session.Elapsed >= deadline;

    /// <summary>Throws <see cref="OperationCanceledException"/> when the Fit's token is cancelled.</summary>
    public void ThrowIfCancellationRequested() => Session.Options.CancellationToken.ThrowIfCancellationRequested();

    /// <summary>Writes a line to the Fit's log.</summary>
    public void Log(string line) => Session.Log?.Invoke(line);

    /// <summary>Sends a progress report stamped with the Fit's clock and this member's index.</summary>
    public void Report(int epoch, int batch, int batchCount, double loss, EpochSummary? completedEpoch)
        => Session.Options.Progress?.Report(new TrainingProgress(epoch, batch, batchCount, loss, Session.Elapsed, completedEpoch)
        {
            MemberIndex = Index,
            MemberCount = Session.MemberCount,
        });
}
