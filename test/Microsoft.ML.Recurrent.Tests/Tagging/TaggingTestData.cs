using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Tagging;

namespace Microsoft.ML.Recurrent.Tests.Tagging;

/// <summary>Tiny template sentences with people, places and organisations, in IOB2.</summary>
internal static class TaggingTestData
{
    public sealed class Row
    {
        [VectorType] public string[] Tokens { get; set; } = [];
        [VectorType] public string[] Tags { get; set; } = [];
    }

    private static readonly string[][] People = [["John", "Smith"], ["Mary"], ["Ahmed", "Khan"], ["Li", "Wei"], ["Anna"]];
    private static readonly string[][] Places = [["Paris"], ["New", "York"], ["Lagos"], ["Oslo"]];
    private static readonly string[][] Organisations = [["Acme", "Corp"], ["Globex"], ["United", "Nations"]];
    private static readonly string[] Templates = ["P visited L .", "O hired P in L .", "P works for O .", "yesterday P left L for L .", "the O office in L closed ."];

    public static List<Row> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<Row>(count);
        for (int i = 0; i < count; i++)
        {
            var tokens = new List<string>();
            var tags = new List<string>();
            foreach (string slot in Templates[random.Next(Templates.Length)].Split(' '))
            {
                var (words, type) = slot switch
                {
                    "P" => (People[random.Next(People.Length)], "PER"),
                    "L" => (Places[random.Next(Places.Length)], "LOC"),
                    "O" => (Organisations[random.Next(Organisations.Length)], "ORG"),
                    _ => ([slot], "O"),
                };
                for (int w = 0; w < words.Length; w++)
                {
                    tokens.Add(words[w]);
                    tags.Add(type == "O" ? "O" : (w == 0 ? "B-" : "I-") + type);
                }
            }
            rows.Add(new Row { Tokens = [.. tokens], Tags = [.. tags] });
        }
        return rows;
    }

    public static SequenceTaggingTrainerOptions SmallOptions(int epochs = 8) => new()
    {
        WordEmbeddingSize = 16,
        CharacterEmbeddingSize = 8,
        CharacterFilters = 8,
        CasingEmbeddingSize = 4,
        HiddenSize = 16,
        Dropout = 0.1,
        Epochs = epochs,
        BatchSize = 8,
        LearningRate = 0.01,
        Seed = 3,
    };
}
