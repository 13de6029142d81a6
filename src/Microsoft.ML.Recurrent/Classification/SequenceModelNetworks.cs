using Microsoft.ML.Recurrent.Modules;

namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// Builds the TorchSharp network a <see cref="SequenceModelSettings"/> describes. Kept apart from the settings record,
/// which lives in Microsoft.ML.Recurrent.Onnx (no TorchSharp) because ONNX deployments read it too.
/// </summary>
internal static class SequenceModelNetworks
{
    /// <summary>Builds an untrained network of this shape (dropout settings do not matter for inference).</summary>
    internal static SequenceClassifierNetwork BuildNetwork(this SequenceModelSettings settings, float[,]? embeddingMatrix = null, bool freezeEmbeddings = false,
        double embeddingDropout = 0, double layerDropout = 0, double outputDropout = 0)
        => new(new RecurrentEncoderSettings
        {
            CellType = settings.CellType,
            HiddenSize = settings.HiddenSize,
            Layers = settings.Layers,
            Bidirectional = settings.Bidirectional,
            Dropout = layerDropout,
            InputSize = settings.UsesTokens ? 0 : settings.FeatureSize,
            VocabularySize = settings.UsesTokens ? settings.VocabularySize : 0,
            EmbeddingSize = settings.UsesTokens ? settings.EmbeddingSize : null,
            EmbeddingMatrix = embeddingMatrix,
            FreezeEmbeddings = freezeEmbeddings,
            EmbeddingDropout = embeddingDropout,
        }, settings.OutputSize, outputDropout, settings.Pooling, settings.UsesWideFeatures ? settings.WideFeatureSize : 0);
}
