using System.Globalization;
using System.Text;

namespace Microsoft.ML.Recurrent.Text;

/// <summary>
/// Splits text into word or character tokens. Both work on text elements (extended grapheme clusters), so that
/// surrogate pairs, emoji with modifiers and letters with combining marks are never cut apart.
/// </summary>
internal static class TextSplitter
{
    /// <summary>
    /// Brings text to the form tokens are compared in: Unicode NFC, so composed and decomposed spellings of "café"
    /// give the same token, and lower case (invariant culture, so results do not depend on the machine) when asked.
    /// </summary>
    public static string Prepare(string text, bool lowercase)
    {
        if (!text.IsNormalized(NormalizationForm.FormC))
            text = text.Normalize(NormalizationForm.FormC);
        return lowercase ? text.ToLowerInvariant() : text;
    }

    public static void SplitCharacters(string text, List<string> tokens)
    {
        var elements = StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
            tokens.Add(elements.GetTextElement());
    }

    public static void SplitWords(string text, PunctuationHandling punctuation, List<string> tokens)
    {
        var word = new StringBuilder();
        var elements = StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
        {
            string element = elements.GetTextElement();
            Rune first = Rune.GetRuneAt(element, 0);
            if (Rune.IsWhiteSpace(first))
            {
                Flush(word, tokens);
            }
            else if (punctuation != PunctuationHandling.Keep && Rune.IsPunctuation(first))
            {
                Flush(word, tokens);
                if (punctuation == PunctuationHandling.Separate)
                    tokens.Add(element);
            }
            else
            {
                word.Append(element);
            }
        }
        Flush(word, tokens);
    }

    private static void Flush(StringBuilder word, List<string> tokens)
    {
        if (word.Length == 0)
            return;
        tokens.Add(word.ToString());
        word.Clear();
    }
}
