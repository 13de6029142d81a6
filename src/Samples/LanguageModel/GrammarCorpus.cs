using Microsoft.ML.Recurrent.LanguageModeling;

namespace Samples.LanguageModel;

/// <summary>
/// Sentences from a small stochastic grammar written as a first-order Markov chain over words plus the end-of-sentence
/// token <c>&lt;/s&gt;</c>, so that the best cross-entropy any language model can reach on it — the chain's entropy
/// rate — is known exactly.
/// </summary>
/// <remarks>
/// Each word belongs to one category; the next category depends only on the current one, and the word within a
/// category is drawn with Zipf weights (1/rank). After <c>&lt;/s&gt;</c> a new sentence starts. Because every word
/// has a single category, the next word depends on the current word alone, which makes the word sequence a Markov chain.
/// </remarks>
internal static class GrammarCorpus
{
    public const string EndOfSentence = "</s>";

    private static readonly (string Name, string[] Words)[] Categories =
    [
        ("Det", ["the", "a", "every", "some"]),
        ("Adj", ["big", "small", "red", "old", "quiet"]),
        ("Noun", ["cat", "dog", "bird", "house", "tree", "river", "child"]),
        ("Name", ["alice", "bob", "carol"]),
        ("Verb", ["sees", "likes", "follows", "finds", "hears"]),
        ("Prep", ["near", "under", "behind"]),
    ];

    // Next-category probabilities; "End" is the end of the sentence and "Start" what follows it.
    private static readonly Dictionary<string, (string Next, double P)[]> Grammar = new()
    {
        ["Start"] = [("Det", 0.8), ("Name", 0.2)],
        ["Det"] = [("Adj", 0.35), ("Noun", 0.65)],
        ["Adj"] = [("Adj", 0.15), ("Noun", 0.85)],
        ["Noun"] = [("Verb", 0.6), ("Prep", 0.2), ("End", 0.2)],
        ["Name"] = [("Verb", 0.9), ("End", 0.1)],
        ["Verb"] = [("Det", 0.5), ("Name", 0.2), ("Prep", 0.15), ("End", 0.15)],
        ["Prep"] = [("Det", 0.8), ("Name", 0.2)],
    };

    /// <summary>Every state of the chain: the words, then <c>&lt;/s&gt;</c> last.</summary>
    public static string[] States { get; } = [.. Categories.SelectMany(c => c.Words), EndOfSentence];

    /// <summary>The word-to-word transition matrix (rows: current token, columns: next token), <c>&lt;/s&gt;</c> included.</summary>
    public static double[,] Transitions()
    {
        var index = States.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i);
        int n = States.Length;
        var matrix = new double[n, n];
        void Fill(int from, string category)
        {
            foreach (var (next, p) in Grammar[category])
            {
                if (next == "End")
                {
                    matrix[from, index[EndOfSentence]] += p;
                    continue;
                }
                var words = Categories.Single(c => c.Name == next).Words;
                double norm = words.Select((_, r) => 1.0 / (r + 1)).Sum();
                for (int r = 0; r < words.Length; r++)
                    matrix[from, index[words[r]]] += p * (1.0 / (r + 1)) / norm;
            }
        }
        foreach (var (name, words) in Categories)
            foreach (string word in words)
                Fill(index[word], name);
        Fill(index[EndOfSentence], "Start");
        return matrix;
    }

    /// <summary>Entropy rate of the word chain in nats per token (words and <c>&lt;/s&gt;</c>).</summary>
    public static double WordEntropyRate() => MarkovChain.EntropyRate(Transitions());

    /// <summary>
    /// Entropy rate per character of the same text read as characters (a line break after each sentence): words are
    /// separated by single spaces, so the characters determine the words and carry the same information, spread over
    /// len(word) + 1 characters per word (the space or line break after it) and none for <c>&lt;/s&gt;</c> itself.
    /// </summary>
    public static double CharacterEntropyRate()
    {
        var transitions = Transitions();
        var pi = MarkovChain.StationaryDistribution(transitions);
        double charactersPerToken = States.Select((w, i) => pi[i] * (w == EndOfSentence ? 0 : w.Length + 1)).Sum();
        return MarkovChain.EntropyRate(transitions) / charactersPerToken;
    }

    /// <summary>Draws <paramref name="count"/> sentences, one per line, words separated by single spaces.</summary>
    public static List<string> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var transitions = Transitions();
        int end = States.Length - 1;
        var sentences = new List<string>(count);
        var words = new List<string>();
        int state = end;
        while (sentences.Count < count)
        {
            double draw = random.NextDouble();
            int next = 0;
            while (next < end && (draw -= transitions[state, next]) >= 0)
                next++;
            state = next;
            if (state == end)
            {
                sentences.Add(string.Join(' ', words));
                words.Clear();
            }
            else
            {
                words.Add(States[state]);
            }
        }
        return sentences;
    }
}
