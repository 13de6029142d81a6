using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Text;
using Microsoft.ML.Recurrent.Training;

namespace Microsoft.ML.Recurrent.LanguageModeling;

/// <summary>
/// Settings of <see cref="LanguageModelTrainer"/>: the columns, the vocabulary, the network and (inherited) the
/// training controls. The defaults suit a small character or word corpus on a CPU: a 2-layer LSTM of 256 units,
/// windows of 64 steps, 32 parallel streams, Adam at 2e-3, dropout 0.2, gradient clipping at 5.
/// </summary>
/// <remarks>
/// Language-model meanings of the inherited settings: <see cref="TrainingOptions.BatchSize"/> is the number of
/// parallel segments the token stream is cut into; <see cref="TrainingOptions.ValidationFraction"/> holds out the
/// <em>last</em> fraction of the stream (default 0.1 here), not random rows; <see cref="TrainingOptions.MaxTrainingTime"/>
/// is checked after every batch and ends the epoch early (it is then validated) instead of waiting for its end;
/// <see cref="TrainingOptions.LengthBucketing"/> does not apply. Validation perplexity is the monitored value for
/// early stopping, plateau decay and best-weight restore. <see cref="TrainingOptions.CheckpointPath"/> checkpoints after
/// every epoch as for the other trainers, adding the position in the stream (which carries across epochs with
/// <see cref="BatchesPerEpoch"/>) and the recurrent state carried into the next window; a resumed run ends with the
/// model of an uninterrupted one when both use the same LibTorch thread count. Every plain setting below is part of
/// the checkpoint's fingerprint except <see cref="TrainingOptions.Epochs"/>, the time limit and the progress settings.
/// </remarks>
public sealed class LanguageModelTrainerOptions : TrainingOptions
{
    /// <summary>Creates the options with the language-model defaults.</summary>
    public LanguageModelTrainerOptions()
    {
        LearningRate = 2e-3;
        ValidationFraction = 0.1;
    }

    /// <summary>Input column: a vector of token ids (Int32, Int64, UInt32 or key), one row per line or document. Default "Tokens".</summary>
    public string TokenColumnName { get; set; } = "Tokens";

    /// <summary>
    /// The fitted tokenizer that produced <see cref="TokenColumnName"/>. Optional, but needed for text generation and
    /// text evaluation: its vocabulary and settings are saved with the model, so prompts are encoded and ids decoded
    /// after loading without it. When it was fitted with <c>AddBeginEnd</c>, each row's <c>&lt;/s&gt;</c> (id 3)
    /// becomes the end-of-sentence token of the stream and the redundant <c>&lt;s&gt;</c> is dropped. Default null.
    /// </summary>
    public TokenizeToSequenceTransformer? Tokenizer { get; set; }

    /// <summary>
    /// Id appended after every row when the rows carry no end token (for example a newline or end-of-sentence id of
    /// your own vocabulary); it also stops generation. Must be null when <see cref="Tokenizer"/> adds begin/end
    /// tokens. Default null: rows are concatenated directly.
    /// </summary>
    public int? SeparatorTokenId { get; set; }

    /// <summary>Number of token ids. Default 0: the tokenizer's vocabulary size, else the largest id in the training data plus one.</summary>
    public int VocabularySize { get; set; }

    /// <summary>The recurrent cell. Default <see cref="RecurrentCellType.Lstm"/>.</summary>
    public RecurrentCellType CellType { get; set; } = RecurrentCellType.Lstm;

    /// <summary>Width of the token embedding. Default 256; at least 1.</summary>
    public int EmbeddingSize { get; set; } = 256;

    /// <summary>Hidden units per layer. Default 256; at least 1.</summary>
    public int HiddenSize { get; set; } = 256;

    /// <summary>Stacked recurrent layers. Default 2; at least 1.</summary>
    public int Layers { get; set; } = 2;

    /// <summary>Dropout on the embeddings, between layers and before the output projection during training, in [0, 1). Default 0.2.</summary>
    public double Dropout { get; set; } = 0.2;

    /// <summary>Use the embedding matrix as the output projection (needs <see cref="EmbeddingSize"/> = <see cref="HiddenSize"/>). Default false.</summary>
    public bool TieWeights { get; set; }

    /// <summary>Truncated back-propagation through time: steps per window; the state carries over between windows, gradients do not. Default 64; at least 1.</summary>
    public int SequenceLength { get; set; } = 64;

    /// <summary>
    /// When positive, every weight starts uniform in [-InitRange, InitRange] (Zaremba et al. use 0.1 for SGD).
    /// Default 0: embedding and projection uniform in ±0.1, recurrent layers with LibTorch's defaults.
    /// </summary>
    public double InitRange { get; set; }

    /// <summary>
    /// How a window's cross-entropy is reduced to the loss that is differentiated. Default
    /// <see cref="LanguageModelLossReduction.MeanOverTokens"/>; <see cref="ZarembaSmall"/> sums over the time steps as the paper's code does.
    /// </summary>
    public LanguageModelLossReduction LossReduction { get; set; } = LanguageModelLossReduction.MeanOverTokens;

    /// <summary>
    /// Batches per epoch. Default 0: one full pass over the stream. Otherwise each epoch trains this many windows,
    /// continuing where the previous epoch stopped (wrapping around), which validates more often on large corpora.
    /// </summary>
    public int BatchesPerEpoch { get; set; }

    /// <summary>Parallel segments when validating. Default 16; at least 1.</summary>
    public int EvaluationBatchSize { get; set; } = 16;

    /// <summary>Input text column continued by the model's generated column. Default null: no generated column.</summary>
    public string? PromptColumnName { get; set; }

    /// <summary>Output text column for the continuation of <see cref="PromptColumnName"/>. Default "Generated".</summary>
    public string GeneratedColumnName { get; set; } = "Generated";

    /// <summary>Output Single column with each row's total natural-log probability. Default "LogProbability"; null for none.</summary>
    public string? LogProbabilityColumnName { get; set; } = "LogProbability";

    /// <summary>How the generated column is produced. Default: <see cref="GenerationOptions"/>'s defaults.</summary>
    public GenerationOptions Generation { get; set; } = new();

    /// <summary>
    /// The "small" setting of Zaremba, Sutskever and Vinyals (2014) for Penn Treebank: 2×200 LSTM, 200-d embeddings,
    /// no dropout, windows of 20, batches of 20, SGD at learning rate 1 halved every epoch after the fourth, gradient
    /// norm clipped at 5, weights uniform in ±0.1, 13 epochs (about 115 validation perplexity on PTB words). The loss
    /// is theirs too: cross-entropy averaged over the batch and summed over the 20 time steps
    /// (<see cref="LanguageModelLossReduction.SumOverTimeSteps"/>), so each step is 20 times the step of the mean loss
    /// at the same learning rate (PyTorch's word_language_model keeps the mean and uses learning rate 20, clip 0.25).
    /// </summary>
    public static LanguageModelTrainerOptions ZarembaSmall() => new()
    {
        CellType = RecurrentCellType.Lstm,
        Layers = 2,
        HiddenSize = 200,
        EmbeddingSize = 200,
        Dropout = 0,
        SequenceLength = 20,
        BatchSize = 20,
        Optimizer = OptimizerKind.Sgd,
        LearningRate = 1,
        LearningRateSchedule = LearningRateScheduleKind.StepDecay,
        DecayFactor = 0.5,
        StepSize = 1,
        // StepDecay's formula lr * 0.5^(epoch - 1 - 3) for epochs past 4 gives epoch 5 half the rate, as in their code.
        StartDecayAfterEpoch = 3,
        GradientClipNorm = 5,
        LossReduction = LanguageModelLossReduction.SumOverTimeSteps,
        InitRange = 0.1,
        Epochs = 13,
    };

    internal void ValidateLanguageModel()
    {
        Validate();
        Require(!string.IsNullOrWhiteSpace(TokenColumnName), nameof(TokenColumnName), TokenColumnName, "must be set");
        Require(VocabularySize == 0 || VocabularySize >= 2, nameof(VocabularySize), VocabularySize, "must be 0 (inferred) or at least 2");
        Require(EmbeddingSize >= 1, nameof(EmbeddingSize), EmbeddingSize, "must be at least 1");
        Require(HiddenSize >= 1, nameof(HiddenSize), HiddenSize, "must be at least 1");
        Require(Layers >= 1, nameof(Layers), Layers, "must be at least 1");
        Require(Dropout is >= 0 and < 1, nameof(Dropout), Dropout, "must lie in [0, 1)");
        Require(SequenceLength >= 1, nameof(SequenceLength), SequenceLength, "must be at least 1");
        Require(double.IsFinite(InitRange) && InitRange >= 0, nameof(InitRange), InitRange, "must be finite and at least 0");
        Require(Enum.IsDefined(LossReduction), nameof(LossReduction), LossReduction, "must be MeanOverTokens or SumOverTimeSteps");
        Require(BatchesPerEpoch >= 0, nameof(BatchesPerEpoch), BatchesPerEpoch, "must be at least 0 (0 = a full pass)");
        Require(EvaluationBatchSize >= 1, nameof(EvaluationBatchSize), EvaluationBatchSize, "must be at least 1");
        Require(!string.IsNullOrWhiteSpace(GeneratedColumnName), nameof(GeneratedColumnName), GeneratedColumnName, "must be set");
        Require(!TieWeights || EmbeddingSize == HiddenSize, nameof(TieWeights), TieWeights, $"needs EmbeddingSize ({EmbeddingSize}) equal to HiddenSize ({HiddenSize})");
        if (Tokenizer is { AddBeginEnd: true } && SeparatorTokenId is not null)
            throw new ArgumentException("SeparatorTokenId must be null when the tokenizer adds <s> and </s>: every row already ends with </s>.", nameof(SeparatorTokenId));
        if (Tokenizer is { Granularity: TokenGranularity.Subword, Subword.IsSavable: false })
            throw new ArgumentException("The tokenizer's subword model cannot be saved with the language model; use SubwordTokenizer.Tiktoken, or word/character granularity.", nameof(Tokenizer));
        ArgumentNullException.ThrowIfNull(Generation, nameof(Generation));
        Generation.Validate();
    }

    private static void Require(bool condition, string name, object? value, string rule)
    {
        if (!condition)
            throw new ArgumentOutOfRangeException(name, value, $"LanguageModelTrainerOptions.{name} {rule}; it is {value}.");
    }
}
