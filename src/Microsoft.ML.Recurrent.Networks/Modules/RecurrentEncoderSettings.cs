namespace Microsoft.ML.Recurrent.Modules;

/// <summary>
/// Shape and regularization of a <see cref="RecurrentEncoder"/>. The encoder reads token ids through an embedding when
/// <see cref="VocabularySize"/> is positive or <see cref="EmbeddingMatrix"/> is set, and float feature vectors of width
/// <see cref="InputSize"/> otherwise.
/// </summary>
internal sealed record RecurrentEncoderSettings
{
    /// <summary>Default of <see cref="HiddenSize"/>.</summary>
    public const int DefaultHiddenSize = 128;

    /// <summary>Default of <see cref="EmbeddingSize"/> when no <see cref="EmbeddingMatrix"/> is given.</summary>
    public const int DefaultEmbeddingSize = 100;

    /// <summary>The recurrent cell of every layer. Default <see cref="RecurrentCellType.Lstm"/>.</summary>
    public RecurrentCellType CellType { get; init; } = RecurrentCellType.Lstm;

    /// <summary>Features per direction of every layer. Default 128.</summary>
    public int HiddenSize { get; init; } = DefaultHiddenSize;

    /// <summary>Number of stacked layers. Default 1.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Whether each layer also reads every sequence backwards, doubling the output features. Default false.</summary>
    public bool Bidirectional { get; init; }

    /// <summary>Dropout probability between stacked layers, in [0, 1), applied in training mode only. Default 0.</summary>
    public double Dropout { get; init; }

    /// <summary>Width of float feature vectors when there is no embedding; ignored otherwise. Default 0 (must be set for float input).</summary>
    public int InputSize { get; init; }

    /// <summary>
    /// Number of token ids, including the padding id 0; at least 2 when set. 0 (the default) means "no embedding" unless
    /// <see cref="EmbeddingMatrix"/> is given, whose row count then defines it.
    /// </summary>
    public int VocabularySize { get; init; }

    /// <summary>Embedding width; null (the default) means the width of <see cref="EmbeddingMatrix"/>, or 100 without one.</summary>
    public int? EmbeddingSize { get; init; }

    /// <summary>
    /// Optional pre-trained embedding matrix [vocabulary, embedding]; copied, with row 0 (padding) set to zero. Default null
    /// (embeddings drawn from a standard normal distribution).
    /// </summary>
    public float[,]? EmbeddingMatrix { get; init; }

    /// <summary>Whether the embedding matrix is excluded from training. Default false.</summary>
    public bool FreezeEmbeddings { get; init; }

    /// <summary>Dropout probability on embedded inputs, in [0, 1), applied in training mode only. Default 0.</summary>
    public double EmbeddingDropout { get; init; }

    /// <summary>True when the encoder reads token ids through an embedding.</summary>
    public bool UsesEmbedding => VocabularySize != 0 || EmbeddingMatrix is not null;
}
