using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Text;
using Microsoft.ML.Recurrent;

namespace Microsoft.ML;

/// <summary>Text preprocessing for recurrent models on <c>mlContext.Transforms.Text</c>.</summary>
public static class TextCatalogExtensions
{
    /// <summary>
    /// Turns a text column into a variable-length vector of Int32 token ids, fitting a word or character vocabulary
    /// on the training data. Ids 0 and 1 are reserved for padding and unknown tokens.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">Output column: a variable-size vector of Int32 token ids.</param>
    /// <param name="inputColumnName">Input text column. Default: <paramref name="outputColumnName"/>.</param>
    /// <param name="granularity">Words or characters. Default: <see cref="TokenGranularity.Word"/>. For subwords use the options overload.</param>
    /// <param name="maximumVocabularySize">Largest number of ids, reserved ones included. Default: 20000; 0 = unlimited.</param>
    /// <param name="minimumFrequency">Fewest occurrences for a token to get its own id. Default: 1.</param>
    /// <param name="addBeginEnd">Whether to wrap every sequence in <c>&lt;s&gt;</c> (id 2) and <c>&lt;/s&gt;</c> (id 3). Default: false.</param>
    public static TokenizeToSequenceEstimator TokenizeToSequence(this TransformsCatalog.TextTransforms catalog, string outputColumnName,
        string? inputColumnName = null, TokenGranularity granularity = TokenGranularity.Word, int maximumVocabularySize = 20000,
        int minimumFrequency = 1, bool addBeginEnd = false)
        => catalog.TokenizeToSequence(new TokenizeToSequenceEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            Granularity = granularity,
            MaximumVocabularySize = maximumVocabularySize,
            MinimumFrequency = minimumFrequency,
            AddBeginEnd = addBeginEnd,
        });

    /// <summary>Turns a text column into a vector of Int32 token ids, with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="options">The settings; see <see cref="TokenizeToSequenceEstimator.Options"/> for defaults.</param>
    public static TokenizeToSequenceEstimator TokenizeToSequence(this TransformsCatalog.TextTransforms catalog, TokenizeToSequenceEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TokenizeToSequenceEstimator(BridgeEnvironment.FromCatalog(catalog), options);
    }

    /// <summary>
    /// Weights a vector of term counts (e.g. <c>ProduceNgrams</c> or <c>FeaturizeText</c> output) by each term's naive
    /// Bayes log-count ratio, fitted on a Boolean label: the features of NB-SVM, a strong linear baseline for sentiment
    /// and the wide features a recurrent classifier can start from.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">Output column: a vector of Single of the input's size, sparse where the input is.</param>
    /// <param name="inputColumnName">Input column of non-negative term counts, a known-size vector of Single. Default: <paramref name="outputColumnName"/>.</param>
    /// <param name="labelColumnName">Boolean label column, read only when fitting. Default: "Label".</param>
    /// <param name="smoothing">Count added to every term in each class. Default: 1.</param>
    /// <param name="binarize">Whether a term counts once per row, however often it occurs. Default: true.</param>
    public static LogCountRatioEstimator WeightByLogCountRatio(this TransformsCatalog.TextTransforms catalog, string outputColumnName,
        string? inputColumnName = null, string labelColumnName = "Label", float smoothing = 1, bool binarize = true)
        => catalog.WeightByLogCountRatio(new LogCountRatioEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            LabelColumnName = labelColumnName,
            Smoothing = smoothing,
            Binarize = binarize,
        });

    /// <summary>Weights term counts by their naive Bayes log-count ratios, with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="options">The settings; see <see cref="LogCountRatioEstimator.Options"/> for defaults.</param>
    public static LogCountRatioEstimator WeightByLogCountRatio(this TransformsCatalog.TextTransforms catalog, LogCountRatioEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new LogCountRatioEstimator(BridgeEnvironment.FromCatalog(catalog), options);
    }
}
