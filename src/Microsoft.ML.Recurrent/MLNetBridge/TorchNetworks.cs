using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.MLNetBridge;

/// <summary>The trained networks (one, or a seed ensemble) that a <see cref="TorchTransformerBase{TSettings}"/> is built from.</summary>
/// <remarks>
/// The constructors of the transformers take this type instead of TorchSharp's because of how models load: ML.NET's
/// <c>ComponentCatalog.RegisterAssembly</c> looks up the loader of every <c>[LoadableClass]</c> of this library with
/// <c>Type.GetConstructor</c>, which resolves the parameter types of every constructor of each class. A constructor
/// naming <c>nn.Module</c> therefore loaded TorchSharp's assembly in every process that loads any model of this
/// library, including an ONNX deployment pipeline that never creates a tensor. Resolving this type loads nothing
/// from TorchSharp: the runtime lays out a reference-typed field without loading the field's type.
/// </remarks>
internal sealed class TorchNetworks
{
    internal TorchNetworks(IReadOnlyList<nn.Module> modules) => Modules = modules;

    internal TorchNetworks(nn.Module module) => Modules = [module];

    internal IReadOnlyList<nn.Module> Modules { get; }
}
