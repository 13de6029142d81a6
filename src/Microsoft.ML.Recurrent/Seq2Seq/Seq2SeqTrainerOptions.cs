using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Text;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Seq2Seq;

/// <summary>
/// Settings of <see cref="Seq2SeqTrainer"/>: the columns, the encoder-decoder network, teacher forcing, decoding and
/// (inherited) the training controls.
/// </summary>
/// <remarks>
/// <para>Source and target are vectors of token ids, typically from two <c>TokenizeToSequence</c> transformers. The
/// decoder needs a begin id to start from and an end id to stop at. Either tokenize the target with
/// <c>addBeginEnd: true</c> (ids 2 and 3; the default expectation: each target must start with 2 and end with 3),
/// or set <see cref="AddBeginEnd"/> and the trainer wraps each target in two new ids just above the target vocabulary.</para>
/// <para>To get a text column, pass the fitted target tokenizer (<see cref="TargetTokenizer"/>) or its vocabulary
/// (<see cref="TargetVocabulary"/>); the vocabulary is stored in the model, so text decoding works after loading.</para>
/// </remarks>
public sealed class Seq2SeqTrainerOptions : TrainingOptions
{
    /// <summary>Source column: a vector of token ids (Int32, Int64, UInt32 or key). Default "Source".</summary>
    public string SourceColumnName { get; set; } = "Source";

    /// <summary>Target column (training and evaluation only): a vector of token ids. Default "Target".</summary>
    public string TargetColumnName { get; set; } = "Target";

    /// <summary>Output column of predicted target ids (vector of Int32, without begin and end ids). Default "PredictedTokens".</summary>
    public string PredictedTokensColumnName { get; set; } = "PredictedTokens";

    /// <summary>Output text column, added when a target vocabulary is known. Default "PredictedText".</summary>
    public string PredictedTextColumnName { get; set; } = "PredictedText";

    /// <summary>Recurrent cell of encoder and decoder. Default <see cref="RecurrentCellType.Lstm"/>.</summary>
    public RecurrentCellType CellType { get; set; } = RecurrentCellType.Lstm;

    /// <summary>Encoder hidden units per direction (the decoder gets hidden × directions). Default 128; at least 1.</summary>
    public int HiddenSize { get; set; } = 128;

    /// <summary>Stacked encoder layers. Default 1; at least 1.</summary>
    public int Layers { get; set; } = 1;

    /// <summary>Whether the encoder also reads the source backwards. Default true.</summary>
    public bool Bidirectional { get; set; } = true;

    /// <summary>How the decoder attends over the encoder outputs. Default <see cref="AttentionKind.LuongGeneral"/>.</summary>
    public AttentionKind Attention { get; set; } = AttentionKind.LuongGeneral;

    /// <summary>Width of the source and target embeddings. Default 64; at least 1.</summary>
    public int EmbeddingSize { get; set; } = 64;

    /// <summary>Dropout on embeddings, between encoder layers and on the attentional vector during training, in [0, 1). Default 0.</summary>
    public double Dropout { get; set; }

    /// <summary>
    /// Probability that a decoder step reads the true previous target id rather than the model's own previous
    /// prediction during training (drawn per row and step). Default 1 (pure teacher forcing); in [0, 1].
    /// </summary>
    public double TeacherForcingRatio { get; set; } = 1;

    /// <summary>Source ids the encoder covers. Default 0: the largest source id in the training data plus one. At prediction, larger ids are read as unknown (1).</summary>
    public int SourceVocabularySize { get; set; }

    /// <summary>Target ids the decoder can emit. Default 0: the target vocabulary's size if given, else the largest training target id plus one.</summary>
    public int TargetVocabularySize { get; set; }

    /// <summary>
    /// False (default): every target already starts with &lt;s&gt; (id 2) and ends with &lt;/s&gt; (id 3), as
    /// <c>TokenizeToSequence</c> writes them with <c>addBeginEnd: true</c>; others are rejected naming the row.
    /// True: the targets hold no such ids and the trainer adds two new ones above the target vocabulary.
    /// </summary>
    public bool AddBeginEnd { get; set; }

    /// <summary>Source ids read per row; longer sources keep their first ids. Default 0 (no limit).</summary>
    public int MaximumSourceLength { get; set; }

    /// <summary>
    /// Most ids generated at prediction, the end id included; training targets longer than this are cut (keeping
    /// their end id). Default 0: the longest training target (without its begin id) plus 10.
    /// </summary>
    public int MaximumTargetLength { get; set; }

    /// <summary>Hypotheses kept by beam search when the model predicts. Default 1 (greedy decoding); at least 1.</summary>
    public int BeamWidth { get; set; } = 1;

    /// <summary>Beam search length normalization exponent α (score = log-probability / ((5 + length) / 6)^α). Default 0.6; at least 0.</summary>
    public double LengthPenalty { get; set; } = 0.6;

    /// <summary>The fitted target tokenizer: its vocabulary and granularity give the text column. Takes precedence over <see cref="TargetVocabulary"/>. Default null.</summary>
    public TokenizeToSequenceTransformer? TargetTokenizer { get; set; }

    /// <summary>Token of each target id (index = id), stored in the model for the text column. Default null (no text column).</summary>
    public IReadOnlyList<string>? TargetVocabulary { get; set; }

    /// <summary>String joining decoded tokens with <see cref="TargetVocabulary"/>: "" for characters. Default " ".</summary>
    public string TargetTokenSeparator { get; set; } = " ";

    internal void ValidateNetwork()
    {
        Validate();
        Require(!string.IsNullOrWhiteSpace(SourceColumnName), nameof(SourceColumnName), SourceColumnName, "must be set");
        Require(!string.IsNullOrWhiteSpace(TargetColumnName), nameof(TargetColumnName), TargetColumnName, "must be set");
        Require(!string.IsNullOrWhiteSpace(PredictedTokensColumnName), nameof(PredictedTokensColumnName), PredictedTokensColumnName, "must be set");
        Require(Enum.IsDefined(CellType), nameof(CellType), CellType, "must be a defined RecurrentCellType");
        Require(Enum.IsDefined(Attention), nameof(Attention), Attention, "must be a defined AttentionKind");
        Require(HiddenSize >= 1, nameof(HiddenSize), HiddenSize, "must be at least 1");
        Require(Layers >= 1, nameof(Layers), Layers, "must be at least 1");
        Require(EmbeddingSize >= 1, nameof(EmbeddingSize), EmbeddingSize, "must be at least 1");
        Require(Dropout is >= 0 and < 1, nameof(Dropout), Dropout, "must lie in [0, 1)");
        Require(TeacherForcingRatio is >= 0 and <= 1, nameof(TeacherForcingRatio), TeacherForcingRatio, "must lie in [0, 1]");
        Require(SourceVocabularySize == 0 || SourceVocabularySize >= 2, nameof(SourceVocabularySize), SourceVocabularySize, "must be 0 (inferred) or at least 2");
        Require(TargetVocabularySize == 0 || TargetVocabularySize >= 2, nameof(TargetVocabularySize), TargetVocabularySize, "must be 0 (inferred) or at least 2");
        Require(MaximumSourceLength >= 0, nameof(MaximumSourceLength), MaximumSourceLength, "must be 0 (no limit) or positive");
        Require(MaximumTargetLength == 0 || MaximumTargetLength >= 2, nameof(MaximumTargetLength), MaximumTargetLength, "must be 0 (inferred) or at least 2");
        Require(BeamWidth >= 1, nameof(BeamWidth), BeamWidth, "must be at least 1");
        Require(double.IsFinite(LengthPenalty) && LengthPenalty >= 0, nameof(LengthPenalty), LengthPenalty, "must be finite and at least 0");
        if (TargetTokenizer is { Granularity: TokenGranularity.Subword })
            throw new ArgumentException($"{nameof(TargetTokenizer)}: text output needs a word or character target tokenizer; for subwords leave it null and decode the predicted ids with the tokenizer's Decode.", nameof(TargetTokenizer));
        if (TargetTokenizer is { AddBeginEnd: false } && !AddBeginEnd)
            throw new ArgumentException($"{nameof(TargetTokenizer)} was fitted without addBeginEnd, so targets have no <s> and </s>: tokenize the target with addBeginEnd: true, or set {nameof(AddBeginEnd)} = true.", nameof(TargetTokenizer));
    }

    private static void Require(bool condition, string name, object value, string rule)
    {
        if (!condition)
            throw new ArgumentOutOfRangeException(name, value, $"Seq2SeqTrainerOptions.{name} {rule}.");
    }
}
