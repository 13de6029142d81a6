using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Runtime;

namespace Microsoft.ML;

/// <summary>The language-modeling front door: <c>mlContext.LanguageModeling()</c>.</summary>
public static class LanguageModelingCatalogExtensions
{
    /// <summary>Trainers, evaluation and text generation for recurrent language models.</summary>
    /// <param name="mlContext">The ML.NET context; its seed seeds training when the options give none.</param>
    public static LanguageModelingCatalog LanguageModeling(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new LanguageModelingCatalog(BridgeEnvironment.FromCatalog(mlContext.Transforms));
    }
}

/// <summary>Trainers, evaluation and generation for language models, reached through <c>mlContext.LanguageModeling()</c>.</summary>
public sealed class LanguageModelingCatalog
{
    internal LanguageModelingCatalog(IHostEnvironment environment) => Trainers = new LanguageModelingTrainers(environment);

    /// <summary>The language-model trainers.</summary>
    public LanguageModelingTrainers Trainers { get; }

    /// <summary>
    /// Cross-entropy (nats per token), perplexity, bits per token and top-1/top-5 next-token accuracy of
    /// <paramref name="model"/> on <paramref name="data"/>; see <see cref="LanguageModelTransformer.Evaluate"/>.
    /// </summary>
    /// <param name="model">The trained language model.</param>
    /// <param name="data">Rows in corpus order.</param>
    /// <param name="columnName">Token-id column, or text column for a model trained with a tokenizer. Default: the model's token column.</param>
    /// <param name="batchSize">Parallel segments the stream is cut into. Default 16; at least 1.</param>
    public LanguageModelMetrics Evaluate(LanguageModelTransformer model, IDataView data, string? columnName = null, int batchSize = 16)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Evaluate(data, columnName, batchSize);
    }

    /// <summary>Continues <paramref name="prompt"/>; see <see cref="LanguageModelTransformer.Generate"/>.</summary>
    /// <param name="model">The trained language model (trained with a tokenizer).</param>
    /// <param name="prompt">Text to continue.</param>
    /// <param name="options">Decoding settings. Default: the model's.</param>
    public string Generate(LanguageModelTransformer model, string prompt, GenerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Generate(prompt, options);
    }

    /// <summary>Continues <paramref name="prompt"/> token by token; see <see cref="LanguageModelTransformer.GenerateTokens"/>.</summary>
    /// <param name="model">The trained language model (trained with a tokenizer).</param>
    /// <param name="prompt">Text to continue.</param>
    /// <param name="options">Decoding settings. Default: the model's.</param>
    public IEnumerable<string> GenerateTokens(LanguageModelTransformer model, string prompt, GenerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.GenerateTokens(prompt, options);
    }

    /// <summary>Recurrent language-model trainers: <c>mlContext.LanguageModeling().Trainers.Recurrent(...)</c>.</summary>
    public sealed class LanguageModelingTrainers
    {
        private readonly IHostEnvironment _environment;

        internal LanguageModelingTrainers(IHostEnvironment environment) => _environment = environment;

        /// <summary>
        /// A recurrent language model over a token-id column. Defaults: 2-layer LSTM of 256 units with 256-d
        /// embeddings and dropout 0.2, windows of 64 steps, Adam at 2e-3, the last 10% of the stream validating.
        /// </summary>
        /// <param name="tokenColumnName">Token-id vector column (e.g. from <c>TokenizeToSequence</c>), one row per line or document.</param>
        /// <param name="tokenizer">The fitted tokenizer of that column, for text generation and text evaluation; null for ids only.</param>
        /// <param name="hiddenSize">Hidden units per layer (and embedding width); at least 1.</param>
        /// <param name="layers">Stacked layers; at least 1.</param>
        /// <param name="sequenceLength">Truncated-BPTT window in steps; at least 1.</param>
        /// <param name="epochs">Passes over the stream; at least 1.</param>
        /// <param name="batchSize">Parallel segments of the stream; at least 1.</param>
        /// <param name="learningRate">Adam's learning rate; positive.</param>
        public LanguageModelTrainer Recurrent(string tokenColumnName = "Tokens", Recurrent.Text.TokenizeToSequenceTransformer? tokenizer = null,
            int hiddenSize = 256, int layers = 2, int sequenceLength = 64, int epochs = 10, int batchSize = 32, double learningRate = 2e-3)
            => Recurrent(new LanguageModelTrainerOptions
            {
                TokenColumnName = tokenColumnName,
                Tokenizer = tokenizer,
                HiddenSize = hiddenSize,
                EmbeddingSize = hiddenSize,
                Layers = layers,
                SequenceLength = sequenceLength,
                Epochs = epochs,
                BatchSize = batchSize,
                LearningRate = learningRate,
            });

        /// <summary>A recurrent language model with every setting in <paramref name="options"/>.</summary>
        /// <param name="options">Columns, vocabulary, network and training settings; see <see cref="LanguageModelTrainerOptions"/>.</param>
        public LanguageModelTrainer Recurrent(LanguageModelTrainerOptions options) => new(_environment, options);
    }
}
