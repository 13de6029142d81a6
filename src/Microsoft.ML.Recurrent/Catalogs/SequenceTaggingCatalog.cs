using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Recurrent;
using Microsoft.ML.Runtime;

namespace Microsoft.ML;

/// <summary>
/// Sequence tagging (named entities, part of speech, chunks) on an <see cref="MLContext"/>:
/// <c>mlContext.SequenceTagging()</c>. Trainers, evaluation (entity-level F1, per-tag scores), and CoNLL and CoNLL-U file loading.
/// </summary>
public sealed class SequenceTaggingCatalog
{
    private readonly MLContext _mlContext;

    internal SequenceTaggingCatalog(MLContext mlContext)
    {
        _mlContext = mlContext;
        Trainers = new SequenceTaggingTrainers(mlContext);
    }

    /// <summary>The sequence tagging trainers.</summary>
    public SequenceTaggingTrainers Trainers { get; }

    /// <summary>
    /// Scores predicted tags against reference tags: token accuracy, token-level precision, recall and F1 of each tag,
    /// and entity precision, recall and F1 with strict span matching (conlleval semantics), overall and per entity type
    /// (meaningful for chunk tag sets only: see <see cref="TagSchemes.Detect"/>).
    /// </summary>
    /// <param name="data">Scored data, e.g. <c>model.Transform(testData)</c>.</param>
    /// <param name="labelColumnName">Reference tags: a vector of text, or of keys with text values.</param>
    /// <param name="predictedTagsColumnName">Predicted tags: a vector of text, as long as the reference on every row.</param>
    /// <exception cref="InvalidDataException">A row's vectors differ in length, or a reference tag is not in the model's
    /// tag set (when the predicted column carries <see cref="SequenceTaggingTransformer.TagSetAnnotation"/>); the message names the row and tag.</exception>
    public TaggingMetrics Evaluate(IDataView data, string labelColumnName = "Tags", string predictedTagsColumnName = "PredictedTags")
    {
        ArgumentNullException.ThrowIfNull(data);
        const string component = "Sequence tagging evaluation";
        var gold = Recurrent.MLNetBridge.SchemaChecks.RequireColumn(data.Schema, component, "label", labelColumnName, TextVectorReader.IsValid, TextVectorReader.Expected);
        var predicted = Recurrent.MLNetBridge.SchemaChecks.RequireColumn(data.Schema, component, "predicted tags", predictedTagsColumnName, TextVectorReader.IsValid, TextVectorReader.Expected);
        var tagSet = ReadTagSet(predicted);
        var scorer = new TaggingScorer();
        using var cursor = data.GetRowCursor([gold, predicted]);
        var readGold = TextVectorReader.Create(cursor, gold);
        var readPredicted = TextVectorReader.Create(cursor, predicted);
        while (cursor.MoveNext())
        {
            var goldTags = readGold();
            var predictedTags = readPredicted();
            if (goldTags.Length != predictedTags.Length)
                throw new InvalidDataException(
                    $"{component}: row {cursor.Position} has {goldTags.Length} tags in '{labelColumnName}' but {predictedTags.Length} in '{predictedTagsColumnName}'.");
            if (tagSet is not null)
            {
                for (int i = 0; i < goldTags.Length; i++)
                {
                    if (!tagSet.Contains(goldTags[i]))
                        throw new InvalidDataException(
                            $"{component}: row {cursor.Position}, token {i}: the tag '{goldTags[i]}' in column '{labelColumnName}' is not in the model's tag set " +
                            $"({string.Join(", ", tagSet.Order(StringComparer.Ordinal))}). Convert the data to the training data's tag scheme or retrain with this tag.");
                }
            }
            scorer.Add(goldTags, predictedTags);
        }
        return scorer.ToMetrics();
    }

    /// <summary>
    /// Loads a CoNLL-format file (one token per line, whitespace-separated columns, a blank line between sentences,
    /// <c>-DOCSTART-</c> lines skipped) as one row per sentence with a token column and a tag column, both
    /// variable-length text vectors.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="tagColumnIndex">0-based column holding the tag; negative counts from the end. Default -1: the last column (NER in CoNLL-2003).</param>
    /// <param name="tokenColumnIndex">0-based column holding the token. Default 0.</param>
    /// <param name="tokenColumnName">Name of the token column of the result. Default "Tokens".</param>
    /// <param name="tagColumnName">Name of the tag column of the result. Default "Tags".</param>
    /// <param name="convertTo">When set, entity tags are rewritten in this scheme (e.g. IOB1 files to BIOES). Default null: as in the file.</param>
    /// <exception cref="FormatException">A line has too few columns (or a different count than earlier lines); the message names the file and line.</exception>
    public IDataView LoadConll(string path, int tagColumnIndex = -1, int tokenColumnIndex = 0, string tokenColumnName = "Tokens",
        string tagColumnName = "Tags", TagScheme? convertTo = null)
        => ConllReader.Load(_mlContext, path, tagColumnIndex, tokenColumnIndex, tokenColumnName, tagColumnName, convertTo);

    /// <summary>
    /// Loads a CoNLL-U file (Universal Dependencies: ten tab-separated fields per word, # comments, a blank line after
    /// each sentence) as one row per sentence with a token column (the FORM field) and a tag column (UPOS or XPOS),
    /// both variable-length text vectors. Multiword-token lines and empty nodes are skipped.
    /// </summary>
    /// <param name="path">The file (e.g. a treebank's en_ewt-ud-train.conllu).</param>
    /// <param name="tagField">The tag to read. Default: <see cref="ConllUTagField.Upos"/>.</param>
    /// <param name="tokenColumnName">Name of the token column of the result. Default "Tokens".</param>
    /// <param name="tagColumnName">Name of the tag column of the result. Default "Tags".</param>
    /// <exception cref="FormatException">A word line does not have ten fields or its chosen tag is "_"; the message names the file and line.</exception>
    public IDataView LoadConllU(string path, ConllUTagField tagField = ConllUTagField.Upos, string tokenColumnName = "Tokens", string tagColumnName = "Tags")
    {
        ConllReader.CheckColumnNames(_mlContext, tokenColumnName, tagColumnName);
        return ConllReader.ToDataView(_mlContext, ConllUReader.Read(path, tagField), tokenColumnName, tagColumnName);
    }

    private static HashSet<string>? ReadTagSet(DataViewSchema.Column predicted)
    {
        var annotation = predicted.Annotations.Schema.GetColumnOrNull(SequenceTaggingTransformer.TagSetAnnotation);
        if (annotation?.Type is not VectorDataViewType { ItemType: TextDataViewType })
            return null;
        var values = default(VBuffer<ReadOnlyMemory<char>>);
        predicted.Annotations.GetValue(SequenceTaggingTransformer.TagSetAnnotation, ref values);
        return values.DenseValues().Select(v => v.ToString()).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Trainers of <see cref="SequenceTaggingCatalog"/>.</summary>
    public sealed class SequenceTaggingTrainers
    {
        private readonly IHostEnvironment _environment;

        internal SequenceTaggingTrainers(MLContext mlContext) => _environment = mlContext;

        /// <summary>
        /// A BiLSTM-CRF tagger with character CNN and casing features. Defaults: 100-d word embeddings, 50 character
        /// filters, 100 hidden units per direction, CRF, dropout 0.5, word dropout 0.05, Adam at 2e-3, 10 epochs of 16 sentences.
        /// </summary>
        /// <param name="tokenColumnName">Vector of text tokens, one sentence per row.</param>
        /// <param name="tagColumnName">Vector of tags (text or key), one per token.</param>
        /// <param name="predictedTagsColumnName">Output vector of predicted tags (text).</param>
        /// <param name="useCrf">Decode with a CRF layer (Viterbi) instead of independent per-token choices.</param>
        /// <param name="characterFeatures">Read each word's spelling with a character CNN.</param>
        /// <param name="hiddenSize">Hidden units per direction; at least 1.</param>
        /// <param name="epochs">Passes over the training data; at least 1.</param>
        /// <param name="batchSize">Sentences per mini-batch; at least 1.</param>
        /// <param name="learningRate">Adam's learning rate; positive.</param>
        public SequenceTaggingTrainer BiLstm(string tokenColumnName = "Tokens", string tagColumnName = "Tags", string predictedTagsColumnName = "PredictedTags",
            bool useCrf = true, bool characterFeatures = true, int hiddenSize = 100, int epochs = 10, int batchSize = 16, double learningRate = 2e-3)
            => BiLstm(new SequenceTaggingTrainerOptions
            {
                TokenColumnName = tokenColumnName,
                TagColumnName = tagColumnName,
                PredictedTagsColumnName = predictedTagsColumnName,
                UseCrf = useCrf,
                CharacterFeatures = characterFeatures,
                HiddenSize = hiddenSize,
                Epochs = epochs,
                BatchSize = batchSize,
                LearningRate = learningRate,
            });

        /// <summary>A BiLSTM tagger with every setting in <paramref name="options"/>.</summary>
        /// <param name="options">Columns, features, network and training settings; see <see cref="SequenceTaggingTrainerOptions"/>.</param>
        public SequenceTaggingTrainer BiLstm(SequenceTaggingTrainerOptions options) => new(_environment, options);
    }
}
