using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Text;
using Microsoft.ML.Recurrent.Training;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.Seq2Seq;

/// <summary>
/// Trains an encoder-decoder recurrent network with attention that maps a source id sequence to a target id
/// sequence (translation, normalization, transliteration). Created by
/// <c>mlContext.SequenceToSequence().Trainers.Recurrent(...)</c>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Source column</term><description>vector of token ids (Int32, Int64, UInt32 or key), e.g. from <c>TokenizeToSequence</c>; padding ids (0) around it are ignored.</description></item>
/// <item><term>Target column</term><description>vector of token ids starting with &lt;s&gt; (2) and ending with &lt;/s&gt; (3) — <c>TokenizeToSequence(addBeginEnd: true)</c> — unless <see cref="Seq2SeqTrainerOptions.AddBeginEnd"/>. Needed for training only.</description></item>
/// <item><term>Output columns</term><description>see <see cref="Seq2SeqTransformer"/>.</description></item>
/// <item><term>Needs training</term><description>yes (TorchSharp, CPU).</description></item>
/// </list>
/// Empty sources or targets, and targets without their begin or end id, are rejected naming the column and row.
/// </remarks>
public sealed class Seq2SeqTrainer : IEstimator<Seq2SeqTransformer>
{
    private readonly TrainerCore<Seq2SeqTrainerOptions> _core;
    private readonly Seq2SeqTrainerOptions _options;

    internal Seq2SeqTrainer(IHostEnvironment environment, Seq2SeqTrainerOptions options)
    {
        _core = new(environment, nameof(Seq2SeqTrainer), options, o => o.ValidateNetwork(), CheckSchema);
        _options = _core.Options;
    }

    /// <summary>Per-epoch history of the last <see cref="Fit(IDataView)"/>.</summary>
    public TrainingHistory? LastTrainingHistory { get; private set; }

    /// <summary>Trains on <paramref name="input"/>; validation, if any, is a fraction of it (<see cref="TrainingOptions.ValidationFraction"/>).</summary>
    public Seq2SeqTransformer Fit(IDataView input) => Fit(input, null);

    /// <summary>Trains on <paramref name="trainData"/>, validating each epoch on <paramref name="validationData"/> when given.</summary>
    public Seq2SeqTransformer Fit(IDataView trainData, IDataView? validationData) => _core.Fit(trainData, validationData, run =>
    {
        var vocabulary = TargetTokens();
        int declaredTarget = _options.TargetVocabularySize > 0 ? _options.TargetVocabularySize : vocabulary?.Length ?? 0;
        // With AddBeginEnd the trainer's own begin and end ids sit just above the target vocabulary; they are only
        // known once the data has been read when the vocabulary size is inferred, hence the second read below.
        var (beginId, endId) = !_options.AddBeginEnd ? (TokenizeToSequenceTransformer.BeginId, TokenizeToSequenceTransformer.EndId)
            : declaredTarget > 0 ? (declaredTarget, declaredTarget + 1) : (int.MaxValue - 1, int.MaxValue);
        var (sources, targets) = Read(trainData, beginId, endId);
        if (_options.AddBeginEnd && declaredTarget == 0)
        {
            int inferred = Math.Max(targets.MaxTokenIdExcept(beginId, endId) + 1, 2);
            (beginId, endId) = (inferred, inferred + 1);
            (sources, targets) = Read(trainData, beginId, endId);
        }
        int targetVocabulary = _options.AddBeginEnd ? endId + 1 : declaredTarget > 0 ? declaredTarget : targets.MaxTokenId + 1;
        if (targets.MaxTokenId >= targetVocabulary)
            throw new ArgumentOutOfRangeException(nameof(Seq2SeqTrainerOptions.TargetVocabularySize), targetVocabulary,
                $"Column '{_options.TargetColumnName}' holds token id {targets.MaxTokenId}, outside the target vocabulary size {targetVocabulary}.");
        int sourceVocabulary = _options.SourceVocabularySize > 0 ? _options.SourceVocabularySize : Math.Max(sources.MaxTokenId + 1, 2);
        if (sources.MaxTokenId >= sourceVocabulary)
            throw new ArgumentOutOfRangeException(nameof(Seq2SeqTrainerOptions.SourceVocabularySize), sourceVocabulary,
                $"Column '{_options.SourceColumnName}' holds token id {sources.MaxTokenId}, outside the source vocabulary size {sourceVocabulary}.");

        var settings = new Seq2SeqModelSettings
        {
            SourceColumnName = _options.SourceColumnName,
            PredictedTokensColumnName = _options.PredictedTokensColumnName,
            PredictedTextColumnName = vocabulary is null ? null : _options.PredictedTextColumnName,
            CellType = _options.CellType,
            HiddenSize = _options.HiddenSize,
            Layers = _options.Layers,
            Bidirectional = _options.Bidirectional,
            Attention = _options.Attention,
            EmbeddingSize = _options.EmbeddingSize,
            SourceVocabularySize = sourceVocabulary,
            TargetVocabularySize = targetVocabulary,
            BeginId = beginId,
            EndId = endId,
            MaximumSourceLength = _options.MaximumSourceLength,
            MaximumTargetLength = _options.MaximumTargetLength > 0 ? _options.MaximumTargetLength : targets.MaxLength - 1 + 10,
            BeamWidth = _options.BeamWidth,
            LengthPenalty = _options.LengthPenalty,
            TargetVocabulary = vocabulary,
            TargetTokenSeparator = TokenSeparator(),
        };
        TargetSequences? validationTargets = null;
        SequenceDataset? validationSources = null;
        if (validationData is not null)
            (validationSources, validationTargets) = Read(validationData, beginId, endId);

        var task = new Seq2SeqTrainingTask(targets, validationTargets, _options.TeacherForcingRatio);
        var loop = new TrainingLoop(_options);
        var network = run.TrainMembers(1, () => new Seq2SeqNetwork(settings, _options.Dropout),
            (model, member) => loop.Train(model, task, sources, validationSources, member)).Single();
        LastTrainingHistory = run.Histories[0];
        return new Seq2SeqTransformer(_core.Host, settings, new(network))
        {
            Story = run.Story(Seq2SeqTransformer.LoaderSignature, "SequenceToSequence", sources),
        };
    });

    /// <summary>Checks the source and target columns and describes the columns the trained model adds.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _core.CheckSchema(inputSchema);
        var columns = new List<SchemaShape.Column>
        {
            SchemaChecks.NewColumn(_options.PredictedTokensColumnName, SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Int32, false),
        };
        if (TargetTokens() is not null)
            columns.Add(SchemaChecks.NewColumn(_options.PredictedTextColumnName, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false));
        return SchemaChecks.WithColumns(inputSchema, columns.ToArray());
    }

    private (SequenceDataset, TargetSequences) Read(IDataView data, int beginId, int endId)
        => Seq2SeqDataReader.Read(data, _options.SourceColumnName, _options.TargetColumnName, beginId, endId, _options.AddBeginEnd,
            _options.MaximumSourceLength, _options.MaximumTargetLength);

    private string[]? TargetTokens() => (_options.TargetTokenizer?.Vocabulary ?? _options.TargetVocabulary)?.ToArray();

    private string TokenSeparator() => _options.TargetTokenizer is { } tokenizer
        ? tokenizer.Granularity == TokenGranularity.Character ? "" : " "
        : _options.TargetTokenSeparator;

    private void CheckSchema(SchemaShape schema)
    {
        const string component = "Sequence-to-sequence trainer";
        const string expected = "a vector of token ids (Int32, Int64, UInt32 or key), e.g. from TokenizeToSequence";
        static bool IsIds(SchemaShape.Column c) => c.Kind != SchemaShape.Column.VectorKind.Scalar
            && (c.IsKey || c.ItemType == NumberDataViewType.Int32 || c.ItemType == NumberDataViewType.Int64 || c.ItemType == NumberDataViewType.UInt32);
        SchemaChecks.RequireColumn(schema, component, "source", _options.SourceColumnName, IsIds, expected);
        SchemaChecks.RequireColumn(schema, component, "target", _options.TargetColumnName, IsIds, expected);
    }
}
