using Microsoft.ML.Recurrent.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// The tagger: word embedding, casing embedding and a character CNN per token, a bidirectional recurrent encoder,
/// and a linear layer giving one score per tag at every step (the CRF's emissions, or the softmax logits).
/// </summary>
/// <remarks>
/// Input: [batch, time, 2 + MaxWordCharacters] float steps as written by <c>TokenFeatures.Encoder</c> (Microsoft.ML.Recurrent).
/// The character CNN (Ma and Hovy, 2016) embeds each character, convolves with a window of 3 and max-pools over the
/// word, so that words never seen in training still get features from their spelling.
/// </remarks>
internal sealed class TaggerNetwork : Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding word_embedding;
    private readonly Embedding? casing_embedding;
    private readonly Embedding? char_embedding;
    private readonly Conv1d? char_convolution;
    private readonly RunDropout? input_dropout;
    private readonly RecurrentEncoder encoder;
    private readonly RunDropout? output_dropout;
    private readonly Linear output;
    private readonly ConditionalRandomField? crf;
    private readonly double _wordDropout;

    public TaggerNetwork(TaggerModelSettings settings, double wordDropout = 0, double dropout = 0) : base(nameof(TaggerNetwork))
    {
        Settings = settings;
        _wordDropout = wordDropout;
        word_embedding = nn.Embedding(settings.Words.Length + TaggerInputIds.FirstVocabularyId, settings.WordEmbeddingSize, padding_idx: TaggerInputIds.PaddingId);
        long inputSize = settings.WordEmbeddingSize;
        if (settings.CasingEmbeddingSize > 0)
        {
            casing_embedding = nn.Embedding(TaggerInputIds.CasingCount, settings.CasingEmbeddingSize, padding_idx: TaggerInputIds.PaddingId);
            inputSize += settings.CasingEmbeddingSize;
        }
        if (settings.UsesCharacters)
        {
            char_embedding = nn.Embedding(settings.Characters.Length + TaggerInputIds.FirstVocabularyId, settings.CharacterEmbeddingSize, padding_idx: TaggerInputIds.PaddingId);
            char_convolution = nn.Conv1d(settings.CharacterEmbeddingSize, settings.CharacterFilters, 3, padding: 1);
            inputSize += settings.CharacterFilters;
        }
        if (dropout > 0)
        {
            input_dropout = new RunDropout(dropout);
            output_dropout = new RunDropout(dropout);
        }
        encoder = new RecurrentEncoder(new RecurrentEncoderSettings
        {
            CellType = settings.CellType,
            HiddenSize = settings.HiddenSize,
            Layers = settings.Layers,
            Bidirectional = true,
            Dropout = dropout,
            InputSize = (int)inputSize,
        });
        output = nn.Linear(encoder.OutputSize, settings.Tags.Length);
        if (settings.UseCrf)
            crf = new ConditionalRandomField(settings.Tags.Length);
        RegisterComponents();
    }

    public TaggerModelSettings Settings { get; }

    /// <summary>The CRF layer, or null when tags are chosen independently per token.</summary>
    public ConditionalRandomField? Crf => crf;

    /// <summary>[batch, time, tags] scores; rows at padded steps are zero-input scores and must be masked by the caller.</summary>
    public override Tensor forward(Tensor steps, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        var ids = steps.to_type(ScalarType.Int64);
        var words = ids.select(2, 0);
        if (training && _wordDropout > 0)
        {
            // Word dropout: some known words become "unknown", so the network learns to tag from spelling and context
            // alone, which is what it must do for words it never saw.
            var drop = rand(words.shape, generator: TrainingRandom.Current).lt(_wordDropout).logical_and(words.gt(TaggerInputIds.UnknownId));
            words = words.masked_fill(drop, TaggerInputIds.UnknownId);
        }
        var parts = new List<Tensor> { word_embedding.call(words) };
        if (casing_embedding is not null)
            parts.Add(casing_embedding.call(ids.select(2, 1)));
        if (char_embedding is not null && char_convolution is not null)
            parts.Add(CharacterFeatures(ids.narrow(2, 2, Settings.MaxWordCharacters)));
        var x = cat(parts, 2);
        if (input_dropout is not null)
            x = input_dropout.call(x);
        var encoded = encoder.call(x, lengths).Sequence;
        if (output_dropout is not null)
            encoded = output_dropout.call(encoded);
        return output.call(encoded).MoveToOuterDisposeScope();
    }

    private Tensor CharacterFeatures(Tensor characters)
    {
        long batch = characters.shape[0], time = characters.shape[1], width = characters.shape[2];
        // [batch*time, chars, emb] -> [batch*time, emb, chars] for the convolution over character positions.
        var embedded = char_embedding!.call(characters.reshape(batch * time, width)).transpose(1, 2);
        var convolved = char_convolution!.call(embedded);
        // Positions past a word's end must not win the max: fill them with a large negative value first.
        var present = characters.reshape(batch * time, 1, width).gt(TaggerInputIds.PaddingId);
        var pooled = convolved.masked_fill(present.logical_not(), -1e4).max(2).values;
        // Padding steps (no characters) would pool to -1e4; give them zeros.
        var anyCharacter = present.any(2);
        pooled = pooled.masked_fill(anyCharacter.logical_not(), 0);
        return pooled.reshape(batch, time, -1);
    }
}
