using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>
/// Named binary entries inside a component's folder of the model .zip, each written with its length and a
/// SHA-256 digest so that a truncated or altered entry is reported instead of being handed to native code.
/// </summary>
internal static class ModelStreams
{
    /// <summary>Largest entry accepted on load; a header claiming more is treated as corruption, bounding memory.</summary>
    public const long MaxEntryBytes = 2L * 1024 * 1024 * 1024 - 1024;

    public static void SaveBytes(ModelSaveContext context, string name, byte[] bytes)
    {
        context.SaveBinaryStream(name, writer =>
        {
            writer.Write((long)bytes.Length);
            writer.Write(SHA256.HashData(bytes));
            writer.Write(bytes);
        });
    }

    public static byte[] LoadBytes(ModelLoadContext context, string name, string component)
        => TryLoadBytes(context, name, component) ?? throw Corrupt(component, name, "the entry is missing");

    /// <summary>Like <see cref="LoadBytes"/>, but returns null when the entry does not exist (optional entries).</summary>
    public static byte[]? TryLoadBytes(ModelLoadContext context, string name, string component)
    {
        byte[]? result = null;
        bool found = context.TryLoadBinaryStream(name, reader => result = ReadFramed(reader, component, name));
        return found ? result : null;
    }

    /// <summary>Reads an optional JSON entry; null when it does not exist.</summary>
    public static T? TryLoadJson<T>(ModelLoadContext context, string name, string component) where T : class
        => TryLoadBytes(context, name, component) is { } bytes ? Deserialize<T>(bytes, component, name) : null;

    /// <summary>Decodes the framing written by <see cref="SaveBytes"/>: length, SHA-256 digest, content, and nothing after it.</summary>
    public static byte[] ReadFramed(BinaryReader reader, string component, string name)
    {
        try
        {
            long length = reader.ReadInt64();
            if (length < 0 || length > MaxEntryBytes)
                throw Corrupt(component, name, $"it claims {length} bytes");
            byte[] expectedHash = reader.ReadBytes(32);
            byte[] bytes = ReadUpTo(reader.BaseStream, length);
            if (expectedHash.Length != 32 || bytes.Length != length)
                throw Corrupt(component, name, $"it is truncated ({bytes.Length} of {length} bytes)");
            if (!SHA256.HashData(bytes).AsSpan().SequenceEqual(expectedHash))
                throw Corrupt(component, name, "its content does not match the digest written with it");
            // The digest covers the declared length only; bytes after it would otherwise go unnoticed.
            if (reader.BaseStream.ReadByte() >= 0)
                throw Corrupt(component, name, $"it continues past the {length} bytes its header declares");
            return bytes;
        }
        catch (EndOfStreamException e)
        {
            throw Corrupt(component, name, "it ends early", e);
        }
    }

    // Grows with the bytes actually present, so an entry claiming a huge length cannot make the loader allocate it.
    private static byte[] ReadUpTo(Stream stream, long length)
    {
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        long remaining = length;
        while (remaining > 0)
        {
            int read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, remaining));
            if (read == 0)
                break;
            buffer.Write(chunk, 0, read);
            remaining -= read;
        }
        return buffer.ToArray();
    }

    public static void SaveJson<T>(ModelSaveContext context, string name, T value)
        => SaveBytes(context, name, JsonSerializer.SerializeToUtf8Bytes(value, JsonOptions));

    public static T LoadJson<T>(ModelLoadContext context, string name, string component)
        => Deserialize<T>(LoadBytes(context, name, component), component, name);

    internal static T Deserialize<T>(byte[] bytes, string component, string name)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, JsonOptions)
                ?? throw Corrupt(component, name, "it holds no value");
        }
        catch (JsonException e)
        {
            throw Corrupt(component, name, $"it is not valid JSON ({e.Message})", e);
        }
    }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private static InvalidDataException Corrupt(string component, string name, string reason, Exception? inner = null)
        => new($"The model file is damaged: entry '{name}' of component '{component}' cannot be read because {reason}. " +
               "Save the model again from the trained pipeline, or restore an intact copy.", inner);
}
