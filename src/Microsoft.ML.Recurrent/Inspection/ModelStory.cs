using System.Text.Json;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Inspection;

/// <summary>
/// What a trained component knows about how it came to be, saved inside the model .zip next to its weights:
/// hyper-parameters, per-epoch history, final validation figures, a fingerprint of the training data, the seed,
/// the versions of this library, TorchSharp and LibTorch, and when it was created.
/// </summary>
/// <remarks>Read it from a loaded model with <see cref="ModelInspector.Stories(ITransformer)"/>, or from a .zip without
/// loading any network with <see cref="ModelInspector.ReadStories(string)"/>.</remarks>
public sealed record ModelStory
{
    /// <summary>The component's loader name, e.g. "RecurrentSequenceModel".</summary>
    public string Component { get; init; } = "";

    /// <summary>The task, e.g. "BinaryClassification".</summary>
    public string Task { get; init; } = "";

    /// <summary>Every setting of the trainer's options that has a plain value, by name.</summary>
    public IReadOnlyDictionary<string, string> Hyperparameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Per-epoch figures of each trained network (one list per ensemble member).</summary>
    public IReadOnlyList<IReadOnlyList<EpochSummary>> History { get; init; } = [];

    /// <summary>The value training monitored for early stopping and best-weight selection, e.g. "accuracy" or "validation loss".</summary>
    public string MonitoredValue { get; init; } = "";

    /// <summary>Final figures: the monitored value at the kept epoch of each network, and anything the trainer adds.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Number of training rows read.</summary>
    public long TrainingRows { get; init; }

    /// <summary>SHA-256 (hex) over the training sequences and targets as the trainer read them; equal data gives an equal fingerprint.</summary>
    public string TrainingDataFingerprint { get; init; } = "";

    /// <summary>The seed that initialized the networks and shuffled the data.</summary>
    public int Seed { get; init; }

    /// <summary>Version of Microsoft.ML.Recurrent that trained the model.</summary>
    public string LibraryVersion { get; init; } = "";

    /// <summary>Version of TorchSharp that trained the model.</summary>
    public string TorchSharpVersion { get; init; } = "";

    /// <summary>Version of LibTorch that trained the model.</summary>
    public string LibTorchVersion { get; init; } = "";

    /// <summary>When training finished (UTC).</summary>
    public DateTimeOffset CreatedUtc { get; init; }

    /// <summary>The story as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, MLNetBridge.ModelStreams.JsonOptions);
}
