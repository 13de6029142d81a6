using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Training;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// Trains a BiLSTM sequence tagger (named entities, part of speech, chunks): word, casing and character features,
/// a bidirectional recurrent encoder, a per-token output layer and, by default, a CRF with Viterbi decoding.
/// Created by <c>mlContext.SequenceTagging().Trainers.BiLstm(...)</c>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Token column</term><description>a vector of text tokens, one sentence per row (or keys with text values). The trainer builds its own word and character vocabularies in <see cref="Fit(IDataView)"/>, so no tokenizer or key mapping is needed in front of it.</description></item>
/// <item><term>Tag column</term><description>a vector of tags (text, or keys with text values) as long as the token vector; any tag set (IOB1, IOB2, BIOES, or part-of-speech tags).</description></item>
/// <item><term>Output column</term><description>see <see cref="SequenceTaggingTransformer"/>: a vector of predicted tags (text), one per token.</description></item>
/// <item><term>Needs training</term><description>yes (TorchSharp, CPU).</description></item>
/// </list>
/// Rows with no tokens are skipped in training. A row whose tag vector is not as long as its token vector is rejected,
/// naming the row. Validation data, when given, drives early stopping and best-epoch selection by entity F1 (token
/// accuracy for tag sets without entities); a tag in it that the training data never had is rejected, naming it.
/// </remarks>
public sealed class SequenceTaggingTrainer : IEstimator<SequenceTaggingTransformer>
{
    private const string Component = "Sequence tagging trainer";
    private readonly TrainerCore<SequenceTaggingTrainerOptions> _core;
    private readonly SequenceTaggingTrainerOptions _options;

    internal SequenceTaggingTrainer(IHostEnvironment environment, SequenceTaggingTrainerOptions options)
    {
        _core = new(environment, nameof(SequenceTaggingTrainer), options, o => o.ValidateTagger(), CheckSchema);
        _options = _core.Options;
    }

    /// <summary>Per-epoch history of the last <see cref="Fit(IDataView)"/>.</summary>
    public TrainingHistory? LastTrainingHistory { get; private set; }

    /// <summary>Trains on <paramref name="input"/>; validation, if any, is a fraction of it (<see cref="TrainingOptions.ValidationFraction"/>).</summary>
    public SequenceTaggingTransformer Fit(IDataView input) => Fit(input, null);

    /// <summary>Trains on <paramref name="trainData"/>, validating each epoch on <paramref name="validationData"/> when given.</summary>
    public SequenceTaggingTransformer Fit(IDataView trainData, IDataView? validationData) => _core.Fit(trainData, validationData, run =>
    {
        var train = ReadSentences(trainData, "training");
        if (train.Count == 0)
            throw new ArgumentException($"{Component}: the training data has no sentence with at least one token in column '{_options.TokenColumnName}'.", nameof(trainData));
        var valid = validationData is null ? null : ReadSentences(validationData, "validation");

        var settings = DescribeModel(train);
        var tagIndex = settings.Tags.Select((tag, i) => (tag, i)).ToDictionary(p => p.tag, p => p.i, StringComparer.Ordinal);
        var encoder = new TokenFeatures.Encoder(settings);
        var training = BuildDataset(train, encoder, tagIndex, settings.Tags.Length, "training");
        var validation = valid is null ? null : BuildDataset(valid, encoder, tagIndex, settings.Tags.Length, "validation");
        run.Channel.LogInfo($"{train.Count} sentences, {settings.Words.Length} words, {settings.Characters.Length} characters, {settings.Tags.Length} tags.");

        var loop = new TrainingLoop(_options);
        var network = run.TrainMembers(1, () => new TaggerNetwork(settings, _options.WordDropout, _options.Dropout),
            (model, member) => loop.Train(model, new TaggingTrainingTask(settings.Tags), training, validation, member)).Single();
        LastTrainingHistory = run.Histories[0];
        return new SequenceTaggingTransformer(_core.Host, settings, new(network))
        {
            Story = run.Story(SequenceTaggingTransformer.LoaderSignature, "SequenceTagging", training),
        };
    });

    /// <summary>Checks the input columns and describes the column the trained model adds.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _core.CheckSchema(inputSchema);
        // The transformer's own column (with its TagSet annotation) for a stand-in tag set: only the shape matters here.
        var standIn = new TaggerModelSettings { PredictedTagsColumnName = _options.PredictedTagsColumnName, Tags = ["O"] };
        return SchemaChecks.WithColumns(inputSchema, SchemaChecks.ShapesOf([SequenceTaggingTransformer.OutputColumn(standIn)]));
    }

    private void CheckSchema(SchemaShape schema)
    {
        static bool IsTextOrKeyVector(SchemaShape.Column c)
            => c.Kind != SchemaShape.Column.VectorKind.Scalar && (c.ItemType is TextDataViewType || c.IsKey);
        SchemaChecks.RequireColumn(schema, Component, "token", _options.TokenColumnName, IsTextOrKeyVector, TextVectorReader.Expected);
        SchemaChecks.RequireColumn(schema, Component, "tag", _options.TagColumnName, IsTextOrKeyVector, TextVectorReader.Expected);
    }

    private List<(string[] Tokens, string[] Tags, long Row)> ReadSentences(IDataView data, string role)
    {
        var tokenColumn = data.Schema[_options.TokenColumnName];
        var tagColumn = data.Schema[_options.TagColumnName];
        var result = new List<(string[], string[], long)>();
        using var cursor = data.GetRowCursor([tokenColumn, tagColumn]);
        var readTokens = TextVectorReader.Create(cursor, tokenColumn);
        var readTags = TextVectorReader.Create(cursor, tagColumn);
        while (cursor.MoveNext())
        {
            _options.CancellationToken.ThrowIfCancellationRequested();
            var tokens = readTokens();
            var tags = readTags();
            if (tokens.Length != tags.Length)
                throw new InvalidDataException(
                    $"{Component}: {role} data, row {cursor.Position}: {tokens.Length} tokens in column '{_options.TokenColumnName}' but {tags.Length} tags in column '{_options.TagColumnName}'; every token needs one tag.");
            if (tokens.Length > 0)
                result.Add((tokens, tags, cursor.Position));
        }
        return result;
    }

    private TaggerModelSettings DescribeModel(List<(string[] Tokens, string[] Tags, long Row)> train)
    {
        // "O" first, then ordinal order: the tag set does not depend on the order of the rows.
        var tags = train.SelectMany(s => s.Tags).Distinct(StringComparer.Ordinal)
            .OrderBy(t => t == "O" ? 0 : 1).ThenBy(t => t, StringComparer.Ordinal).ToArray();
        bool characters = _options.CharacterFeatures;
        var shape = new TaggerModelSettings
        {
            TokenColumnName = _options.TokenColumnName,
            PredictedTagsColumnName = _options.PredictedTagsColumnName,
            Tags = tags,
            LowercaseWords = _options.LowercaseWords,
            ReplaceDigits = _options.ReplaceDigits,
            MaxWordCharacters = characters ? _options.MaxWordCharacters : 0,
            WordEmbeddingSize = _options.WordEmbeddingSize,
            CasingEmbeddingSize = _options.CasingEmbeddingSize,
            CharacterEmbeddingSize = characters ? _options.CharacterEmbeddingSize : 0,
            CharacterFilters = characters ? _options.CharacterFilters : 0,
            CellType = _options.CellType,
            HiddenSize = _options.HiddenSize,
            Layers = _options.Layers,
            UseCrf = _options.UseCrf,
        };
        var (words, chars) = TokenFeatures.BuildVocabularies(train.Select(s => s.Tokens), shape, _options.MinWordCount);
        return shape with { Words = words, Characters = characters ? chars : "" };
    }

    private SequenceDataset BuildDataset(List<(string[] Tokens, string[] Tags, long Row)> sentences, TokenFeatures.Encoder encoder,
        Dictionary<string, int> tagIndex, int tagCount, string role)
    {
        var builder = new SequenceDataset.Builder(SequenceInputKind.Features, encoder.StepSize, SequenceTargetKind.StepClasses, classCount: tagCount);
        foreach (var (tokens, tags, row) in sentences)
        {
            var classes = new int[tags.Length];
            for (int t = 0; t < tags.Length; t++)
            {
                if (!tagIndex.TryGetValue(tags[t], out classes[t]))
                    throw new InvalidDataException(
                        $"{Component}: {role} data, row {row}, token {t} ('{tokens[t]}'): tag '{tags[t]}' does not occur in the training data, " +
                        $"whose tags are {string.Join(", ", tagIndex.Keys)}.");
            }
            builder.AddFeatures(encoder.Encode(tokens));
            builder.AddStepClasses(classes);
        }
        return builder.Build();
    }
}
