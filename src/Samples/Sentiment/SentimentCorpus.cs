namespace Samples.Sentiment;

/// <summary>
/// Generates review sentences whose label depends on word order, so that a bag of words cannot decide it:
/// negation ("was not at all good"), contrast ("was good , but the plot was boring") and concession
/// ("although it was boring , the cast was good"). Each positive word appears as often in positive as in
/// negative sentences, so only its position relative to "not", "but" and "although" carries the label.
/// </summary>
public static class SentimentCorpus
{
    private static readonly string[] Positive = ["good", "great", "excellent", "wonderful", "fun", "brilliant", "charming", "moving", "clever", "delightful"];
    private static readonly string[] Negative = ["bad", "boring", "awful", "dull", "terrible", "weak", "tedious", "clumsy", "bland", "annoying"];
    private static readonly string[] Subjects = ["the movie", "this film", "the plot", "the acting", "the story", "the cast", "the ending", "the dialogue", "the music", "the director"];
    private static readonly string[] Verbs = ["was", "is", "felt", "seemed"];
    private static readonly string[] Intensifiers = ["", "", "very", "really", "quite", "truly", "rather"];
    private static readonly string[] NegationGaps = ["", "", "at all", "really", "even remotely", "in any way", "particularly"];
    private static readonly string[] Tails = ["", "", "", "overall", "honestly", "i think", "to me", "in the end"];

    /// <summary>One labelled sentence.</summary>
    public sealed record Example(string Text, bool Label);

    /// <summary>Generates <paramref name="count"/> sentences, half positive, deterministically from <paramref name="seed"/>.</summary>
    public static List<Example> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var examples = new List<Example>(count);
        for (int i = 0; i < count; i++)
        {
            bool label = i % 2 == 0;
            examples.Add(new Example(MakeSentence(random, label), label));
        }
        return examples;
    }

    private static string MakeSentence(Random random, bool label)
    {
        string Pick(string[] words) => words[random.Next(words.Length)];
        string Word(bool positive) => positive ? Pick(Positive) : Pick(Negative);
        string Clause(string adjective) => Join(Pick(Subjects), Pick(Verbs), Pick(Intensifiers), adjective, Pick(Tails));
        string NegatedClause(string adjective) => Join(Pick(Subjects), Pick(Verbs), "not", Pick(NegationGaps), adjective, Pick(Tails));

        switch (random.Next(5))
        {
            case 0:
                return Clause(Word(label));
            case 1:
                return NegatedClause(Word(!label));
            case 2:
                return Join(Clause(Word(!label)), ", but", Clause(Word(label)));
            case 3:
                return Join("although", Clause(Word(!label)), ",", Clause(Word(label)));
            default:
                // A negated first clause contrasted with a second: the second decides.
                return Join(NegatedClause(Word(label)), ", but", Clause(Word(label)));
        }
    }

    private static string Join(params string[] parts) => string.Join(' ', parts.Where(p => p.Length > 0));
}
