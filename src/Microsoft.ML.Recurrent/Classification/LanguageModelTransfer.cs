using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// Initializes a sequence classifier's encoder from a trained language model (the transfer step of ULMFiT, Howard
/// and Ruder 2018): the token embedding and, layer by layer, the forward direction's recurrent weights. The head, the
/// pooling and a bidirectional encoder's backward directions keep their fresh initialization.
/// </summary>
/// <remarks>
/// The two networks must agree on what a token id means and on the shapes: same vocabulary (the language model's
/// tokenizer in front of the classifier), cell type, embedding width and hidden size. Stacked layers above the first
/// copy only into a unidirectional encoder, where their input is the layer below's output as in the language model; a
/// bidirectional encoder's upper layers read both directions and start fresh.
/// </remarks>
internal static class LanguageModelTransfer
{
    /// <summary>What was copied: the embedding and the indices of the forward layers.</summary>
    internal sealed record Outcome(bool Embedding, IReadOnlyList<int> Layers);

    /// <summary>Copies <paramref name="languageModel"/>'s weights into <paramref name="classifier"/>'s encoder.</summary>
    /// <exception cref="InvalidOperationException">The networks' shapes disagree; the message names the setting.</exception>
    internal static Outcome CopyInto(LanguageModelNetwork languageModel, LanguageModelSettings lmSettings, SequenceClassifierNetwork classifier)
    {
        var encoder = classifier.Encoder;
        var settings = encoder.Settings;
        Require(encoder.EmbeddingLayer is not null, "the classifier reads token ids (FeatureSize 0)", "it reads float features");
        Require(settings.CellType == lmSettings.CellType, $"CellType {lmSettings.CellType}", $"{settings.CellType}");
        Require(settings.HiddenSize == lmSettings.HiddenSize, $"HiddenSize {lmSettings.HiddenSize}", $"{settings.HiddenSize}");
        long embeddingWidth = encoder.EmbeddingLayer!.weight!.shape[1];
        Require(embeddingWidth == lmSettings.EmbeddingSize, $"EmbeddingSize {lmSettings.EmbeddingSize}", $"{embeddingWidth}");
        long vocabulary = encoder.EmbeddingLayer.weight!.shape[0];
        Require(vocabulary == lmSettings.VocabularySize,
            $"a vocabulary of {lmSettings.VocabularySize} token ids (the language model's tokenizer in front of the classifier)", $"{vocabulary}");

        var source = languageModel.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var noGrad = no_grad();
        encoder.EmbeddingLayer.weight!.copy_(source["embedding.weight"]);
        int layers = settings.Bidirectional ? 1 : Math.Min(settings.Layers, lmSettings.Layers);
        var copied = new List<int>();
        for (int layer = 0; layer < layers; layer++)
        {
            foreach (var (name, target) in encoder.ForwardLayer(layer).Inner.named_parameters())
            {
                // A single-layer module names its weights weight_ih_l0, ...; the language model's layer k is ..._l{k}.
                string sourceName = "rnn." + name[..^1] + layer.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (!name.EndsWith("_l0", StringComparison.Ordinal) || !source.TryGetValue(sourceName, out var weights))
                    throw new InvalidOperationException($"The language model has no weight '{sourceName}' for the classifier's '{name}'.");
                target.copy_(weights);
            }
            copied.Add(layer);
        }
        return new Outcome(true, copied);

        static void Require(bool condition, string expected, string actual)
        {
            if (!condition)
                throw new InvalidOperationException(
                    $"The classifier cannot start from this language model: it needs {expected} to match the language model, but has {actual}.");
        }
    }
}
