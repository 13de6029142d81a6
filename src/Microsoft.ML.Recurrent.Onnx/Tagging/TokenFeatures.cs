using System.Text;

namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// Turns tokens into the numbers a tagger network reads. Each token becomes one step of
/// <c>2 + MaxWordCharacters</c> floats: the word id, the casing class, then the character ids (0-padded).
/// </summary>
/// <remarks>
/// The training loop batches float feature steps, so ids travel as floats; they are small integers, exact in float32.
/// Word ids: 0 padding, 1 unknown, then the vocabulary. Words are looked up lowercased with every digit replaced by 0
/// (when the settings ask), so "Paris"/"PARIS" share an embedding and numbers share a few; the casing class and the
/// characters keep what that normalization drops. Character ids: 0 padding, 1 unknown, then the character vocabulary.
/// A word longer than <c>MaxWordCharacters</c> keeps its first and last characters (prefixes and suffixes carry most
/// of the morphology).
/// </remarks>
internal static class TokenFeatures
{
    // The network (Microsoft.ML.Recurrent.Networks) sizes its embeddings from the same ids.
    public const int PaddingId = TaggerInputIds.PaddingId;
    public const int UnknownId = TaggerInputIds.UnknownId;
    public const int FirstVocabularyId = TaggerInputIds.FirstVocabularyId;

    /// <summary>Casing classes (ids 1..7; 0 is padding).</summary>
    public const int CasingCount = TaggerInputIds.CasingCount;

    /// <summary>Floats per token.</summary>
    public static int StepSize(TaggerModelSettings settings) => 2 + settings.MaxWordCharacters;

    /// <summary>The word as the vocabulary stores it.</summary>
    public static string NormalizeWord(string word, TaggerModelSettings settings)
    {
        if (!settings.LowercaseWords && !settings.ReplaceDigits)
            return word;
        var builder = new StringBuilder(word.Length);
        foreach (char c in word)
            builder.Append(settings.ReplaceDigits && char.IsDigit(c) ? '0' : settings.LowercaseWords ? char.ToLowerInvariant(c) : c);
        return builder.ToString();
    }

    /// <summary>1 lower, 2 capitalized, 3 all upper, 4 mixed case, 5 all digits, 6 contains a digit, 7 other (punctuation).</summary>
    public static int Casing(string word)
    {
        int letters = 0, upper = 0, digits = 0;
        foreach (char c in word)
        {
            if (char.IsDigit(c)) digits++;
            else if (char.IsLetter(c))
            {
                letters++;
                if (char.IsUpper(c)) upper++;
            }
        }
        if (word.Length > 0 && digits == word.Length) return 5;
        if (digits > 0) return 6;
        if (letters == 0) return 7;
        if (upper == 0) return 1;
        if (upper == letters) return letters == 1 && word.Length == 1 ? 2 : 3;
        if (upper == 1 && char.IsUpper(word[0])) return 2;
        return 4;
    }

    /// <summary>Builds the word list (frequency, then ordinal order) and character list of the training sentences.</summary>
    public static (string[] Words, string Characters) BuildVocabularies(IEnumerable<string[]> sentences, TaggerModelSettings settings, int minWordCount)
    {
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        var characters = new HashSet<char>();
        foreach (var sentence in sentences)
        {
            foreach (string token in sentence)
            {
                string word = NormalizeWord(token, settings);
                words[word] = words.GetValueOrDefault(word) + 1;
                characters.UnionWith(token);
            }
        }
        var wordList = words.Where(p => p.Value >= minWordCount).OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key).ToArray();
        // UTF-16 units rather than text elements: the network only needs consistent ids, and a string stores them compactly.
        return (wordList, new string(characters.Order().ToArray()));
    }

    /// <summary>Lookups built once per model from its settings.</summary>
    internal sealed class Encoder
    {
        private readonly TaggerModelSettings _settings;
        private readonly Dictionary<string, int> _words;
        private readonly Dictionary<char, int> _characters;

        public Encoder(TaggerModelSettings settings)
        {
            _settings = settings;
            _words = new Dictionary<string, int>(settings.Words.Length, StringComparer.Ordinal);
            for (int i = 0; i < settings.Words.Length; i++)
                _words[settings.Words[i]] = FirstVocabularyId + i;
            _characters = [];
            for (int i = 0; i < settings.Characters.Length; i++)
                _characters[settings.Characters[i]] = FirstVocabularyId + i;
        }

        public int StepSize => TokenFeatures.StepSize(_settings);

        /// <summary>Writes the steps of <paramref name="tokens"/> into <paramref name="destination"/> (tokens × <see cref="StepSize"/> floats).</summary>
        public void Encode(IReadOnlyList<string> tokens, Span<float> destination)
        {
            int width = StepSize, maxChars = _settings.MaxWordCharacters;
            destination.Clear();
            for (int t = 0; t < tokens.Count; t++)
            {
                string token = tokens[t] ?? "";
                var step = destination.Slice(t * width, width);
                step[0] = _words.TryGetValue(NormalizeWord(token, _settings), out int id) ? id : UnknownId;
                step[1] = Casing(token);
                int length = token.Length, head = length <= maxChars ? length : maxChars - maxChars / 2;
                for (int c = 0; c < Math.Min(length, maxChars); c++)
                {
                    char ch = c < head ? token[c] : token[length - (maxChars - c)];
                    step[2 + c] = _characters.TryGetValue(ch, out int charId) ? charId : UnknownId;
                }
            }
        }

        /// <summary>Encodes into a new array.</summary>
        public float[] Encode(IReadOnlyList<string> tokens)
        {
            var result = new float[tokens.Count * StepSize];
            Encode(tokens, result);
            return result;
        }
    }
}
