using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Modules;
using Microsoft.ML.Recurrent.Training;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.Classification;

/// <summary>
/// Trains a recurrent network (RNN, LSTM or GRU; stacked; bidirectional) that reads a whole sequence — token ids
/// or numeric steps — and predicts a class or a value. Created by the <c>Recurrent</c> methods of
/// <c>mlContext.BinaryClassification.Trainers</c>, <c>MulticlassClassification.Trainers</c> and <c>Regression.Trainers</c>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Feature column</term><description>vector of token ids (Int32, Int64, UInt32 or key; 0 = padding, 1 = unknown), or of Single with <see cref="RecurrentSequenceTrainerOptions.FeatureSize"/> floats per step. Variable length is fine; each sequence is read up to its own length.</description></item>
/// <item><term>Label column</term><description>Boolean (binary), key (multiclass), Single (regression).</description></item>
/// <item><term>Example weight column</term><description>optional Single scalar (<see cref="RecurrentSequenceTrainerOptions.ExampleWeightColumnName"/>): each row's weight in the loss.</description></item>
/// <item><term>Output columns</term><description>see <see cref="RecurrentSequenceTransformer"/>.</description></item>
/// <item><term>Needs training</term><description>yes (TorchSharp, CPU).</description></item>
/// </list>
/// Rows with an empty sequence are rejected at training with a message naming the row. For multiclass, a label key
/// that is missing (a value the key mapping did not know) is rejected at training, naming the row; ML.NET's
/// evaluator skips such rows.
/// </remarks>
public sealed class RecurrentSequenceTrainer : IEstimator<RecurrentSequenceTransformer>
{
    private readonly TrainerCore<RecurrentSequenceTrainerOptions> _core;
    private readonly SequencePredictionKind _kind;
    private readonly RecurrentSequenceTrainerOptions _options;

    internal RecurrentSequenceTrainer(IHostEnvironment environment, SequencePredictionKind kind, RecurrentSequenceTrainerOptions options)
    {
        _kind = kind;
        _core = new(environment, nameof(RecurrentSequenceTrainer), options, o => o.ValidateNetwork(), schema => CheckSchema(schema));
        _options = _core.Options;
    }

    /// <summary>What the trained model will predict.</summary>
    public SequencePredictionKind Kind => _kind;

    /// <summary>Per-epoch history of each network of the last <see cref="Fit(IDataView)"/> (one entry per ensemble member).</summary>
    public IReadOnlyList<TrainingHistory> LastTrainingHistories { get; private set; } = [];

    /// <summary>Trains on <paramref name="input"/>; validation, if any, is a fraction of it (<see cref="TrainingOptions.ValidationFraction"/>).</summary>
    public RecurrentSequenceTransformer Fit(IDataView input) => Fit(input, null);

    /// <summary>Trains on <paramref name="trainData"/>, validating each epoch on <paramref name="validationData"/> when given.</summary>
    public RecurrentSequenceTransformer Fit(IDataView trainData, IDataView? validationData) => _core.Fit(trainData, validationData, run =>
    {
        var targetKind = _kind == SequencePredictionKind.MulticlassClassification ? SequenceTargetKind.Class : SequenceTargetKind.Value;
        int featureSize = Math.Max(_options.FeatureSize, 1);
        SequenceDataset Read(IDataView data) => SequenceDataReader.Read(data, _options.FeatureColumnName, featureSize, _options.LabelColumnName,
            targetKind, trimPadding: true, weightColumn: _options.ExampleWeightColumnName, wideColumn: _options.WideFeatureColumnName);
        var training = Read(trainData);
        var validation = validationData is null ? null : Read(validationData);

        var settings = DescribeModel(trainData.Schema, training);
        // Validation is scored as prediction will be: ids the trained vocabulary lacks are the unknown id.
        validation = validation?.WithUnknownTokensFrom(settings.VocabularySize, RecurrentSequenceTransformer.UnknownTokenId);
        float[,]? embeddings = LoadPretrainedEmbeddings(settings, run.Channel);
        var task = SequenceTrainingTasks.For(_kind);
        var loop = new TrainingLoop(_options)
        {
            // A model that starts from the linear model keeps the recurrent part only where it beats that start on validation.
            StartIsCandidate = settings.UsesWideFeatures && _options.StartFromLinearModel,
            // Discriminative rates and gradual unfreezing split the network into groups from the output down; otherwise one group.
            ParameterGrouping = _options.LayerLearningRateDecay != 1 || _options.GradualUnfreezing
                ? model => new ParameterGrouping(((SequenceClassifierNetwork)model).ParameterGroupsTopDown(), _options.LayerLearningRateDecay, _options.GradualUnfreezing)
                : null,
        };
        LinearStart? linearStart = null; // shared by the members that train and validate on the same rows
        var networks = run.TrainMembers(_options.EnsembleSize,
            () =>
            {
                var network = settings.BuildNetwork(embeddings, _options.FreezeEmbeddings, _options.EmbeddingDropout, _options.LayerDropout, _options.OutputDropout);
                if (_options.PretrainedLanguageModel is { } languageModel)
                {
                    var copied = LanguageModelTransfer.CopyInto(languageModel.Network, languageModel.ModelSettings, network);
                    run.Channel.LogInfo($"Encoder initialized from the language model: embedding and forward layer(s) {string.Join(", ", copied.Layers.Select(l => l + 1))}.");
                }
                return network;
            },
            (model, member) =>
            {
                if (settings.UsesWideFeatures && _options.StartFromLinearModel)
                    linearStart = StartFromLinearModel((SequenceClassifierNetwork)model, training, validation, loop.TrainingIndices(training, validation, member), settings, member.Seed, run.Channel, linearStart);
                return loop.Train(model, task, training, validation, member);
            });
        LastTrainingHistories = run.Histories;
        return new RecurrentSequenceTransformer(_core.Host, settings, new(networks))
        {
            Story = run.Story(RecurrentSequenceTransformer.LoaderSignature, _kind.ToString(), training),
        };
    });

    /// <summary>A linear model on the wide features and the rows it was fitted and chosen on.</summary>
    private sealed record LinearStart(int[] TrainingRows, int[] ValidationRows, WideLinearStart Model);

    /// <summary>
    /// Fits the linear model on the wide features of the rows the network trains on (or reuses <paramref name="previous"/>,
    /// fitted on the same rows for an earlier ensemble member), and starts the network from it with the wide map fixed.
    /// </summary>
    private LinearStart StartFromLinearModel(SequenceClassifierNetwork network, SequenceDataset training, SequenceDataset? validation,
        (int[] Training, int[] Validation) rows, SequenceModelSettings settings, int seed, IChannel channel, LinearStart? previous)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var start = previous is not null && previous.TrainingRows.AsSpan().SequenceEqual(rows.Training) && previous.ValidationRows.AsSpan().SequenceEqual(rows.Validation)
            ? previous
            : new LinearStart(rows.Training, rows.Validation, WideLinearStart.Fit(_kind, training, rows.Training, validation ?? training, rows.Validation, settings.OutputSize, seed, channel.LogInfo));
        start.Model.CopyInto(network);
        network.Wide!.weight!.requires_grad = false;
        channel.LogInfo($"Started from the linear model on the {settings.WideFeatureSize} wide features of '{settings.WideFeatureColumnName}' ({rows.Training.Length} rows, {clock.Elapsed.TotalSeconds:F1} s); the recurrent part learns what it leaves.");
        return start;
    }

    /// <summary>Checks the input columns and describes the columns the trained model adds.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var label = CheckSchema(inputSchema);
        // Described from the transformer's own column list for a stand-in model: the shapes depend on the task, the
        // column names and whether the label's keys have text values (the class names), not on what Fit learns.
        bool classNames = _kind == SequencePredictionKind.MulticlassClassification
            && SchemaChecks.TryFindColumn(label.Annotations, AnnotationNames.KeyValues, out var keyValues)
            && keyValues.Kind == SchemaShape.Column.VectorKind.Vector && keyValues.ItemType is TextDataViewType;
        var standIn = new SequenceModelSettings
        {
            Kind = _kind,
            OutputSize = 2,
            ClassNames = classNames ? ["", ""] : null,
            ScoreColumnName = _options.ScoreColumnName,
            PredictedLabelColumnName = _options.PredictedLabelColumnName,
            ProbabilityColumnName = _options.ProbabilityColumnName,
        };
        return SchemaChecks.WithColumns(inputSchema, SchemaChecks.ShapesOf(RecurrentSequenceTransformer.OutputColumns(standIn)));
    }

    private SchemaShape.Column CheckSchema(SchemaShape schema)
    {
        const string component = "Recurrent trainer";
        bool tokens = _options.FeatureSize == 0;
        SchemaChecks.RequireColumn(schema, component, "feature", _options.FeatureColumnName,
            c => c.Kind != SchemaShape.Column.VectorKind.Scalar && (tokens
                ? c.IsKey || c.ItemType == NumberDataViewType.Int32 || c.ItemType == NumberDataViewType.Int64 || c.ItemType == NumberDataViewType.UInt32
                : c.ItemType == NumberDataViewType.Single),
            tokens ? "a vector of token ids (Int32, Int64, UInt32 or key), e.g. from TokenizeToSequence" : $"a vector of Single ({_options.FeatureSize} per step)");
        if (_options.ExampleWeightColumnName is { } weight)
            SchemaChecks.RequireColumn(schema, component, "example weight", weight,
                c => c.Kind == SchemaShape.Column.VectorKind.Scalar && c.ItemType == NumberDataViewType.Single, "a Single scalar");
        if (_options.WideFeatureColumnName is { } wide)
            SchemaChecks.RequireColumn(schema, component, "wide feature", wide,
                c => c.Kind == SchemaShape.Column.VectorKind.Vector && c.ItemType == NumberDataViewType.Single,
                "a vector of Single of known size, e.g. from FeaturizeText");
        return _kind switch
        {
            SequencePredictionKind.BinaryClassification => SchemaChecks.RequireColumn(schema, component, "label", _options.LabelColumnName,
                c => c.Kind == SchemaShape.Column.VectorKind.Scalar && c.ItemType == BooleanDataViewType.Instance, "a Boolean scalar"),
            SequencePredictionKind.MulticlassClassification => SchemaChecks.RequireColumn(schema, component, "label", _options.LabelColumnName,
                c => c.Kind == SchemaShape.Column.VectorKind.Scalar && c.IsKey, "a key scalar, e.g. from MapValueToKey"),
            _ => SchemaChecks.RequireColumn(schema, component, "label", _options.LabelColumnName,
                c => c.Kind == SchemaShape.Column.VectorKind.Scalar && c.ItemType == NumberDataViewType.Single, "a Single scalar"),
        };
    }

    private SequenceModelSettings DescribeModel(DataViewSchema schema, SequenceDataset training)
    {
        bool tokens = _options.FeatureSize == 0;
        int vocabulary = 0;
        if (tokens)
        {
            var itemType = ((VectorDataViewType)schema[_options.FeatureColumnName].Type).ItemType;
            int fromData = itemType is KeyDataViewType { Count: > 0 and < int.MaxValue } key ? (int)key.Count + 1 : training.MaxTokenId + 1;
            vocabulary = _options.PretrainedLanguageModel is { } lm ? lm.ModelSettings.VocabularySize
                : _options.VocabularySize > 0 ? _options.VocabularySize : Math.Max(fromData, 2);
            if (training.MaxTokenId >= vocabulary)
                throw new ArgumentOutOfRangeException(nameof(RecurrentSequenceTrainerOptions.VocabularySize), vocabulary,
                    $"Column '{_options.FeatureColumnName}' holds token id {training.MaxTokenId}, outside the vocabulary size {vocabulary}.");
        }

        int outputSize = 1;
        string[]? classNames = null;
        if (_kind == SequencePredictionKind.MulticlassClassification)
        {
            var keyType = (KeyDataViewType)schema[_options.LabelColumnName].Type;
            outputSize = keyType.Count is > 0 and <= 100_000 ? (int)keyType.Count : Math.Max(training.ClassCount, 2);
            classNames = ReadClassNames(schema[_options.LabelColumnName], outputSize);
        }

        return new SequenceModelSettings
        {
            Kind = _kind,
            FeatureColumnName = _options.FeatureColumnName,
            FeatureSize = _options.FeatureSize,
            CellType = _options.PretrainedLanguageModel?.ModelSettings.CellType ?? _options.CellType,
            HiddenSize = _options.PretrainedLanguageModel?.ModelSettings.HiddenSize ?? _options.HiddenSize,
            Layers = _options.PretrainedLanguageModel is { } pretrained && !_options.Bidirectional ? pretrained.ModelSettings.Layers : _options.Layers,
            Bidirectional = _options.Bidirectional,
            Pooling = _options.Pooling,
            WideFeatureColumnName = _options.WideFeatureColumnName,
            WideFeatureSize = training.WideSize,
            VocabularySize = vocabulary,
            EmbeddingSize = tokens ? _options.PretrainedLanguageModel?.ModelSettings.EmbeddingSize ?? EmbeddingWidth() : 0,
            OutputSize = outputSize,
            ClassNames = classNames,
            ScoreColumnName = _options.ScoreColumnName,
            PredictedLabelColumnName = _options.PredictedLabelColumnName,
            ProbabilityColumnName = _options.ProbabilityColumnName,
        };
    }

    private int EmbeddingWidth()
    {
        if (_options.PretrainedEmbeddingsPath is null)
            return _options.EmbeddingSize;
        // The width comes from the file; reading one line is enough to know it.
        foreach (string line in File.ReadLines(_options.PretrainedEmbeddingsPath))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 2 && int.TryParse(fields[0], out _) && int.TryParse(fields[1], out int declared))
                return declared;
            return fields.Length - 1;
        }
        throw new FormatException($"The word-vector file '{_options.PretrainedEmbeddingsPath}' is empty.");
    }

    private float[,]? LoadPretrainedEmbeddings(SequenceModelSettings settings, IChannel channel)
    {
        if (_options.PretrainedEmbeddingsPath is null || !settings.UsesTokens)
            return null;
        var vocabulary = _options.EmbeddingVocabulary!.Take(settings.VocabularySize).ToList();
        while (vocabulary.Count < settings.VocabularySize)
            vocabulary.Add($"<id {vocabulary.Count}>");
        var matrix = PretrainedEmbeddings.Load(_options.PretrainedEmbeddingsPath, vocabulary, out int dimension);
        channel.LogInfo($"Loaded {dimension}-dimensional word vectors from '{_options.PretrainedEmbeddingsPath}'.");
        return matrix;
    }

    private static string[]? ReadClassNames(DataViewSchema.Column label, int count)
    {
        var keyValues = label.Annotations.Schema.GetColumnOrNull(AnnotationNames.KeyValues);
        if (keyValues is null || keyValues.Value.Type is not VectorDataViewType { ItemType: TextDataViewType })
            return null;
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        label.Annotations.GetValue(AnnotationNames.KeyValues, ref names);
        var result = names.DenseValues().Select(n => n.ToString()).ToArray();
        return result.Length == count ? result : null;
    }
}
