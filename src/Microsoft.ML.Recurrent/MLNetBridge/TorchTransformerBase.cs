using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Inspection;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>
/// Base of every transformer whose state is one or more TorchSharp networks (several for a seed ensemble).
/// </summary>
/// <remarks>
/// It owns the networks, keeps them in evaluation mode, runs inference under <c>no_grad</c> in a dispose scope
/// (both are per thread in LibTorch, so concurrent PredictionEngines and cursors need no lock), and saves the
/// hyper-parameters and weights inside the model .zip.
/// It is deliberately not <see cref="IDisposable"/>: ML.NET disposes a disposable transformer when a
/// PredictionEngine made from it (or a chain holding it) is disposed, which would break every other engine and the
/// model itself. The networks' native memory is freed when the transformer is collected, or at once by
/// <see cref="ReleaseNativeMemory"/>.
/// Saved layout: the component's version header; entry "Settings" (JSON of <typeparamref name="TSettings"/>);
/// entry "NetworkCount" (JSON integer); entries "Weights0".. (TorchSharp state dictionaries); optional entry "Story"
/// (JSON of <see cref="ModelStory"/>). Every entry carries its length and SHA-256 digest (see <see cref="ModelStreams"/>).
/// </remarks>
/// <typeparam name="TSettings">Everything needed to rebuild the networks and interpret their outputs.</typeparam>
public abstract class TorchTransformerBase<TSettings> : RecurrentTransformerBase, IHasModelStory
    where TSettings : class
{
    private readonly ComponentFormat _format;
    private readonly nn.Module[] _networks;
    private bool _disposed;

    private protected TorchTransformerBase(IHostEnvironment environment, string name, ComponentFormat format, TSettings settings, TorchNetworks networks)
        : base(environment, name)
    {
        if (networks.Modules.Count == 0)
            throw new ArgumentException("At least one network is required.", nameof(networks));
        TorchRuntime.EnsureInitialized();
        _format = format;
        Settings = settings;
        _networks = networks.Modules.ToArray();
        foreach (var network in _networks)
            network.eval();
    }

    internal TSettings Settings { get; }

    /// <summary>The device the networks are on (where they were trained, or where the loading context put them).</summary>
    private protected Device NetworkDevice => TensorDevices.DeviceOf(_networks[0]);

    /// <summary>How the model was trained (settings, history, data fingerprint, versions); null for models saved without one.</summary>
    public ModelStory? Story { get; internal set; }

    internal IReadOnlyList<nn.Module> Networks
    {
        get
        {
            ThrowIfDisposed();
            return _networks;
        }
    }

    private protected sealed override void Save(ModelSaveContext ctx)
    {
        ThrowIfDisposed();
        _format.BeginSave(ctx);
        ModelStreams.SaveJson(ctx, "Settings", Settings);
        ModelStreams.SaveJson(ctx, "NetworkCount", _networks.Length);
        for (int i = 0; i < _networks.Length; i++)
            ModelStreams.SaveBytes(ctx, $"Weights{i}", ModuleWeights.ToBytes(_networks[i]));
        if (Story is not null)
            ModelStreams.SaveJson(ctx, StoryEntry, Story);
    }

    internal const string StoryEntry = "Story";

    /// <summary>What <see cref="LoadCore"/> read: deconstructs into settings and networks (and the story, which may be null).</summary>
    private protected sealed record LoadedState(TSettings Settings, nn.Module[] Networks, ModelStory? Story)
    {
        public void Deconstruct(out TSettings settings, out nn.Module[] networks) => (settings, networks) = (Settings, Networks);
    }

    /// <summary>
    /// Reads what <see cref="Save"/> wrote, rebuilding each network with <paramref name="build"/> and placing it on
    /// the device the loading context asks for (<c>MLContext.GpuDeviceId</c> and <c>FallbackToCpu</c>; the CPU by default).
    /// </summary>
    private protected static LoadedState LoadCore(IHostEnvironment environment, ComponentReader reader, ComponentFormat format, Func<TSettings, nn.Module> build)
    {
        format.BeginLoad(reader);
        TorchRuntime.EnsureInitialized();
        var settings = reader.LoadJson<TSettings>("Settings", format.LoaderSignature);
        int count = reader.LoadJson<int>("NetworkCount", format.LoaderSignature);
        if (count is < 1 or > 1000)
            throw new InvalidDataException($"The model file is damaged: component '{format.LoaderSignature}' claims {count} networks.");
        var networks = new nn.Module[count];
        for (int i = 0; i < count; i++)
        {
            byte[] weights = reader.LoadBytes($"Weights{i}", format.LoaderSignature);
            // Constructing a network draws initial weights from LibTorch's process-wide generator before the saved
            // weights replace them: under the seeding lock, so that a load changes neither a training running beside
            // it nor the application's own draws.
            networks[i] = TorchSeeding.Create(0, () => build(settings));
            ModuleWeights.Load(networks[i], weights, $"{format.LoaderSignature}/Weights{i}");
        }
        var device = TorchDevices.Resolve(environment, null, null);
        foreach (var network in networks)
            network.to(device);
        var story = reader.TryLoadJson<ModelStory>(StoryEntry, format.LoaderSignature);
        return new LoadedState(settings, networks, story);
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
            throw new ObjectDisposedException(GetType().Name,
                $"This {GetType().Name} has released its networks (ReleaseNativeMemory was called), so it can no longer predict or be saved.");
    }

    /// <summary>
    /// Frees the networks' native memory now instead of at garbage collection. The transformer cannot be used afterwards;
    /// call it only when no PredictionEngine or cursor still uses the model.
    /// </summary>
    public void ReleaseNativeMemory()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (var network in _networks)
            network.Dispose();
    }
}
