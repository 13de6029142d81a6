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
    /// A lone surrogate (text cut in the middle of a pair, or bad input) becomes U+FFFD, the replacement character.
    /// </summary>
    public static string Prepare(string text, bool lowercase)
    {
        // Normalization and Rune reading throw on lone surrogates; text from users must never make tokenization throw.
        text = ReplaceLoneSurrogates(text);
        if (!text.IsNormalized(NormalizationForm.FormC))
            text = text.Normalize(NormalizationForm.FormC);
        return lowercase ? text.ToLowerInvariant() : text;
    }

    private static string ReplaceLoneSurrogates(string text)
    {
        int bad = FirstLoneSurrogate(text, 0);
        if (bad < 0)
            return text;
        var builder = new StringBuilder(text.Length);
        int start = 0;
        for (; bad >= 0; bad = FirstLoneSurrogate(text, start))
        {
            builder.Append(text, start, bad - start).Append('\uFFFD');
            start = bad + 1;
        }
        return builder.Append(text, start, text.Length - start).ToString();
    }

    private static int FirstLoneSurrogate(string text, int from)
    {
        for (int i = from; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else if (char.IsSurrogate(text[i]))
                return i;
        }
        return -1;
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
