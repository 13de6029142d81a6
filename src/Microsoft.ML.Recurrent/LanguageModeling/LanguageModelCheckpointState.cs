using System.Text;
using Microsoft.ML.Recurrent.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.LanguageModeling;

/// <summary>
/// What <see cref="LanguageModelTrainingLoop"/> keeps across epochs beyond the shared training state, stored as the
/// <see cref="TrainingCheckpoint.TaskState"/> of its checkpoints: the window the next batch reads (with
/// <see cref="LanguageModelTrainerOptions.BatchesPerEpoch"/> an epoch can end in the middle of a pass) and the
/// recurrent state carried into that window (hidden, and cell for an LSTM), and the state of the between-layer dropout
/// stream (<see cref="FusedDropoutRandom"/>) when the network has one. The recurrent state is saved rather than
/// recomputed, because recomputing it would mean replaying the pass with the weights it was computed with.
/// </summary>
internal static class LanguageModelCheckpointState
{
    // Written first, so that a blob from some other loop is recognised instead of misread.
    private const string Tag = "language-model/1";
    private const string LayerDropoutName = "layer-dropout-rng";

    /// <summary>
    /// Serializes the cursor, the carried state (null when the next window starts a pass from zeros) and the
    /// between-layer dropout stream's state (null when the network has none).
    /// </summary>
    public static byte[] Serialize(int cursor, int windows, RecurrentState? state, Tensor? layerDropoutState)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Tag);
            writer.Write(cursor);
            writer.Write(windows);
            var tensors = new List<(string, Tensor)>();
            if (state is not null)
            {
                tensors.Add(("hidden", state.Hidden));
                if (state.Cell is not null)
                    tensors.Add(("cell", state.Cell));
            }
            if (layerDropoutState is not null)
                tensors.Add((LayerDropoutName, layerDropoutState));
            byte[] blob = TrainingCheckpoint.SerializeTensors(tensors);
            writer.Write(blob.Length);
            writer.Write(blob);
        }
        return stream.ToArray();
    }

    /// <summary>
    /// Reads what <see cref="Serialize"/> wrote and checks it against this run: the same number of windows per pass
    /// and a state of shape [layers, streams, hidden] (with a cell exactly for an LSTM), and a between-layer dropout
    /// state exactly when <paramref name="hasLayerDropout"/>. The caller owns the returned tensors.
    /// </summary>
    /// <exception cref="InvalidDataException">The blob is missing or does not fit this run; names <paramref name="path"/>.</exception>
    public static (int Cursor, RecurrentState? State, Tensor? LayerDropoutState) Deserialize(byte[]? bytes, string path, int windows, long[] stateShape,
        bool hasCell, bool hasLayerDropout)
    {
        if (bytes is null)
            throw TrainingCheckpoint.Damaged(path, "it holds no language-model state (window cursor, recurrent state)");
        Dictionary<string, Tensor> tensors;
        int cursor, savedWindows;
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            if (reader.ReadString() != Tag)
                throw TrainingCheckpoint.Damaged(path, "its task state is not a language model's");
            cursor = reader.ReadInt32();
            savedWindows = reader.ReadInt32();
            int length = reader.ReadInt32();
            if (length < 0 || length > bytes.Length)
                throw new EndOfStreamException();
            tensors = TrainingCheckpoint.DeserializeTensors(reader.ReadBytes(length));
        }
        catch (EndOfStreamException e)
        {
            throw TrainingCheckpoint.Damaged(path, "its language-model state ends early", e);
        }

        RecurrentState? state = null;
        Tensor? layerDropout = null;
        try
        {
            if (savedWindows != windows || cursor < 0 || cursor >= windows)
                throw TrainingCheckpoint.Damaged(path, $"its window cursor {cursor} of {savedWindows} does not fit this run's {windows} windows per pass");
            tensors.TryGetValue("hidden", out var hidden);
            tensors.TryGetValue("cell", out var cell);
            tensors.TryGetValue(LayerDropoutName, out var dropoutState);
            if (hidden is null ? cell is not null : !Fits(hidden, stateShape) || (cell is null ? hasCell : !hasCell || !Fits(cell, stateShape)))
                throw TrainingCheckpoint.Damaged(path, $"its recurrent state does not have this network's shape [{string.Join(", ", stateShape)}]");
            if ((dropoutState is not null) != hasLayerDropout || dropoutState is { dtype: not ScalarType.Byte })
                throw TrainingCheckpoint.Damaged(path, "its between-layer dropout state does not fit this network");
            state = hidden is null ? null : new RecurrentState(hidden, cell);
            layerDropout = dropoutState;
            return (cursor, state, layerDropout);
        }
        finally
        {
            // Everything not handed over in the state is released here, on success and on failure alike.
            foreach (var tensor in tensors.Values)
            {
                if (!ReferenceEquals(tensor, state?.Hidden) && !ReferenceEquals(tensor, state?.Cell) && !ReferenceEquals(tensor, layerDropout))
                    tensor.Dispose();
            }
        }
    }

    private static bool Fits(Tensor tensor, long[] shape) => tensor.dtype == ScalarType.Float32 && tensor.shape.SequenceEqual(shape);
}
