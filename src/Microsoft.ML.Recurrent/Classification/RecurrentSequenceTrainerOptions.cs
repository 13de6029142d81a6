using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// Settings of <see cref="RecurrentSequenceTrainer"/>: the columns, the network, and (inherited) the training
/// controls. Every default is chosen to work on sentence classification without tuning.
/// </summary>
public sealed class RecurrentSequenceTrainerOptions : TrainingOptions
{
    /// <summary>Input column: a vector of token ids (Int32, Int64, UInt32 or key) or, with <see cref="FeatureSize"/> &gt; 0, of Single. Default "Features".</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>Label column: Boolean (binary), key (multiclass) or Single (regression). Default "Label".</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>
    /// Optional column of example weights: a Single scalar, finite and at least 0. A row's loss counts in proportion to
    /// its weight (within a batch the loss is <c>Σ w·l / Σ w</c>), and the validation loss and accuracy are weighted the
    /// same way; rows of weight 0 teach nothing. The training and validation data both need it. Default null: every row
    /// weighs 1.
    /// </summary>
    public string? ExampleWeightColumnName { get; set; }

    /// <summary>
    /// Optional wide feature column (wide and deep): a vector of Single of known size, such as the bag of words and
    /// character n-grams of <c>FeaturizeText</c>. A linear map of it is added to the output layer, as if the vector were
    /// joined to the recurrent encoding before that layer. With <see cref="StartFromLinearModel"/> (the default) that map
    /// is ML.NET's linear model on these features, so the model starts where the bag of words ends and the recurrent
    /// part can only add to it. Training, validation and scored data all need the column; the model saves its name and
    /// size, and the ONNX export takes it as a second input. Default null: none.
    /// </summary>
    public string? WideFeatureColumnName { get; set; }

    /// <summary>
    /// With a <see cref="WideFeatureColumnName"/>: whether the wide map is first fitted alone as ML.NET's linear model
    /// (L-BFGS logistic regression for binary classification, L-BFGS maximum entropy for multiclass, SDCA for
    /// regression; on the training rows only, never the validation split) and then kept fixed, while the output layer's
    /// weights on the encoding start at zero, so that training begins at the linear model's predictions and early
    /// stopping keeps the recurrent part only while it improves on them. Default true. When false, the map starts at
    /// zero and trains with the rest; on small sets of long documents the recurrent part then overfits before the
    /// linear part has learned (measured in docs/benchmarks.md).
    /// </summary>
    public bool StartFromLinearModel { get; set; } = true;

    /// <summary>Output Score column. Default "Score".</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>Output PredictedLabel column (classification). Default "PredictedLabel".</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>Output Probability column (binary classification). Default "Probability".</summary>
    public string ProbabilityColumnName { get; set; } = "Probability";

    /// <summary>
    /// 0 (the default) when the feature column holds token ids; otherwise the number of floats per time step of a
    /// numeric sequence (the vector holds steps × <see cref="FeatureSize"/> values, step-major).
    /// </summary>
    public int FeatureSize { get; set; }

    /// <summary>
    /// Token ids the embedding covers (id 0 is padding, 1 unknown). Default 0: the largest id in the training data plus
    /// one (or the key count plus one for key columns). At prediction, ids outside the vocabulary are read as 1.
    /// </summary>
    public int VocabularySize { get; set; }

    /// <summary>The recurrent cell. Default <see cref="RecurrentCellType.Lstm"/>.</summary>
    public RecurrentCellType CellType { get; set; } = RecurrentCellType.Lstm;

    /// <summary>Hidden units per direction and layer. Default 128; at least 1.</summary>
    public int HiddenSize { get; set; } = 128;

    /// <summary>Stacked recurrent layers. Default 1; at least 1.</summary>
    public int Layers { get; set; } = 1;

    /// <summary>Whether each layer also reads the sequence backwards. Default true.</summary>
    public bool Bidirectional { get; set; } = true;

    /// <summary>Width of the token embedding (ignored for numeric sequences, and taken from the file with pre-trained vectors). Default 100.</summary>
    public int EmbeddingSize { get; set; } = 100;

    /// <summary>Dropout on embedded tokens during training, in [0, 1). Default 0.3, the one regularizer that clearly helped on SST-2.</summary>
    public double EmbeddingDropout { get; set; } = 0.3;

    /// <summary>Dropout between stacked layers during training, in [0, 1). Default 0.</summary>
    public double LayerDropout { get; set; }

    /// <summary>Dropout on the pooled vector before the output layer during training, in [0, 1). Default 0.</summary>
    public double OutputDropout { get; set; }

    /// <summary>
    /// How the encoder's outputs over time become the output layer's input: the final states (<see cref="SequencePooling.Last"/>,
    /// default), <see cref="SequencePooling.Max"/>, <see cref="SequencePooling.Mean"/> or learned
    /// <see cref="SequencePooling.Attention"/>. Max and attention pooling often suit long documents, where the final
    /// states must carry everything read hundreds of steps earlier. Padding never takes part. Saved in the model and
    /// exported to ONNX.
    /// </summary>
    public SequencePooling Pooling { get; set; } = SequencePooling.Last;

    /// <summary>
    /// Optional word vectors in GloVe/word2vec text format. Needs <see cref="EmbeddingVocabulary"/> (for example
    /// <c>TokenizeToSequenceTransformer.Vocabulary</c>) to know which id each word has. Default null (random init).
    /// </summary>
    public string? PretrainedEmbeddingsPath { get; set; }

    /// <summary>Token of each id (index = id), used with <see cref="PretrainedEmbeddingsPath"/>. Default null.</summary>
    public IReadOnlyList<string>? EmbeddingVocabulary { get; set; }

    /// <summary>
    /// A language model trained on the task's own text (and any other unlabeled text), whose token embedding and
    /// recurrent layers initialize the classifier's encoder (the transfer step of ULMFiT). The feature column must hold
    /// the ids of that model's tokenizer (<c>LanguageModelTransformer.Tokenizer</c> in front of the trainer). The cell
    /// type, hidden size, embedding width and vocabulary then come from the language model, and so do the layers of a
    /// unidirectional encoder; a bidirectional encoder takes the first layer's forward direction. Default null.
    /// </summary>
    public LanguageModeling.LanguageModelTransformer? PretrainedLanguageModel { get; set; }

    /// <summary>Whether pre-trained embeddings stay fixed during training. Default false (fine-tuned).</summary>
    public bool FreezeEmbeddings { get; set; }

    /// <summary>
    /// Discriminative learning rates, as in ULMFiT's fine-tuning (Howard and Ruder 2018, who use 2.6): the network's
    /// parameters form groups from the output down — group 0 the output layer (with attention pooling), group 1 the top
    /// recurrent layer (both directions), ..., group <see cref="Layers"/> the first recurrent layer, then the token
    /// embedding — and group <c>k</c> learns at the scheduled learning rate divided by <c>LayerLearningRateDecay^k</c>.
    /// Lower layers hold the more general knowledge of a pre-trained encoder (<see cref="PretrainedLanguageModel"/>,
    /// pre-trained embeddings), which smaller steps preserve while the layers near the output adapt to the task; it
    /// also works on a network trained from scratch. Frozen embeddings (<see cref="FreezeEmbeddings"/>) stay frozen.
    /// An epoch's reported learning rate is group 0's. Default 1 (every parameter learns at the scheduled rate);
    /// finite and at least 1.
    /// </summary>
    public double LayerLearningRateDecay { get; set; } = 1;

    /// <summary>
    /// Gradual unfreezing, as in ULMFiT's fine-tuning (Howard and Ruder 2018): epoch 1 trains only the output layer
    /// (group 0 of <see cref="LayerLearningRateDecay"/>'s groups), epoch 2 also the top recurrent layer, and so on, one
    /// more group per epoch until the whole network trains (from epoch <see cref="Layers"/> + 2 with an embedding). The
    /// groups that wait keep their weights exactly: they get no gradient and learning rate 0. It keeps the large, noisy
    /// gradients of a freshly initialized output layer from overwriting a pre-trained encoder
    /// (<see cref="PretrainedLanguageModel"/>) before the output layer has learned something; set
    /// <see cref="TrainingOptions.Epochs"/> to at least the number of groups so that every group trains. Combines with
    /// <see cref="LayerLearningRateDecay"/> and with any schedule (ULMFiT pairs it with
    /// <see cref="LearningRateScheduleKind.SlantedTriangular"/>). Default false.
    /// </summary>
    public bool GradualUnfreezing { get; set; }

    /// <summary>
    /// Number of networks trained with different seeds whose predictions are averaged (a seed ensemble inside one
    /// transformer). Default 1; 3-5 adds about one accuracy point on SST-2 at 3-5 times the cost.
    /// </summary>
    public int EnsembleSize { get; set; } = 1;

    internal void ValidateNetwork()
    {
        Validate();
        Require(!string.IsNullOrWhiteSpace(FeatureColumnName), nameof(FeatureColumnName), FeatureColumnName, "must be set");
        Require(!string.IsNullOrWhiteSpace(LabelColumnName), nameof(LabelColumnName), LabelColumnName, "must be set");
        Require(ExampleWeightColumnName is null || !string.IsNullOrWhiteSpace(ExampleWeightColumnName), nameof(ExampleWeightColumnName), ExampleWeightColumnName!, "must be null or a column name");
        Require(WideFeatureColumnName is null || !string.IsNullOrWhiteSpace(WideFeatureColumnName), nameof(WideFeatureColumnName), WideFeatureColumnName!, "must be null or a column name");
        Require(FeatureSize >= 0, nameof(FeatureSize), FeatureSize, "must be 0 (token ids) or positive");
        Require(Enum.IsDefined(Pooling), nameof(Pooling), Pooling, "must be Last, Max, Mean or Attention");
        Require(VocabularySize == 0 || VocabularySize >= 2, nameof(VocabularySize), VocabularySize, "must be 0 (inferred) or at least 2");
        Require(HiddenSize >= 1, nameof(HiddenSize), HiddenSize, "must be at least 1");
        Require(Layers >= 1, nameof(Layers), Layers, "must be at least 1");
        Require(EmbeddingSize >= 1, nameof(EmbeddingSize), EmbeddingSize, "must be at least 1");
        Require(EmbeddingDropout is >= 0 and < 1, nameof(EmbeddingDropout), EmbeddingDropout, "must lie in [0, 1)");
        Require(LayerDropout is >= 0 and < 1, nameof(LayerDropout), LayerDropout, "must lie in [0, 1)");
        Require(OutputDropout is >= 0 and < 1, nameof(OutputDropout), OutputDropout, "must lie in [0, 1)");
        Require(double.IsFinite(LayerLearningRateDecay) && LayerLearningRateDecay >= 1, nameof(LayerLearningRateDecay), LayerLearningRateDecay, "must be finite and at least 1");
        Require(EnsembleSize is >= 1 and <= 100, nameof(EnsembleSize), EnsembleSize, "must lie in [1, 100]");
        if (PretrainedEmbeddingsPath is not null && EmbeddingVocabulary is null)
            throw new ArgumentException($"{nameof(PretrainedEmbeddingsPath)} needs {nameof(EmbeddingVocabulary)}: the token of each id.", nameof(EmbeddingVocabulary));
    }

    private static void Require(bool condition, string name, object value, string rule)
    {
        if (!condition)
            throw new ArgumentOutOfRangeException(name, value, $"{name} {rule}.");
    }
}
