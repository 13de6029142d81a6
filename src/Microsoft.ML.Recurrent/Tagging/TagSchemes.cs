namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>How entity tags mark the tokens of an entity.</summary>
public enum TagScheme
{
    /// <summary>IOB1 (CoNLL-2003's original files): I- throughout; B- only on the first token of an entity that directly follows another of the same type.</summary>
    Iob1,

    /// <summary>IOB2, also called BIO: B- on the first token of every entity, I- on the rest.</summary>
    Iob2,

    /// <summary>BIOES (also BILOU): S- for single-token entities; B-, I-, E- for the first, inner and last tokens of longer ones.</summary>
    Bioes,
}

/// <summary>One entity: its type and the tokens it covers, <c>[Start, End)</c>.</summary>
/// <param name="Type">The entity type, e.g. "PER" for tag "B-PER".</param>
/// <param name="Start">Index of the first token.</param>
/// <param name="End">Index one past the last token.</param>
public readonly record struct TagSpan(string Type, int Start, int End);

/// <summary>
/// Entity spans and conversions between IOB1, IOB2 (BIO) and BIOES tags. Tags are "O", a prefix B-, I-, E- or S-
/// followed by a type, or (part-of-speech and other flat tag sets) anything else, which is treated like "O": it is
/// never part of an entity and conversions leave it unchanged.
/// </summary>
/// <remarks>
/// Spans follow the CoNLL evaluation script (conlleval): an entity starts at B- or S-, at I- or E- after O, after E-
/// or S-, or after a tag of a different type; it ends before B-, S-, O, a different type, or after E- or S-. Because
/// those rules read all three schemes, each conversion accepts tags in any of them.
/// </remarks>
public static class TagSchemes
{
    /// <summary>The entities of one sentence's tags, in order (conlleval rules; see the class remarks).</summary>
    /// <param name="tags">One tag per token.</param>
    public static IReadOnlyList<TagSpan> Spans(IReadOnlyList<string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var spans = new List<TagSpan>();
        int start = -1;
        string? openType = null;
        char previousPrefix = 'O';
        string previousType = "";
        for (int i = 0; i < tags.Count; i++)
        {
            var (prefix, type) = Parse(tags[i]);
            if (openType is not null && EndsBefore(previousPrefix, previousType, prefix, type))
            {
                spans.Add(new TagSpan(openType, start, i));
                openType = null;
            }
            if (prefix != 'O' && (openType is null || StartsAt(previousPrefix, previousType, prefix, type)))
            {
                if (openType is not null)
                    spans.Add(new TagSpan(openType, start, i));
                openType = type;
                start = i;
            }
            previousPrefix = prefix;
            previousType = type;
        }
        if (openType is not null)
            spans.Add(new TagSpan(openType, start, tags.Count));
        return spans;
    }

    /// <summary>Rewrites one sentence's tags in <paramref name="target"/>'s scheme; the input may use any of the three.</summary>
    /// <param name="tags">One tag per token.</param>
    /// <param name="target">The scheme of the result.</param>
    public static string[] Convert(IReadOnlyList<string> tags, TagScheme target)
    {
        ArgumentNullException.ThrowIfNull(tags);
        if (!Enum.IsDefined(target))
            throw new ArgumentOutOfRangeException(nameof(target), target, "Unknown tag scheme.");
        var result = new string[tags.Count];
        for (int i = 0; i < result.Length; i++)
            result[i] = Parse(tags[i]).Prefix == 'O' ? tags[i] : "O";
        TagSpan? previous = null;
        foreach (var span in Spans(tags))
        {
            for (int i = span.Start; i < span.End; i++)
            {
                bool first = i == span.Start, last = i == span.End - 1;
                char prefix = target switch
                {
                    TagScheme.Iob2 => first ? 'B' : 'I',
                    TagScheme.Bioes => first && last ? 'S' : first ? 'B' : last ? 'E' : 'I',
                    // IOB1 needs B- only where I- would merge this entity into the one just before it.
                    _ => first && previous is { } p && p.End == span.Start && p.Type == span.Type ? 'B' : 'I',
                };
                result[i] = $"{prefix}-{span.Type}";
            }
            previous = span;
        }
        return result;
    }

    /// <summary>Rewrites tags in IOB1 (see <see cref="TagScheme.Iob1"/>).</summary>
    /// <param name="tags">One tag per token, in any of the three schemes.</param>
    public static string[] ToIob1(IReadOnlyList<string> tags) => Convert(tags, TagScheme.Iob1);

    /// <summary>Rewrites tags in IOB2 / BIO (see <see cref="TagScheme.Iob2"/>).</summary>
    /// <param name="tags">One tag per token, in any of the three schemes.</param>
    public static string[] ToIob2(IReadOnlyList<string> tags) => Convert(tags, TagScheme.Iob2);

    /// <summary>Rewrites tags in BIOES (see <see cref="TagScheme.Bioes"/>).</summary>
    /// <param name="tags">One tag per token, in any of the three schemes.</param>
    public static string[] ToBioes(IReadOnlyList<string> tags) => Convert(tags, TagScheme.Bioes);

    /// <summary>
    /// The chunk scheme of tagged sentences, or null when their tags are not chunks: some tag is neither "O" nor an
    /// entity tag (part of speech, for instance), or no tag marks an entity. BIOES when a tag starts with E- or S-;
    /// IOB1 when an entity starts with I- (at the start of a sentence, after O, or after a tag of another type);
    /// IOB2 otherwise. Entity-level scores (<see cref="TaggingMetrics.F1"/>) mean something only for a chunk scheme.
    /// </summary>
    /// <param name="sentences">The tags of each sentence, e.g. the training data's.</param>
    public static TagScheme? Detect(IEnumerable<IReadOnlyList<string>> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        bool entities = false, bioes = false, iob1 = false;
        foreach (var tags in sentences)
        {
            string previousType = "";
            for (int i = 0; i < tags.Count; i++)
            {
                var (prefix, type) = Parse(tags[i]);
                if (prefix == 'O' && tags[i] != "O")
                    return null;
                entities |= prefix != 'O';
                bioes |= prefix is 'E' or 'S';
                iob1 |= prefix == 'I' && previousType != type;
                previousType = type;
            }
        }
        return !entities ? null : bioes ? TagScheme.Bioes : iob1 ? TagScheme.Iob1 : TagScheme.Iob2;
    }

    /// <summary>True when <paramref name="tag"/> marks part of an entity (B-, I-, E- or S- followed by a type).</summary>
    /// <param name="tag">A tag.</param>
    public static bool IsEntityTag(string tag) => Parse(tag).Prefix != 'O';

    /// <summary>Splits "B-PER" into ('B', "PER"); "O" and unprefixed tags give ('O', "").</summary>
    internal static (char Prefix, string Type) Parse(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (tag.Length >= 3 && tag[1] == '-' && tag[0] is 'B' or 'I' or 'E' or 'S')
            return (tag[0], tag[2..]);
        return ('O', "");
    }

    private static bool EndsBefore(char previousPrefix, string previousType, char prefix, string type)
        => previousPrefix is 'E' or 'S'
           || (previousPrefix is 'B' or 'I' && prefix is 'B' or 'S' or 'O')
           || (previousPrefix != 'O' && previousType != type);

    private static bool StartsAt(char previousPrefix, string previousType, char prefix, string type)
        => prefix is 'B' or 'S'
           || (previousPrefix is 'E' or 'S' or 'O' && prefix is 'E' or 'I')
           || (prefix != 'O' && previousType != type);
}
