using Microsoft.ML.Recurrent.Inspection;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Text;
using Microsoft.ML.Recurrent.Training;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.LanguageModeling;

/// <summary>
/// Trains a recurrent language model (embedding, stacked LSTM/GRU/RNN, projection to the vocabulary) that predicts
/// every next token of a corpus. Created by <c>mlContext.LanguageModeling().Trainers.Recurrent(...)</c>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Input column</term><description>vector of token ids (Int32, Int64, UInt32 or key), one row per line or document, e.g. from <c>TokenizeToSequence</c> at word or character granularity. Id 0 (padding) is skipped.</description></item>
/// <item><term>Output columns</term><description>see <see cref="LanguageModelTransformer"/>.</description></item>
/// <item><term>Needs training</term><description>yes (TorchSharp, CPU).</description></item>
/// </list>
/// The rows are concatenated, in order, into one token stream (each ended by <c>&lt;/s&gt;</c> when the tokenizer
/// adds begin/end tokens, or by <see cref="LanguageModelTrainerOptions.SeparatorTokenId"/>), which is cut into
/// <see cref="TrainingOptions.BatchSize"/> parallel segments and trained with truncated back-propagation through
/// time, carrying the recurrent state from one window to the next, as PyTorch's word_language_model does.
/// </remarks>
public sealed class LanguageModelTrainer : IEstimator<LanguageModelTransformer>
{
    internal const string ComponentName = "Recurrent language model trainer";
    private readonly TrainerCore<LanguageModelTrainerOptions> _core;
    private readonly LanguageModelTrainerOptions _options;

    internal LanguageModelTrainer(IHostEnvironment environment, LanguageModelTrainerOptions options)
    {
        _core = new(environment, nameof(LanguageModelTrainer), options, o => o.ValidateLanguageModel(), CheckSchema);
        _options = _core.Options;
    }

    /// <summary>Per-epoch history of the last <see cref="Fit(IDataView)"/>.</summary>
    public TrainingHistory? LastTrainingHistory { get; private set; }

    /// <summary>Trains on <paramref name="input"/>; the last <see cref="TrainingOptions.ValidationFraction"/> of its token stream validates.</summary>
    public LanguageModelTransformer Fit(IDataView input) => Fit(input, null);

    /// <summary>Trains on <paramref name="trainData"/>, validating each epoch on <paramref name="validationData"/> when given.</summary>
    public LanguageModelTransformer Fit(IDataView trainData, IDataView? validationData) => _core.Fit(trainData, validationData, run =>
    {
        var layout = Describe(0);
        int[] stream = TokenStream.Read(trainData, _options.TokenColumnName, layout, null, layout.VocabularySize, "training");
        int vocabulary = layout.VocabularySize > 0 ? layout.VocabularySize : Math.Max(stream.Max() + 1, 2);
        var settings = layout with { VocabularySize = vocabulary, SamplingSeed = run.Seed };
        int[]? validation = validationData is null ? null
            : TokenStream.Read(validationData, _options.TokenColumnName, settings, null, vocabulary, "validation");
        if (validation is null && _options.ValidationFraction > 0)
        {
            int held = (int)(stream.Length * _options.ValidationFraction);
            if (held >= 2 * _options.EvaluationBatchSize || held >= 64)
            {
                validation = stream[^held..];
                stream = stream[..^held];
            }
            else
            {
                run.Channel.LogInfo($"Too few tokens ({stream.Length}) to hold out {_options.ValidationFraction:P0} for validation; training without validation.");
            }
        }

        var loop = new LanguageModelTrainingLoop(_options);
        var network = run.TrainMembers(1, () => new LanguageModelNetwork(settings.NetworkShape(), _options.Dropout, _options.InitRange),
            (model, member) => loop.Train((LanguageModelNetwork)model, stream, validation, member)).Single();
        LastTrainingHistory = run.Histories[0];
        return new LanguageModelTransformer(_core.Host, settings, new(network))
        {
            Story = run.Story(LanguageModelTransformer.LoaderSignature, "LanguageModeling", stream.Length, ModelStoryBuilder.Fingerprint<int>(stream)),
        };
    });

    /// <summary>Checks the token column and describes the columns the trained model adds.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _core.CheckSchema(inputSchema);
        var columns = new List<SchemaShape.Column>();
        if (_options.LogProbabilityColumnName is { } logProbability)
            columns.Add(SchemaChecks.NewColumn(logProbability, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false));
        if (_options.PromptColumnName is not null)
            columns.Add(SchemaChecks.NewColumn(_options.GeneratedColumnName, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false));
        return SchemaChecks.WithColumns(inputSchema, columns.ToArray());
    }

    private void CheckSchema(SchemaShape schema)
    {
        SchemaChecks.RequireColumn(schema, ComponentName, "token", _options.TokenColumnName,
            c => c.Kind != SchemaShape.Column.VectorKind.Scalar
                && (c.IsKey || c.ItemType == NumberDataViewType.Int32 || c.ItemType == NumberDataViewType.Int64 || c.ItemType == NumberDataViewType.UInt32),
            "a vector of token ids (Int32, Int64, UInt32 or key), e.g. from TokenizeToSequence");
        if (_options.PromptColumnName is { } prompt)
            SchemaChecks.RequireColumn(schema, ComponentName, "prompt", prompt,
                c => c.Kind == SchemaShape.Column.VectorKind.Scalar && c.ItemType is TextDataViewType, "a scalar text column");
    }

    /// <summary>The model's settings; a vocabulary size of 0 means "infer it from the data".</summary>
    private LanguageModelSettings Describe(int inferredVocabulary)
    {
        var tokenizer = _options.Tokenizer;
        int vocabulary = _options.VocabularySize > 0 ? _options.VocabularySize : tokenizer?.VocabularySize ?? inferredVocabulary;
        if (tokenizer is not null && vocabulary < tokenizer.VocabularySize)
            throw new ArgumentOutOfRangeException(nameof(LanguageModelTrainerOptions.VocabularySize), vocabulary,
                $"VocabularySize {vocabulary} is smaller than the tokenizer's vocabulary ({tokenizer.VocabularySize} ids).");
        return new LanguageModelSettings
        {
            TokenColumnName = _options.TokenColumnName,
            CellType = _options.CellType,
            VocabularySize = vocabulary,
            EmbeddingSize = _options.EmbeddingSize,
            HiddenSize = _options.HiddenSize,
            Layers = _options.Layers,
            TieWeights = _options.TieWeights,
            SequenceLength = _options.SequenceLength,
            RowsHaveBeginEnd = tokenizer?.AddBeginEnd ?? false,
            SeparatorTokenId = _options.SeparatorTokenId,
            PromptColumnName = _options.PromptColumnName,
            GeneratedColumnName = _options.GeneratedColumnName,
            LogProbabilityColumnName = _options.LogProbabilityColumnName,
            Generation = _options.Generation,
            Tokenizer = tokenizer?.TokenizerSettings,
            TokenizerVocabulary = tokenizer is null ? null
                : tokenizer.Granularity == TokenGranularity.Subword ? [] : tokenizer.Vocabulary.Skip(TokenizeToSequenceTransformer.ReservedCount(tokenizer.AddBeginEnd)).ToArray(),
        };
    }
}
