using Microsoft.ML.Data;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>One sentence read from a CoNLL file: its tokens and one tag per token.</summary>
/// <param name="Tokens">The tokens (first column by default).</param>
/// <param name="Tags">The chosen tag column's values.</param>
/// <param name="Line">1-based line number of the sentence's first token.</param>
internal sealed record ConllSentence(string[] Tokens, string[] Tags, int Line);

/// <summary>
/// Reads CoNLL-format files: one token per line with whitespace-separated columns, a blank line between sentences,
/// <c>-DOCSTART-</c> lines skipped.
/// </summary>
internal static class ConllReader
{
    /// <summary>The row type of the data view; columns renamed through the schema definition.</summary>
    internal sealed class Row
    {
        [VectorType]
        public string[] Tokens { get; set; } = [];

        [VectorType]
        public string[] Tags { get; set; } = [];
    }

    /// <summary>
    /// Reads every sentence of <paramref name="path"/>. <paramref name="tagColumn"/> and <paramref name="tokenColumn"/>
    /// are 0-based; a negative tag column counts from the end (-1, the default, is the last column). A line with too
    /// few columns throws <see cref="FormatException"/> naming the file and line.
    /// </summary>
    public static List<ConllSentence> Read(string path, int tagColumn = -1, int tokenColumn = 0, TagScheme? convertTo = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(tokenColumn);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The CoNLL file '{path}' does not exist.", path);
        var sentences = new List<ConllSentence>();
        var tokens = new List<string>();
        var tags = new List<string>();
        int lineNumber = 0, firstLine = 0;
        int? columnCount = null;

        void Flush()
        {
            if (tokens.Count > 0)
            {
                var sentenceTags = convertTo is { } scheme ? TagSchemes.Convert(tags, scheme) : tags.ToArray();
                sentences.Add(new ConllSentence(tokens.ToArray(), sentenceTags, firstLine));
            }
            tokens.Clear();
            tags.Clear();
        }

        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                Flush();
                continue;
            }
            if (fields[0].StartsWith("-DOCSTART-", StringComparison.Ordinal))
            {
                // A document boundary is also a sentence boundary, even without the usual blank line.
                Flush();
                continue;
            }
            int tagIndex = tagColumn < 0 ? fields.Length + tagColumn : tagColumn;
            int needed = Math.Max(tokenColumn, tagColumn < 0 ? -tagColumn - 1 : tagColumn) + 1;
            // Two columns at least: a line holding only a token would otherwise be read as its own tag.
            needed = Math.Max(needed, 2);
            if (fields.Length < needed || tagIndex < 0 || tagIndex == tokenColumn)
                throw new FormatException(
                    $"{path}, line {lineNumber}: expected at least {needed} whitespace-separated columns (token in column {tokenColumn}, " +
                    $"tag in column {(tagColumn < 0 ? $"{-tagColumn} from the end" : tagColumn.ToString(System.Globalization.CultureInfo.InvariantCulture))}), found {fields.Length}: '{line}'.");
            if (columnCount is { } expected && fields.Length != expected && tagColumn < 0)
                throw new FormatException($"{path}, line {lineNumber}: {fields.Length} columns, but earlier lines have {expected}: '{line}'.");
            columnCount ??= fields.Length;
            if (tokens.Count == 0)
                firstLine = lineNumber;
            tokens.Add(fields[tokenColumn]);
            tags.Add(fields[tagIndex]);
        }
        Flush();
        return sentences;
    }

    /// <summary>Reads <paramref name="path"/> into a data view with a token column and a tag column (variable-length text vectors).</summary>
    public static IDataView Load(MLContext mlContext, string path, int tagColumn, int tokenColumn, string tokenColumnName,
        string tagColumnName, TagScheme? convertTo)
    {
        CheckColumnNames(mlContext, tokenColumnName, tagColumnName);
        return ToDataView(mlContext, Read(path, tagColumn, tokenColumn, convertTo), tokenColumnName, tagColumnName);
    }

    /// <summary>Throws when the result's column names are missing or equal.</summary>
    internal static void CheckColumnNames(MLContext mlContext, string tokenColumnName, string tagColumnName)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentException.ThrowIfNullOrEmpty(tokenColumnName);
        ArgumentException.ThrowIfNullOrEmpty(tagColumnName);
        if (tokenColumnName == tagColumnName)
            throw new ArgumentException($"The token and tag columns need different names; both are '{tokenColumnName}'.", nameof(tagColumnName));
    }

    /// <summary>One row per sentence: a token column and a tag column (variable-length text vectors) with the given names.</summary>
    internal static IDataView ToDataView(MLContext mlContext, IEnumerable<ConllSentence> sentences, string tokenColumnName, string tagColumnName)
    {
        var rows = sentences.Select(s => new Row { Tokens = s.Tokens, Tags = s.Tags }).ToList();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Tokens)].ColumnName = tokenColumnName;
        schema[nameof(Row.Tags)].ColumnName = tagColumnName;
        return mlContext.Data.LoadFromEnumerable(rows, schema);
    }
}
