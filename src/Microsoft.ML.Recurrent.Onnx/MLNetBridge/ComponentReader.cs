using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>
/// A component's folder of a model .zip being loaded: what a transformer's loader reads its state through, so that
/// ML.NET's load context (internal to ML.NET) stays inside the bridge.
/// </summary>
internal sealed class ComponentReader
{
    internal ComponentReader(ModelLoadContext context) => Context = context;

    internal ModelLoadContext Context { get; }

    /// <summary>Reads a JSON entry written by <see cref="ModelStreams.SaveJson{T}"/>; throws naming the component when it is missing or damaged.</summary>
    public T LoadJson<T>(string name, string component) => ModelStreams.LoadJson<T>(Context, name, component);

    /// <summary>Reads an optional JSON entry; null when it does not exist.</summary>
    public T? TryLoadJson<T>(string name, string component) where T : class => ModelStreams.TryLoadJson<T>(Context, name, component);

    /// <summary>Reads a binary entry written by <see cref="ModelStreams.SaveBytes"/>.</summary>
    public byte[] LoadBytes(string name, string component) => ModelStreams.LoadBytes(Context, name, component);

    /// <summary>Reads an optional binary entry; null when it does not exist.</summary>
    public byte[]? TryLoadBytes(string name, string component) => ModelStreams.TryLoadBytes(Context, name, component);
}
