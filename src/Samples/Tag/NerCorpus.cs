namespace Samples.Tag;

/// <summary>
/// Generates news-like template sentences with people, places and organisations, tagged in IOB2 (B-/I- PER, LOC,
/// ORG and O). Names are built from parts, so a test set drawn with another seed holds many name combinations the
/// training set never had, and some ambiguous words ("Jordan", "Washington") are a person in one sentence and a
/// place in another: only the context tells them apart.
/// </summary>
public static class NerCorpus
{
    private static readonly string[] FirstNames = ["John", "Mary", "Ahmed", "Li", "Anna", "Carlos", "Fatima", "Olga", "Kenji", "Grace", "Pierre", "Amara", "Jordan", "Washington"];
    private static readonly string[] LastNames = ["Smith", "Khan", "Wei", "Garcia", "Okafor", "Petrova", "Tanaka", "Dubois", "Müller", "O'Neill", "Silva", "Nakamura"];
    private static readonly string[] Places = ["Paris", "New York", "Lagos", "Oslo", "Buenos Aires", "Tokyo", "Jordan", "Washington", "Cape Town", "Lima", "Mumbai", "São Paulo"];
    private static readonly string[] OrganisationHeads = ["Acme", "Globex", "Initech", "Northwind", "Contoso", "Fabrikam", "Umbrella", "Stark"];
    private static readonly string[] OrganisationTails = ["Corp", "Bank", "Airlines", "Group", "Industries", "Holdings", "University", ""];
    // Only in sentences generated with novelNames: names the tagger cannot have memorized.
    private static readonly string[] NovelFirstNames = ["Ingrid", "Tariq", "Chiamaka", "Mateo", "Yuki", "Svetlana"];
    private static readonly string[] NovelLastNames = ["Lindqvist", "Haddad", "Adeyemi", "Romero", "Kowalski", "Ferreira"];
    private static readonly string[] NovelPlaces = ["Nairobi", "Helsinki", "Santiago", "Kuala Lumpur", "Reykjavik"];
    private static readonly string[] NovelOrganisationHeads = ["Zenith", "Vandelay", "Oscorp", "Cyberdyne"];

    private static readonly string[] Templates =
    [
        "P visited L on Monday .",
        "O hired P as chief executive .",
        "P , a spokesman for O , said the talks in L had failed .",
        "shares of O rose 3 percent in L trading .",
        "P told reporters in L that O would appeal .",
        "the O office in L closed after P resigned .",
        "P met P in L to discuss a merger with O .",
        "police in L arrested P on Tuesday .",
        "O said P would lead its L branch .",
        "P scored twice as L beat L 2-1 .",
    ];

    /// <summary>One tagged sentence.</summary>
    public sealed record Sentence(string[] Tokens, string[] Tags);

    /// <summary>
    /// Generates <paramref name="count"/> sentences deterministically from <paramref name="seed"/>. With
    /// <paramref name="novelNames"/>, half of the name parts come from lists that sentences without it never use,
    /// which measures how well the tagger handles unseen names (through spelling, casing and context).
    /// </summary>
    public static List<Sentence> Generate(int count, int seed, bool novelNames = false)
    {
        var random = new Random(seed);
        string Pick(string[] usual, string[] novel) => novelNames && random.Next(2) == 0 ? novel[random.Next(novel.Length)] : usual[random.Next(usual.Length)];
        var sentences = new List<Sentence>(count);
        for (int i = 0; i < count; i++)
        {
            var tokens = new List<string>();
            var tags = new List<string>();
            foreach (string slot in Templates[random.Next(Templates.Length)].Split(' '))
            {
                var (words, type) = slot switch
                {
                    "P" => (random.Next(4) == 0 ? Pick(LastNames, NovelLastNames) : $"{Pick(FirstNames, NovelFirstNames)} {Pick(LastNames, NovelLastNames)}", "PER"),
                    "L" => (Pick(Places, NovelPlaces), "LOC"),
                    "O" => ($"{Pick(OrganisationHeads, NovelOrganisationHeads)} {OrganisationTails[random.Next(OrganisationTails.Length)]}", "ORG"),
                    _ => (slot, ""),
                };
                var parts = words.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                for (int w = 0; w < parts.Length; w++)
                {
                    tokens.Add(parts[w]);
                    tags.Add(type == "" ? "O" : (w == 0 ? "B-" : "I-") + type);
                }
            }
            sentences.Add(new Sentence([.. tokens], [.. tags]));
        }
        return sentences;
    }
}
