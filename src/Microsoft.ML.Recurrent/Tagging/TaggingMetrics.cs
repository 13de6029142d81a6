namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// Counts and scores of one class: an entity type (or all types together) in <see cref="TaggingMetrics.PerType"/>,
/// where the counts are entities, or one tag in <see cref="TaggingMetrics.PerTag"/>, where the counts are tokens.
/// </summary>
/// <param name="Precision">Correct / predicted (0 when nothing was predicted).</param>
/// <param name="Recall">Correct / gold (0 when there are none).</param>
/// <param name="F1">Harmonic mean of precision and recall (0 when both are 0).</param>
/// <param name="GoldCount">Entities (tokens, for a tag) in the reference tags.</param>
/// <param name="PredictedCount">Entities (tokens, for a tag) in the predicted tags.</param>
/// <param name="CorrectCount">Predicted entities whose type and both boundaries match a gold entity (tokens whose predicted tag is the gold tag, for a tag).</param>
public sealed record EntityMetrics(double Precision, double Recall, double F1, int GoldCount, int PredictedCount, int CorrectCount)
{
    internal static EntityMetrics FromCounts(int gold, int predicted, int correct)
    {
        double precision = predicted == 0 ? 0 : (double)correct / predicted;
        double recall = gold == 0 ? 0 : (double)correct / gold;
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new EntityMetrics(precision, recall, f1, gold, predicted, correct);
    }
}

/// <summary>
/// Quality of predicted tag sequences: token accuracy, token-level precision, recall and F1 of every tag and, for
/// entity tag sets (B-/I-/E-/S- prefixes), entity-level precision, recall and F1 with strict span matching (conlleval
/// semantics), overall and per type.
/// </summary>
/// <remarks>
/// For tag sets that are not chunk schemes (part of speech, see <see cref="TagSchemes.Detect"/>), the entity scores
/// are 0 and mean nothing: report <see cref="TokenAccuracy"/>, <see cref="PerTag"/> and <see cref="MacroF1"/>.
/// </remarks>
/// <param name="TokenAccuracy">Tokens whose predicted tag equals the gold tag, over all tokens. The metric for tag sets without entities (part of speech).</param>
/// <param name="Precision">Overall entity precision (micro-averaged over types).</param>
/// <param name="Recall">Overall entity recall.</param>
/// <param name="F1">Overall entity F1: what CoNLL shared tasks report.</param>
/// <param name="PerType">Scores of each entity type, by type name (e.g. "PER").</param>
/// <param name="TokenCount">Tokens evaluated.</param>
/// <param name="SentenceCount">Sentences (rows) evaluated.</param>
public sealed record TaggingMetrics(double TokenAccuracy, double Precision, double Recall, double F1,
    IReadOnlyDictionary<string, EntityMetrics> PerType, long TokenCount, long SentenceCount)
{
    /// <summary>True when the gold or predicted tags contain entities; otherwise the entity scores are 0 and only <see cref="TokenAccuracy"/> is meaningful.</summary>
    public bool HasEntities => PerType.Count > 0;

    /// <summary>
    /// Token-level scores of each tag that occurs in the gold or predicted tags, by tag (e.g. "NOUN"): precision =
    /// tokens correctly given the tag / tokens given it, recall = tokens correctly given the tag / gold tokens with it.
    /// </summary>
    public IReadOnlyDictionary<string, EntityMetrics> PerTag { get; init; } = new Dictionary<string, EntityMetrics>();

    /// <summary>The unweighted mean of the F1 of the tags in <see cref="PerTag"/> that occur in the gold tags (0 when there are none).</summary>
    public double MacroF1 => PerTag.Values.Where(t => t.GoldCount > 0).Select(t => t.F1).DefaultIfEmpty(0).Average();
}

/// <summary>Accumulates gold and predicted tag sequences, one sentence at a time, into <see cref="TaggingMetrics"/>.</summary>
internal sealed class TaggingScorer
{
    private readonly Dictionary<string, (int Gold, int Predicted, int Correct)> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Gold, int Predicted, int Correct)> _tagCounts = new(StringComparer.Ordinal);
    private long _tokens, _correctTokens, _sentences;

    /// <summary>Adds one sentence; both lists must have the same length.</summary>
    public void Add(IReadOnlyList<string> gold, IReadOnlyList<string> predicted)
    {
        if (gold.Count != predicted.Count)
            throw new ArgumentException($"Sentence {_sentences}: {gold.Count} gold tags but {predicted.Count} predicted tags.");
        _sentences++;
        _tokens += gold.Count;
        for (int i = 0; i < gold.Count; i++)
        {
            bool correct = string.Equals(gold[i], predicted[i], StringComparison.Ordinal);
            if (correct)
                _correctTokens++;
            Bump(_tagCounts, gold[i], gold: 1, correct: correct ? 1 : 0);
            Bump(_tagCounts, predicted[i], predicted: 1);
        }
        var goldSpans = TagSchemes.Spans(gold);
        var predictedSpans = TagSchemes.Spans(predicted);
        var goldSet = new HashSet<TagSpan>(goldSpans);
        foreach (var span in goldSpans)
            Bump(_counts, span.Type, gold: 1);
        foreach (var span in predictedSpans)
            Bump(_counts, span.Type, predicted: 1, correct: goldSet.Contains(span) ? 1 : 0);
    }

    public TaggingMetrics ToMetrics()
    {
        var overall = EntityMetrics.FromCounts(_counts.Values.Sum(c => c.Gold), _counts.Values.Sum(c => c.Predicted), _counts.Values.Sum(c => c.Correct));
        double accuracy = _tokens == 0 ? 0 : (double)_correctTokens / _tokens;
        return new TaggingMetrics(accuracy, overall.Precision, overall.Recall, overall.F1, Scores(_counts), _tokens, _sentences) { PerTag = Scores(_tagCounts) };
    }

    private static Dictionary<string, EntityMetrics> Scores(Dictionary<string, (int Gold, int Predicted, int Correct)> counts)
        => counts.OrderBy(p => p.Key, StringComparer.Ordinal)
            .ToDictionary(p => p.Key, p => EntityMetrics.FromCounts(p.Value.Gold, p.Value.Predicted, p.Value.Correct), StringComparer.Ordinal);

    private static void Bump(Dictionary<string, (int Gold, int Predicted, int Correct)> counts, string key, int gold = 0, int predicted = 0, int correct = 0)
    {
        counts.TryGetValue(key, out var c);
        counts[key] = (c.Gold + gold, c.Predicted + predicted, c.Correct + correct);
    }
}
