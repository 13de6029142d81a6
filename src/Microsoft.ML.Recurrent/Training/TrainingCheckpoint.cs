using Microsoft.ML.Recurrent.Modules;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.Recurrent.MLNetBridge;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// Everything <see cref="TrainingLoop"/> needs to continue a run after its last completed epoch as if it had never
/// stopped: weights, optimizer state, schedule, best-weight snapshot, early-stopping counters, history, and LibTorch's
/// random-number generator. Shuffling needs no state: each epoch's order comes from the seed and the epoch number.
/// A loop with state of its own (the language model's window cursor and carried recurrent state) adds it as
/// <see cref="TaskState"/>.
/// </summary>
/// <remarks>
/// File layout: the magic <c>RNNCKPT1</c>, the payload length (Int64), its SHA-256 digest, then the payload. The file
/// is written through <see cref="AtomicFile"/>, so a crash leaves the previous checkpoint or the new one, and a damaged
/// file is recognised before any byte reaches native code.
/// <see cref="TaskState"/> is the last field of the payload, behind a presence flag. A payload that ends before that
/// flag (written before the field existed) reads as having none, and a reader that predates it ignores the trailing
/// bytes, so the format keeps its magic in both directions.
/// </remarks>
internal sealed class TrainingCheckpoint
{
    private static readonly byte[] Magic = "RNNCKPT1"u8.ToArray();

    // Settings that do not change what the network learns: a run may resume with a different value.
    private static readonly HashSet<string> NotFingerprinted = new(StringComparer.Ordinal)
    {
        nameof(TrainingOptions.Epochs), nameof(TrainingOptions.Progress), nameof(TrainingOptions.ProgressInterval),
        nameof(TrainingOptions.CancellationToken), nameof(TrainingOptions.CheckpointPath), nameof(TrainingOptions.MaxTrainingTime),
    };

    public required string DataFingerprint { get; init; }
    public required string OptionsFingerprint { get; init; }
    public required int Epoch { get; init; }
    public required double BestValue { get; init; }
    public required int? BestEpoch { get; init; }
    public required int EpochsWithoutImprovement { get; init; }
    public required bool StoppedEarly { get; init; }
    public required (double Rate, double Best, int Wait) Scheduler { get; init; }
    public required IReadOnlyList<EpochSummary> History { get; init; }
    public required byte[] Weights { get; init; }
    public required byte[] OptimizerState { get; init; }
    public required byte[] RandomState { get; init; }
    public byte[]? BestWeights { get; init; }

    /// <summary>State of the calling loop beyond the shared one, opaque here; null for <see cref="TrainingLoop"/>.</summary>
    public byte[]? TaskState { get; init; }

    /// <summary>
    /// Fingerprint of the settings that shape the run: every scalar public property of the options' runtime type
    /// (except <see cref="NotFingerprinted"/>), the seed actually used, and the names and shapes of the model's tensors.
    /// </summary>
    public static string FingerprintOptions(TrainingOptions options, int seed, nn.Module model)
    {
        var text = new StringBuilder(options.GetType().FullName).Append('|').Append(seed);
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (NotFingerprinted.Contains(property.Name) || !(type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan)))
                continue;
            text.Append('|').Append(property.Name).Append('=').Append(Convert.ToString(property.GetValue(options), CultureInfo.InvariantCulture));
        }
        foreach (var (name, tensor) in model.state_dict())
            text.Append('|').Append(name).Append(':').Append(string.Join('x', tensor.shape));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The model's parameters and buffers.</summary>
    public static byte[] SerializeWeights(nn.Module model) => ModuleWeights.ToBytes(model);

    /// <summary>The optimizer's moments and step counts.</summary>
    public static byte[] SerializeOptimizer(optim.Optimizer optimizer)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            ((OptimizerHelper)optimizer).save_state_dict(writer);
        return stream.ToArray();
    }

    /// <summary>The training run's generator (<see cref="TrainingRandom"/>), which drives dropout.</summary>
    public static byte[] SerializeRandomState(TrainingRandom.Run run)
    {
        using var state = run.GetState();
        return SerializeTensors([("rng", state)]);
    }

    /// <summary>A best-weight snapshot as written by <see cref="EpochBookkeeping.Snapshot"/>.</summary>
    public static byte[] SerializeTensors(IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            var list = tensors.ToList();
            writer.Write(list.Count);
            foreach (var (name, tensor) in list)
            {
                writer.Write(name);
                tensor.Save(writer);
            }
        }
        return stream.ToArray();
    }

    /// <summary>Reads tensors written by <see cref="SerializeTensors"/>; the caller owns them.</summary>
    public static Dictionary<string, Tensor> DeserializeTensors(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false));
        int count = reader.ReadInt32();
        var result = new Dictionary<string, Tensor>(count);
        for (int i = 0; i < count; i++)
        {
            string name = reader.ReadString();
            result[name] = TensorExtensionMethods.Load(reader).DetachFromDisposeScope();
        }
        return result;
    }

    /// <summary>Restores the optimizer state written by <see cref="SerializeOptimizer"/>.</summary>
    public void RestoreOptimizer(optim.Optimizer optimizer)
    {
        using var reader = new BinaryReader(new MemoryStream(OptimizerState, writable: false));
        ((OptimizerHelper)optimizer).load_state_dict(reader);
    }

    /// <summary>Restores the training run's generator.</summary>
    public void RestoreRandomState(TrainingRandom.Run run)
    {
        var tensors = DeserializeTensors(RandomState);
        try
        {
            run.SetState(tensors["rng"]);
        }
        finally
        {
            foreach (var tensor in tensors.Values)
                tensor.Dispose();
        }
    }

    /// <summary>Writes the checkpoint atomically to <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(DataFingerprint);
            writer.Write(OptionsFingerprint);
            writer.Write(Epoch);
            writer.Write(BestValue);
            writer.Write(BestEpoch ?? 0);
            writer.Write(EpochsWithoutImprovement);
            writer.Write(StoppedEarly);
            writer.Write(Scheduler.Rate);
            writer.Write(Scheduler.Best);
            writer.Write(Scheduler.Wait);
            writer.Write(History.Count);
            foreach (var e in History)
            {
                writer.Write(e.Epoch);
                writer.Write(e.TrainingLoss);
                writer.Write(e.ValidationLoss ?? double.NaN);
                writer.Write(e.ValidationLoss.HasValue);
                writer.Write(e.ValidationMetric ?? double.NaN);
                writer.Write(e.ValidationMetric.HasValue);
                writer.Write(e.LearningRate);
                writer.Write(e.Seconds);
            }
            WriteBlob(writer, Weights);
            WriteBlob(writer, OptimizerState);
            WriteBlob(writer, RandomState);
            writer.Write(BestWeights is not null);
            if (BestWeights is not null)
                WriteBlob(writer, BestWeights);
            writer.Write(TaskState is not null);
            if (TaskState is not null)
                WriteBlob(writer, TaskState);
        }
        byte[] bytes = payload.ToArray();
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write((long)bytes.Length);
            writer.Write(SHA256.HashData(bytes));
            writer.Write(bytes);
        });
    }

    /// <summary>
    /// Reads the checkpoint at <paramref name="path"/>, or returns null when there is none. Throws
    /// <see cref="InvalidDataException"/> for a damaged file and <see cref="InvalidOperationException"/> for one written
    /// by a run on other data or with other settings.
    /// </summary>
    public static TrainingCheckpoint? TryLoad(string path, string dataFingerprint, string optionsFingerprint)
    {
        if (!File.Exists(path))
            return null;
        byte[] bytes = ReadVerified(path);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            string data = reader.ReadString(), settings = reader.ReadString();
            if (data != dataFingerprint)
                throw Mismatch(path, "other training data");
            if (settings != optionsFingerprint)
                throw Mismatch(path, "other training options, seed or network shape");
            int epoch = reader.ReadInt32();
            double bestValue = reader.ReadDouble();
            int bestEpoch = reader.ReadInt32();
            int wait = reader.ReadInt32();
            bool stoppedEarly = reader.ReadBoolean();
            var scheduler = (reader.ReadDouble(), reader.ReadDouble(), reader.ReadInt32());
            int count = reader.ReadInt32();
            if (count < 0 || count > epoch)
                throw Damaged(path, $"it lists {count} epochs after epoch {epoch}");
            var history = new List<EpochSummary>(count);
            for (int i = 0; i < count; i++)
            {
                int number = reader.ReadInt32();
                double loss = reader.ReadDouble();
                double validationLoss = reader.ReadDouble();
                bool hasValidationLoss = reader.ReadBoolean();
                double metric = reader.ReadDouble();
                bool hasMetric = reader.ReadBoolean();
                history.Add(new EpochSummary(number, loss, hasValidationLoss ? validationLoss : null, hasMetric ? metric : null, reader.ReadDouble(), reader.ReadDouble()));
            }
            return new TrainingCheckpoint
            {
                DataFingerprint = data,
                OptionsFingerprint = settings,
                Epoch = epoch,
                BestValue = bestValue,
                BestEpoch = bestEpoch == 0 ? null : bestEpoch,
                EpochsWithoutImprovement = wait,
                StoppedEarly = stoppedEarly,
                Scheduler = scheduler,
                History = history,
                Weights = ReadBlob(reader),
                OptimizerState = ReadBlob(reader),
                RandomState = ReadBlob(reader),
                BestWeights = reader.ReadBoolean() ? ReadBlob(reader) : null,
                // Initializers run in order, so this reads after the best weights; an older payload simply ends here.
                TaskState = reader.BaseStream.Position < reader.BaseStream.Length && reader.ReadBoolean() ? ReadBlob(reader) : null,
            };
        }
        catch (EndOfStreamException e)
        {
            throw Damaged(path, "it ends early", e);
        }
    }

    private static byte[] ReadVerified(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        try
        {
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
                throw Damaged(path, "it is not a training checkpoint");
            long length = reader.ReadInt64();
            if (length < 0 || length > stream.Length - stream.Position)
                throw Damaged(path, $"it claims {length} bytes of content but the file holds {stream.Length} bytes");
            byte[] digest = reader.ReadBytes(32);
            byte[] bytes = reader.ReadBytes((int)Math.Min(length, int.MaxValue));
            if (bytes.Length != length || !SHA256.HashData(bytes).AsSpan().SequenceEqual(digest))
                throw Damaged(path, "its content does not match the digest written with it");
            return bytes;
        }
        catch (EndOfStreamException e)
        {
            throw Damaged(path, "it ends early", e);
        }
    }

    private static void WriteBlob(BinaryWriter writer, byte[] bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private static byte[] ReadBlob(BinaryReader reader)
    {
        int length = reader.ReadInt32();
        if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
            throw new EndOfStreamException();
        return reader.ReadBytes(length);
    }

    private static InvalidOperationException Mismatch(string path, string what) =>
        new($"The training checkpoint '{path}' was written by a run with {what}, so this run cannot resume from it. " +
            "Delete the file to train from the beginning, or set TrainingOptions.CheckpointPath to another file.");

    /// <summary>The exception for a checkpoint whose content cannot be used: names the file and the reason.</summary>
    internal static InvalidDataException Damaged(string path, string reason, Exception? inner = null) =>
        new($"The training checkpoint '{path}' is damaged: {reason}. Delete it to train from the beginning.", inner);
}
