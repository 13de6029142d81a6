using Microsoft.ML.Recurrent.Text;

namespace Microsoft.ML.Recurrent.LanguageModeling;

/// <summary>Turns generated ids into the text pieces that streaming generation yields.</summary>
internal static class GeneratedText
{
    /// <summary>
    /// One piece per id: the end-of-sequence id gives a line break; a word gives itself (after a space unless it starts
    /// a line); a character gives itself. Subword ids are decoded together with the line's earlier ids, because one
    /// character's UTF-8 bytes can span several byte-level tokens: an id that ends inside a character gives an empty
    /// piece, and the character comes whole with the id that completes it. The pieces concatenate to the text of the
    /// ids (an incomplete character left at the very end comes as one more piece, as the tokenizer decodes it).
    /// </summary>
    public static IEnumerable<string> Pieces(TokenizeToSequenceTransformer tokenizer, IEnumerable<int> ids, int? endOfSequenceId)
    {
        bool subword = tokenizer.Granularity == TokenGranularity.Subword;
        bool lineStart = true;
        var line = new List<int>();
        int emitted = 0;
        foreach (int id in ids)
        {
            if (id == endOfSequenceId)
            {
                string rest = Rest(tokenizer, line, emitted);
                line.Clear();
                emitted = 0;
                lineStart = true;
                yield return rest + "\n";
            }
            else if (subword)
            {
                line.Add(id);
                string text = tokenizer.Decode(line);
                // The decoder shows the bytes of an unfinished character as U+FFFD until its last byte arrives.
                int complete = text.Length;
                while (complete > emitted && text[complete - 1] == '\uFFFD')
                    complete--;
                yield return complete > emitted ? text[emitted..complete] : "";
                emitted = Math.Max(emitted, complete);
            }
            else
            {
                yield return (tokenizer.Granularity == TokenGranularity.Word && !lineStart ? " " : "") + tokenizer.Vocabulary[id];
                lineStart = false;
            }
        }
        if (Rest(tokenizer, line, emitted) is { Length: > 0 } last)
            yield return last;
    }

    // What the line's ids decode to beyond the emitted characters: the bytes of a character that never completed.
    private static string Rest(TokenizeToSequenceTransformer tokenizer, List<int> line, int emitted)
    {
        if (line.Count == 0)
            return "";
        string text = tokenizer.Decode(line);
        return text.Length > emitted ? text[emitted..] : "";
    }
}
