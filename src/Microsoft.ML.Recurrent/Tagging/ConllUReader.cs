using System.Globalization;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>Which tag of a CoNLL-U word line <see cref="SequenceTaggingCatalog.LoadConllU"/> reads.</summary>
public enum ConllUTagField
{
    /// <summary>UPOS, the fourth field: the Universal Dependencies part-of-speech tag (NOUN, VERB, ADP, …), present in every treebank.</summary>
    Upos,

    /// <summary>XPOS, the fifth field: the treebank's own part-of-speech tag (e.g. Penn Treebank's NN, VBZ); "_" in treebanks without one.</summary>
    Xpos,
}

/// <summary>
/// Reads CoNLL-U files (Universal Dependencies): one word per line with ten tab-separated fields (ID, FORM, LEMMA,
/// UPOS, XPOS, FEATS, HEAD, DEPREL, DEPS, MISC), comment lines starting with #, a blank line after each sentence.
/// Multiword-token lines (ID "1-2") and empty nodes (ID "8.1") are skipped: the words of a multiword token follow it
/// on lines of their own, and empty nodes are not words of the sentence.
/// </summary>
internal static class ConllUReader
{
    private const int FieldCount = 10;

    /// <summary>Every sentence of <paramref name="path"/>: its FORM fields and the chosen tag field.</summary>
    /// <exception cref="FormatException">A word line does not have ten fields, its ID is not a number, or the chosen tag is "_"; the message names the file and line.</exception>
    public static List<ConllSentence> Read(string path, ConllUTagField tagField)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Enum.IsDefined(tagField))
            throw new ArgumentOutOfRangeException(nameof(tagField), tagField, "Unknown CoNLL-U tag field.");
        if (!File.Exists(path))
            throw new FileNotFoundException($"The CoNLL-U file '{path}' does not exist.", path);
        int tagIndex = tagField == ConllUTagField.Upos ? 3 : 4;
        var sentences = new List<ConllSentence>();
        var tokens = new List<string>();
        var tags = new List<string>();
        int lineNumber = 0, firstLine = 0;

        void Flush()
        {
            if (tokens.Count > 0)
                sentences.Add(new ConllSentence(tokens.ToArray(), tags.ToArray(), firstLine));
            tokens.Clear();
            tags.Clear();
        }

        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0)
            {
                Flush();
                continue;
            }
            if (line.StartsWith('#'))
                continue;
            var fields = line.TrimEnd('\r').Split('\t');
            if (fields.Length != FieldCount)
                throw new FormatException($"{path}, line {lineNumber}: expected {FieldCount} tab-separated fields (CoNLL-U), found {fields.Length}: '{line}'.");
            string id = fields[0];
            if (id.Contains('-') || id.Contains('.'))
                continue;
            if (!int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                throw new FormatException($"{path}, line {lineNumber}: the ID field '{id}' is not a word number, a range (1-2) or an empty node (8.1).");
            string tag = fields[tagIndex];
            if (tag == "_")
                throw new FormatException(
                    $"{path}, line {lineNumber}: the {tagField.ToString().ToUpperInvariant()} field is '_' (not annotated in this file){(tagField == ConllUTagField.Xpos ? "; read UPOS instead" : "")}.");
            if (tokens.Count == 0)
                firstLine = lineNumber;
            tokens.Add(fields[1]);
            tags.Add(tag);
        }
        Flush();
        return sentences;
    }
}
